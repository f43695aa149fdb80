"""Item fulfillments and bills made from a sales order's lines, and the line links NetSuite keeps to them.

NetSuite records, per pair of lines, which transaction line was made from which in `NextTransactionLineLink`
(one row per line pair; "PreviousType ... (ex: SalesOrd)", "NextType ... (ex: ItemShip)", "LinkType ... (ex:
ShipRcpt)": timdietrich.me/blog/netsuite-suiteql-related-transactions). An invoice's lines link back to the
order with link type `OrdBill` (public SuiteQL: `ptl_so.linktype = 'OrdBill' ... so.type = 'SalesOrd'`). The
link type of a cash sale made from an order is not documented anywhere found (/work/research/netsuite.md
section 2: UNVERIFIED); the sandbox uses `OrdBill` for it too, so a client must key on `nexttype IN
('CustInvc', 'CashSale')` as well as on the link type.

The sandbox makes at most one fulfillment and one bill per order, covering every shipped and billed line.
Their lines carry the order's item and the quantity done, stored negative like the order's (a sales
transaction's convention; UNVERIFIED for these records, and nothing should rely on it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.netsuite.schema import CASH_SALE_TYPE, FULFILLMENT_TYPE, INVOICE_TYPE, SALES_ORDER_TYPE

# Fulfillment and bill ids follow from the order's, so reloading an order replaces its documents.
FULFILLMENT_ID_BASE = 1_000_000_000
BILL_ID_BASE = 2_000_000_000
MAX_SALES_ORDER_ID = FULFILLMENT_ID_BASE - 1

BILLING_TYPES = {"invoice": INVOICE_TYPE, "cash_sale": CASH_SALE_TYPE}
SHIP_LINK = "ShipRcpt"
BILL_LINK = "OrdBill"


@dataclass(frozen=True)
class LineDone:
    """How much of one sales-order line was shipped and billed (both positive)."""

    line: int
    item: str | None
    rate: object
    shipped: int
    billed: int


@dataclass(frozen=True)
class Document:
    id: int
    type: str
    tranid: str
    status: str  # first status of that record type in schema.STATUS_LABELS that fits
    link_type: str
    lines: tuple[tuple[LineDone, int], ...]  # (order line, quantity on this document)


def document_ids(order_id: int) -> tuple[int, int]:
    return FULFILLMENT_ID_BASE + order_id, BILL_ID_BASE + order_id


def check_order(order_id: int, billing: str) -> None:
    if not 1 <= order_id <= MAX_SALES_ORDER_ID:
        raise ValueError(f"sales order ids must be within 1..{MAX_SALES_ORDER_ID}, got {order_id}")
    if billing not in BILLING_TYPES:
        raise ValueError(f"billing must be one of {sorted(BILLING_TYPES)}, got {billing!r}")


def documents_for(order_id: int, lines: list[LineDone], billing: str, fulfillments: bool) -> list[Document]:
    """The fulfillment (only when `fulfillments`) and the bill of one order, each only if it has lines."""
    fulfillment_id, bill_id = document_ids(order_id)
    found = []
    shipped = tuple((line, line.shipped) for line in lines if line.shipped > 0)
    if fulfillments and shipped:
        found.append(Document(fulfillment_id, FULFILLMENT_TYPE, f"IF{order_id}", "C", SHIP_LINK, shipped))
    billed = tuple((line, line.billed) for line in lines if line.billed > 0)
    if billed:
        bill_type = BILLING_TYPES[billing]
        prefix, status = ("INV", "A") if bill_type == INVOICE_TYPE else ("CS", "B")
        found.append(Document(bill_id, bill_type, f"{prefix}{order_id}", status, BILL_LINK, billed))
    return found


def line_rows(document: Document, subsidiary: int | None) -> list[tuple]:
    """transactionline rows: the mainline, then one per line, numbered as on the order, in its subsidiary."""
    rows: list[tuple] = [(document.id, 0, 0, "T", "F", None, None, None, None, "F", None, subsidiary)]
    for line, quantity in document.lines:
        rows.append(
            (document.id, line.line, line.line, "F", "F", line.item, -quantity, None, None, "F", line.rate, subsidiary)
        )
    return rows


def link_rows(order_id: int, document: Document) -> list[tuple]:
    """nexttransactionlinelink rows: (previousdoc, previousline, previoustype, nextdoc, nextline, nexttype, linktype)."""
    return [
        (order_id, line.line, SALES_ORDER_TYPE, document.id, line.line, document.type, document.link_type)
        for line, _quantity in document.lines
    ]
