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
    DATE = "date"  # stored as canonical 'YYYY-MM-DD HH24:MI:SS' text
    BOOL = "bool"  # a predicate (Oracle has no boolean values in SQL)
    NULL = "null"


SALES_ORDER_TYPE = "SalesOrd"

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

TRANSACTION_COLUMNS: dict[str, Kind] = {
    "id": Kind.NUMBER,
    "tranid": Kind.TEXT,
    "type": Kind.TEXT,
    "status": Kind.TEXT,
    "trandate": Kind.DATE,
    "lastmodifieddate": Kind.DATE,
    "foreigntotal": Kind.NUMBER,
    "currency": Kind.TEXT,
    "custbody_fa_channel_order": Kind.TEXT,
    "custbody_celigo_etail_order_id": Kind.TEXT,
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
    "isclosed": Kind.TEXT,
    "rate": Kind.NUMBER,
}

BODY_FIELD_PATTERN = re.compile(r"^custbody_[a-z0-9_]+$")


class Schema:
    """Tables and columns by lowercase name; custom body fields can be added at run time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tables: dict[str, dict[str, Kind]] = {
            "transaction": dict(TRANSACTION_COLUMNS),
            "transactionline": dict(TRANSACTION_LINE_COLUMNS),
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
