"""The SuiteQL tables the sandbox exposes, with the value kind of each column.

The store creates its SQLite tables from this, and the translator resolves and
type-checks identifiers against it, so both always agree.
"""

from __future__ import annotations

import enum
import re
import threading


class Kind(enum.Enum):
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"  # wall-clock, zone-less (trandate, literals): canonical 'YYYY-MM-DD HH24:MI:SS' text
    INSTANT = "instant"  # a moment stored in UTC (same text), shown in the user's time zone (session_zone)
    BOOL = "bool"  # a predicate (Oracle has no boolean values in SQL)
    NULL = "null"

    @property
    def is_datetime(self) -> bool:
        return self in (Kind.DATE, Kind.INSTANT)


SALES_ORDER_TYPE = "SalesOrd"
FULFILLMENT_TYPE = "ItemShip"
INVOICE_TYPE = "CustInvc"
CASH_SALE_TYPE = "CashSale"

# transaction.type → BUILTIN.DF label.
TYPE_LABELS = {
    SALES_ORDER_TYPE: "Sales Order",
    FULFILLMENT_TYPE: "Item Fulfillment",
    INVOICE_TYPE: "Invoice",
    CASH_SALE_TYPE: "Cash Sale",
}

# transaction.status letter → BUILTIN.DF label, for sales orders.
SALES_ORDER_STATUS_LABELS = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}

# Status letters of the documents made from a sales order. Third-party lists, not Oracle's
# (/work/research/netsuite.md section 2: UNVERIFIED); nothing should key on them.
STATUS_LABELS: dict[str, dict[str, str]] = {
    SALES_ORDER_TYPE: SALES_ORDER_STATUS_LABELS,
    FULFILLMENT_TYPE: {"A": "Picked", "B": "Packed", "C": "Shipped"},
    INVOICE_TYPE: {"A": "Open", "B": "Paid In Full"},
    CASH_SALE_TYPE: {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"},
}
# BUILTIN.CF code ('SalesOrd:C') → BUILTIN.DF label.
COMPOSITE_STATUS_LABELS = {
    f"{record_type}:{letter}": label
    for record_type, labels in STATUS_LABELS.items()
    for letter, label in labels.items()
}

TRANSACTION_COLUMNS: dict[str, Kind] = {
    "id": Kind.NUMBER,
    "tranid": Kind.TEXT,
    "type": Kind.TEXT,
    "status": Kind.TEXT,
    "trandate": Kind.DATE,
    "lastmodifieddate": Kind.INSTANT,
    "foreigntotal": Kind.NUMBER,
    "currency": Kind.TEXT,
    "custbody_fa_channel_order": Kind.TEXT,
    "custbody_celigo_etail_order_id": Kind.TEXT,
    # Which store an imported order came from (/work/research/netsuite.md section 5). NetSuite Connector writes
    # text: "Shopify" for its default account, "Shopify-<AccountName>" for others (UNVERIFIED pattern, seen in
    # public SuiteScripts). Celigo writes two List/Record fields: the "Celigo Shopify Store" custom record
    # (docs.celigo.com/hc/en-us/articles/49643838951707) and the eTail channel ("Shopify").
    "custbody_fa_channel": Kind.TEXT,
    "custbody_celigo_shopify_store": Kind.NUMBER,
    "custbody_celigo_etail_channel": Kind.NUMBER,
}

TRANSACTION_LINE_COLUMNS: dict[str, Kind] = {
    "transaction": Kind.NUMBER,
    "id": Kind.NUMBER,
    "linesequencenumber": Kind.NUMBER,
    "mainline": Kind.TEXT,
    "taxline": Kind.TEXT,
    "item": Kind.TEXT,
    "quantity": Kind.NUMBER,
    "quantityshiprecv": Kind.NUMBER,
    "quantitybilled": Kind.NUMBER,
    "isclosed": Kind.TEXT,
    "rate": Kind.NUMBER,
    # A transaction's subsidiary is a column of its lines, read on the main line (mainline = 'T'): SuiteQL has
    # no transaction.subsidiary (sandbox/netsuite/README.md, "Store marks", has the sources).
    "subsidiary": Kind.NUMBER,
}

# One row per pair of lines: a sales-order line and the fulfillment or bill line made from it. Columns as
# timdietrich.me/blog/netsuite-suiteql-related-transactions and CData's SuiteQL schema list them
# (PreviousDoc, PreviousLine, PreviousType, NextDoc, NextLine, NextType, LinkType).
NEXT_TRANSACTION_LINE_LINK_COLUMNS: dict[str, Kind] = {
    "previousdoc": Kind.NUMBER,
    "previousline": Kind.NUMBER,
    "previoustype": Kind.TEXT,
    "nextdoc": Kind.NUMBER,
    "nextline": Kind.NUMBER,
    "nexttype": Kind.TEXT,
    "linktype": Kind.TEXT,
}

# List/Record columns: each holds the internal id of a record; BUILTIN.DF gives that record's name ("Returns the
# display value of a field from a target record type without having to join the target record type explicitly",
# article_1029114613). The names are the store's (`SalesOrderStore.load_list_values`).
LIST_COLUMNS = frozenset(
    {
        ("transaction", "custbody_celigo_shopify_store"),
        ("transaction", "custbody_celigo_etail_channel"),
        ("transactionline", "subsidiary"),
    }
)

BODY_FIELD_PATTERN = re.compile(r"^custbody_[a-z0-9_]+$")


class Schema:
    """Tables and columns by lowercase name; custom body fields can be added at run time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tables: dict[str, dict[str, Kind]] = {
            "transaction": dict(TRANSACTION_COLUMNS),
            "transactionline": dict(TRANSACTION_LINE_COLUMNS),
            "nexttransactionlinelink": dict(NEXT_TRANSACTION_LINE_LINK_COLUMNS),
        }

    def columns(self, table: str) -> dict[str, Kind]:
        return self.tables[table]

    def add_body_field(self, name: str) -> bool:
        """Declare a custom transaction body field; returns True if it is new."""
        if not BODY_FIELD_PATTERN.match(name):
            raise ValueError(f"custom body fields look like custbody_xyz (lowercase), got {name!r}")
        with self._lock:
            if name in self.tables["transaction"]:
                return False
            self.tables["transaction"][name] = Kind.TEXT
            return True
