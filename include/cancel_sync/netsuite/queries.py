"""SuiteQL the sync sends: the sales orders NetSuite counts as canceled, and every sales order that links
given Shopify orders.

Values are never pasted in raw: timestamps are formatted from datetimes, ids and order numbers are ints,
and field ids are checked against a strict pattern. Stores are told apart in Python (stores.py) from the
selector columns the extraction reads, so no store's values are ever pasted into SuiteQL. SuiteQL
over REST has no bind parameters.

Whether an order counts as canceled is decided in Python (netsuite/order_status.py) from what these
queries return: its status, and whether anything on it was shipped or billed. The extraction's WHERE
narrows to the candidates (status C, or H with nothing shipped) so a window never pages through orders
that cannot qualify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from include.cancel_sync.netsuite.time_zone import NetSuiteClock
from include.cancel_sync.stores import SelectorSource
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


@dataclass(frozen=True)
class OrderColumns:
    """What the extraction reads of each order beside its status: every store's link field (as shopify_link_<i>)
    and what each store selector reads (as store_key_<i>), in these orders."""

    link_fields: tuple[str, ...]
    sources: tuple[SelectorSource, ...] = ()

    def select(self) -> str:
        links = [f"t.{_checked(name)} AS shopify_link_{i}" for i, name in enumerate(self.link_fields)]
        keys = [f"{_source_expression(source)} AS store_key_{i}" for i, source in enumerate(self.sources)]
        return ",\n       ".join(links + keys)

    def joins(self) -> str:
        # A sales order's subsidiary is on its main line (transactionline.mainline = 'T'), not a transaction column.
        if any(source.kind == "subsidiary" for source in self.sources):
            return "\nLEFT JOIN transactionline ml ON ml.transaction = t.id AND ml.mainline = 'T'"
        return ""


def _source_expression(source: SelectorSource) -> str:
    if source.kind == "subsidiary":
        return "ml.subsidiary"
    field = _checked(str(source.field))
    return f"BUILTIN.DF(t.{field})" if source.kind == "text" else f"t.{field}"


def _filters(
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
    columns: OrderColumns,
    window: Window | None,
    clock: NetSuiteClock,
    order_ids: tuple[int, ...] = (),
    after_id: int | None = None,
) -> str:
    """The candidate canceled orders (UTC `window`, read in `clock`'s zone), ordered by id; `after_id` keeps
    only those after that one (keyset)."""
    return f"""SELECT t.id, t.tranid, BUILTIN.CF(t.status) AS status,
       TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified,
       {columns.select()},
       {_flag(BILLED, "billed")}
FROM transaction t{columns.joins()}
WHERE {_filters(window, clock, order_ids, after_id)}
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
