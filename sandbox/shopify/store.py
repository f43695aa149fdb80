"""The sandbox's in-memory shop: orders, pending cancel jobs, and the record of cancels and money moved.

One re-entrant lock guards everything; the GraphQL executor holds it for a whole request so a reply
never mixes states. Cancel jobs complete lazily: whenever the store is touched after their due time.
A test can keep jobs running until it says so (`hold_jobs` / `finish_held_jobs`): "Shopify is still
cancelling" then lasts exactly as long as the test needs, whatever the machine's speed.
"""

from __future__ import annotations

import heapq
import math
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.model import ShopifyOrder
from sandbox.shopify.cancellation import finish
from sandbox.shopify.gid import job_gid, order_gid
from sandbox.shopify.money import to_amount
from sandbox.shopify.records import CancelCall, MoneyMovement
from sandbox.shopify.timestamps import iso, now_utc, to_utc

ZERO = Decimal("0.00")


@dataclass(slots=True)
class StoredOrder:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    financial_status: str
    fulfillment_status: str
    return_status: str
    cancelled_at: datetime | None
    cancel_reason: str | None
    closed: bool
    closed_at: datetime | None
    tags: list[str]
    test: bool
    total: Decimal
    currency: str
    has_pending_authorization: bool
    cancel_job_error: str | None = None  # an accepted cancel's job fails with this message
    received: Decimal = ZERO  # captured from the customer
    refunded: Decimal = ZERO
    authorized: Decimal = ZERO  # held but not captured
    staff_note: str | None = None
    deleted: bool = False
    cancel_job_id: str | None = None  # set once a cancel is accepted

    @property
    def gid(self) -> str:
        return order_gid(self.id)

    @classmethod
    def from_record(cls, record: ShopifyOrder) -> StoredOrder:
        total = to_amount(record.total)
        stored = cls(
            id=record.id,
            name=record.name,
            created_at=to_utc(record.created_at),
            updated_at=to_utc(record.updated_at),
            financial_status=record.financial_status,
            fulfillment_status=record.fulfillment_status,
            return_status=record.return_status,
            cancelled_at=to_utc(record.cancelled_at) if record.cancelled_at else None,
            cancel_reason=record.cancel_reason,
            closed=record.closed,
            closed_at=to_utc(record.updated_at) if record.closed else None,
            tags=list(record.tags),
            test=record.test,
            total=total,
            currency=record.currency,
            has_pending_authorization=record.has_pending_authorization,
            cancel_job_error=record.cancel_job_error,
        )
        stored.reset_amounts()
        return stored

    def reset_amounts(self) -> None:
        """Derive money held from the financial status (a ShopifyOrder carries only its total).

        Partial states are modelled as half the total; tests can set exact amounts via the control API.
        """
        half = to_amount(self.total / 2)
        status = self.financial_status
        self.received = {"PAID": self.total, "PARTIALLY_PAID": half}.get(status, ZERO)
        if status in ("PARTIALLY_REFUNDED", "REFUNDED"):
            self.received = self.total
        self.refunded = {"PARTIALLY_REFUNDED": half, "REFUNDED": self.total}.get(status, ZERO)
        self.authorized = self.total if status == "AUTHORIZED" else ZERO

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON-able view for the control API."""
        return {
            "id": self.id,
            "gid": self.gid,
            "name": self.name,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "financial_status": self.financial_status,
            "fulfillment_status": self.fulfillment_status,
            "return_status": self.return_status,
            "cancelled_at": iso(self.cancelled_at),
            "cancel_reason": self.cancel_reason,
            "closed": self.closed,
            "closed_at": iso(self.closed_at),
            "tags": list(self.tags),
            "test": self.test,
            "total": str(self.total),
            "currency": self.currency,
            "has_pending_authorization": self.has_pending_authorization,
            "cancel_job_error": self.cancel_job_error,
            "amount_received": str(self.received),
            "amount_refunded": str(self.refunded),
            "amount_authorized": str(self.authorized),
            "staff_note": self.staff_note,
            "deleted": self.deleted,
            "cancel_job_id": self.cancel_job_id,
        }


@dataclass
class CancelJob:
    id: str  # GID
    order_id: int
    due_at: float  # on the store's monotonic clock
    reason: str
    restock: bool
    notify_customer: bool
    staff_note: str | None
    refund_kind: str | None  # "refund", "store_credit" or None for no refund
    done: bool = False
    status: str = "STARTED"  # OrderCancelStatus: STARTED, then SUCCEEDED or FAILED
    errors: list[dict[str, Any]] = field(default_factory=list)  # OrderCancelUserError shapes, when FAILED
    movements: list[MoneyMovement] = field(default_factory=list)


class OrderStore:
    """`cancel_job_inline`: a cancel job due at once (`cancel_job_delay` 0) runs before orderCancel replies,
    so the reply shows it done (UNVERIFIED whether Shopify ever does; off by default: done on the next look)."""

    def __init__(
        self, clock: Callable[[], float], cancel_job_delay: float = 0.0, cancel_job_inline: bool = False
    ) -> None:
        self.clock = clock
        self.cancel_job_delay = cancel_job_delay
        self.cancel_job_inline = cancel_job_inline
        self.lock = threading.RLock()
        self._orders: dict[int, StoredOrder] = {}
        self._jobs: dict[str, CancelJob] = {}
        self._pending: list[tuple[float, int, CancelJob]] = []  # heap by due time; looked at on every read
        self._cancel_calls: list[CancelCall] = []
        self._refunds: list[MoneyMovement] = []
        self._holding_jobs = False
        self._held_jobs: list[CancelJob] = []

    @staticmethod
    def now() -> datetime:
        """Wall-clock time for timestamps Shopify would show."""
        return now_utc()

    # -- orders -------------------------------------------------------------------------------

    def load(self, records: Iterable[ShopifyOrder]) -> None:
        """Add or replace orders; the store keeps its own state, so cancels never touch the caller's records."""
        with self.lock:
            for record in records:
                self._orders[record.id] = StoredOrder.from_record(record)

    def get(self, order_id: int, include_deleted: bool = False) -> StoredOrder | None:
        with self.lock:
            self.complete_due_jobs()
            order = self._orders.get(order_id)
            if order is None or (order.deleted and not include_deleted):
                return None
            return order

    def visible_orders(self) -> list[StoredOrder]:
        with self.lock:
            self.complete_due_jobs()
            return [order for order in self._orders.values() if not order.deleted]

    # -- cancel jobs ----------------------------------------------------------------------------

    def start_cancel_job(self, order: StoredOrder, arguments: dict[str, Any], refund_kind: str | None) -> CancelJob:
        with self.lock:
            job = CancelJob(
                id=job_gid(str(uuid.uuid4())),
                order_id=order.id,
                due_at=math.inf if self._holding_jobs else self.clock() + self.cancel_job_delay,
                reason=arguments["reason"],
                restock=arguments["restock"],
                notify_customer=bool(arguments.get("notifyCustomer")),
                staff_note=arguments.get("staffNote"),
                refund_kind=refund_kind,
            )
            self._jobs[job.id] = job
            heapq.heappush(self._pending, (job.due_at, len(self._jobs), job))
            if self._holding_jobs:
                self._held_jobs.append(job)
            order.cancel_job_id = job.id
            return job

    def hold_jobs(self) -> None:
        """Test control: cancels accepted from now on keep running (order open, job not done) until released."""
        with self.lock:
            self._holding_jobs = True

    def finish_held_jobs(self) -> list[CancelJob]:
        """Complete the held jobs now, and stop holding; returns them."""
        with self.lock:
            held, self._held_jobs, self._holding_jobs = self._held_jobs, [], False
            now = self.clock()
            for job in held:
                job.due_at = now
            self._pending = [(job.due_at, sequence, job) for _due, sequence, job in self._pending]
            heapq.heapify(self._pending)
            self.complete_due_jobs()
            return held

    def job(self, job_id: str) -> CancelJob | None:
        with self.lock:
            self.complete_due_jobs()
            return self._jobs.get(job_id)

    def complete_due_jobs(self) -> None:
        with self.lock:
            now = self.clock()
            while self._pending and self._pending[0][0] <= now:
                _due, _sequence, job = heapq.heappop(self._pending)
                job.movements = finish(self._orders[job.order_id], job, self.now())
                self._refunds.extend(job.movements)

    # -- records --------------------------------------------------------------------------------

    def record_cancel_call(self, **fields: Any) -> CancelCall:
        with self.lock:
            call = CancelCall(sequence=len(self._cancel_calls) + 1, received_at=iso(self.now()), **fields)
            self._cancel_calls.append(call)
            return call

    @property
    def cancel_calls(self) -> list[CancelCall]:
        with self.lock:
            self.complete_due_jobs()
            return list(self._cancel_calls)

    @property
    def refunds(self) -> list[MoneyMovement]:
        """Every refund, store-credit refund and void performed, in order (kinds: see MoneyMovement)."""
        with self.lock:
            self.complete_due_jobs()
            return list(self._refunds)
