"""SuiteQL for sales orders NetSuite counts as canceled.

Values are never pasted in raw: timestamps are formatted from datetimes, ids are
ints and the link field is checked against a strict pattern before it gets here.
"""

from __future__ import annotations

import re

from include.cancel_sync.window import TIMESTAMP_FORMAT, Window

_FIELD = re.compile(r"^custbody_[a-z0-9_]+$")

# Status C (canceled while pending approval), or H (closed) with no item line shipped.
_CANCELED = """(BUILTIN.CF(t.status) = 'SalesOrd:C'
       OR (BUILTIN.CF(t.status) = 'SalesOrd:H'
           AND NOT EXISTS (SELECT 1 FROM transactionline tl
                           WHERE tl.transaction = t.id AND tl.mainline = 'F' AND tl.taxline = 'F'
                             AND ABS(NVL(tl.quantityshiprecv, 0)) > 0)))"""


def _timestamp(value) -> str:
    return f"TO_TIMESTAMP('{value.strftime(TIMESTAMP_FORMAT)}', 'YYYY-MM-DD HH24:MI:SS')"


def _filters(link_field: str, window: Window | None, order_ids: tuple[int, ...], after_id: int | None) -> str:
    if not _FIELD.match(link_field):
        raise ValueError(f"refusing to query an unexpected link field {link_field!r}")
    clauses = ["t.type = 'SalesOrd'", _CANCELED]
    if order_ids:
        clauses.append(f"t.id IN ({', '.join(str(int(i)) for i in order_ids)})")
    if after_id is not None:
        clauses.append(f"t.id > {int(after_id)}")
    if window is not None:
        clauses.append(f"t.lastmodifieddate >= {_timestamp(window.start)}")
        clauses.append(f"t.lastmodifieddate < {_timestamp(window.end)}")
    return "\n  AND ".join(clauses)


def canceled_orders_query(
    link_field: str, window: Window | None, order_ids: tuple[int, ...] = (), after_id: int | None = None
) -> str:
    """The canceled orders, ordered by id; `after_id` keeps only those after that one (keyset)."""
    # SuiteQL over REST has no bind parameters; every piece below is validated or typed.
    return f"""SELECT t.id, t.tranid, BUILTIN.CF(t.status) AS status,
       TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified,
       t.{link_field} AS shopify_link
FROM transaction t
WHERE {_filters(link_field, window, order_ids, after_id)}
ORDER BY t.id"""  # noqa: S608
