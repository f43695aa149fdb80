"""SuiteQL the sync sends: the sales orders NetSuite counts as canceled, and every sales order that links
given Shopify orders.

Values are never pasted in raw: timestamps are formatted from datetimes, ids and order numbers are ints,
and the link field is checked against a strict pattern before it gets here. SuiteQL
over REST has no bind parameters.

Whether an order counts as canceled is decided in Python (netsuite/order_status.py) from what these
queries return: its status, and whether anything on it was shipped or billed. The extraction's WHERE
narrows to the candidates (status C, or H with nothing shipped) so a window never pages through orders
that cannot qualify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from include.cancel_sync.netsuite.time_zone import NetSuiteClock
from include.cancel_sync.window import TIMESTAMP_FORMAT, Window

_FIELD = re.compile(r"^custbody_[a-z0-9_]+$")

# Item lines only: sales-order line quantities are stored negative, hence ABS (reference/netsuite.md).
_ITEM_LINES = "tl.transaction = t.id AND tl.mainline = 'F' AND tl.taxline = 'F'"
SHIPPED = f"EXISTS (SELECT 1 FROM transactionline tl WHERE {_ITEM_LINES} AND ABS(NVL(tl.quantityshiprecv, 0)) > 0)"  # noqa: S608
# Billed: a line with a billed quantity, or an invoice / cash sale made from the order's lines (a link of
# type OrdBill in NextTransactionLineLink). Either reading is enough: Oracle documents neither the sign of
# quantitybilled on sales orders nor that it is kept for cash sales (research notes, netsuite.md §2).
BILLED = (
    f"(EXISTS (SELECT 1 FROM transactionline tl WHERE {_ITEM_LINES} AND ABS(NVL(tl.quantitybilled, 0)) > 0)"  # noqa: S608
    " OR EXISTS (SELECT 1 FROM nexttransactionlinelink ntll JOIN transaction bill ON bill.id = ntll.nextdoc"
    " WHERE ntll.previousdoc = t.id AND (ntll.linktype = 'OrdBill' OR bill.type IN ('CustInvc', 'CashSale'))))"
)
_CANDIDATE = f"(BUILTIN.CF(t.status) = 'SalesOrd:C' OR (BUILTIN.CF(t.status) = 'SalesOrd:H' AND NOT {SHIPPED}))"


def _flag(condition: str, name: str) -> str:
    return f"CASE WHEN {condition} THEN 'T' ELSE 'F' END AS {name}"


def _checked(link_field: str) -> str:
    if not _FIELD.match(link_field):
        raise ValueError(f"refusing to query an unexpected link field {link_field!r}")
    return link_field


def _timestamp(value) -> str:
    return f"TO_TIMESTAMP('{value.strftime(TIMESTAMP_FORMAT)}', 'YYYY-MM-DD HH24:MI:SS')"


def _filters(
    link_field: str,
    window: Window | None,
    clock: NetSuiteClock,
    order_ids: tuple[int, ...],
    after_id: int | None,
) -> str:
    clauses = ["t.type = 'SalesOrd'", _CANDIDATE]
    if order_ids:
        clauses.append(f"t.id IN ({', '.join(str(int(i)) for i in order_ids)})")
    if after_id is not None:
        clauses.append(f"t.id > {int(after_id)}")
    if window is not None:
        low, high = clock.wall_bounds(window)  # NetSuite compares in the token user's time zone
        clauses.append(f"t.lastmodifieddate >= {_timestamp(low)}")
        clauses.append(f"t.lastmodifieddate < {_timestamp(high)}")
    return "\n  AND ".join(clauses)


def canceled_orders_query(
    link_field: str,
    window: Window | None,
    clock: NetSuiteClock,
    order_ids: tuple[int, ...] = (),
    after_id: int | None = None,
) -> str:
    """The candidate canceled orders (UTC `window`, read in `clock`'s zone), ordered by id; `after_id` keeps
    only those after that one (keyset)."""
    field = _checked(link_field)
    return f"""SELECT t.id, t.tranid, BUILTIN.CF(t.status) AS status,
       TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified,
       t.{field} AS shopify_link,
       {_flag(BILLED, "billed")}
FROM transaction t
WHERE {_filters(field, window, clock, order_ids, after_id)}
ORDER BY t.id"""  # noqa: S608


def linked_orders_query(link_field: str, order_numbers: Iterable[int]) -> str:
    """Every sales order, any status and any date, whose link field holds one of these Shopify order numbers:
    as the id, the GID, with spaces, tabs or anything around it. LIKE casts the net wide on purpose (a number
    inside a longer one matches too); the caller keeps the rows whose link parses to one of the orders."""
    field = _checked(link_field)
    matches = "\n   OR ".join(f"t.{field} LIKE '%{int(number)}%'" for number in order_numbers)
    return f"""SELECT t.id, t.tranid, BUILTIN.CF(t.status) AS status, t.{field} AS shopify_link,
       {_flag(SHIPPED, "shipped")},
       {_flag(BILLED, "billed")}
FROM transaction t
WHERE t.type = 'SalesOrd' AND ({matches})
ORDER BY t.id"""  # noqa: S608
