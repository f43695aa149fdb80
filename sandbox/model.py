"""Plain records the world builder makes and both sandboxes load.

They are the sandboxes' ground truth, kept free of any server or storage detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class SalesOrderLine:
    line: int
    item: str
    quantity: int  # ordered, positive here; NetSuite stores sales-order quantities negative
    quantity_shipped: int = 0  # positive here; stored as transactionline.quantityshiprecv (negative)
    # Positive here; stored as transactionline.quantitybilled (negative by default, see sandbox/netsuite/store.py)
    # and billed by one invoice or cash sale per order (SalesOrder.billing).
    quantity_billed: int = 0
    is_closed: bool = False
    rate: str = "10.00"


@dataclass
class SalesOrder:
    id: int  # transaction.id (internal id)
    tranid: str  # document number, e.g. "SO10042"
    status: str  # one letter A..H (transaction.status)
    last_modified: datetime  # naive UTC instant; NetSuite shows it in the token user's time zone
    trandate: date
    total: str = "0.00"
    currency: str = "USD"
    # Body fields that may hold the Shopify link, e.g. custbody_fa_channel_order.
    fields: dict[str, str | None] = field(default_factory=dict)
    lines: list[SalesOrderLine] = field(default_factory=list)
    billing: str = "invoice"  # what bills quantity_billed: "invoice" (CustInvc) or "cash_sale" (CashSale)
    # List/Record body fields (schema.LIST_COLUMNS), e.g. custbody_celigo_shopify_store: a record's internal id.
    list_fields: dict[str, int | None] = field(default_factory=dict)
    subsidiary: int | None = None  # internal id; stored on every line (transactionline.subsidiary)


@dataclass
class ShopifyOrder:
    id: int  # numeric id; GID is gid://shopify/Order/<id>
    name: str  # "#1001"
    created_at: datetime  # UTC
    updated_at: datetime  # UTC
    financial_status: str = "PAID"  # OrderDisplayFinancialStatus
    fulfillment_status: str = "UNFULFILLED"  # OrderDisplayFulfillmentStatus
    return_status: str = "NO_RETURN"  # OrderReturnStatus
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None  # OrderCancelReason
    closed: bool = False
    tags: list[str] = field(default_factory=list)
    test: bool = False
    total: str = "0.00"
    currency: str = "USD"
    has_pending_authorization: bool = False  # cannot be cancelled while an authorization is pending
    # Opt-in: orderCancel accepts the cancel, but its job finishes without cancelling, with this message.
    cancel_job_error: str | None = None

    @property
    def gid(self) -> str:
        return f"gid://shopify/Order/{self.id}"
