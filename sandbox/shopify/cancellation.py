"""orderCancel as Shopify decides it: which requests are refused, and what completing a cancel does.

Refusals (messages are the sandbox's own; Shopify's exact texts are UNVERIFIED, only codes are
documented): invalid arguments, unknown order (NOT_FOUND), and orders that cannot be cancelled —
already cancelled or being cancelled, with fulfillments, with fulfillment requests a fulfillment service
holds, with an active return, or with a pending payment authorization (INVALID). The fulfillment states
and their sources are tabled in sandbox/shopify/README.md ("displayFulfillmentStatus and orderCancel").

A job accepted for an order marked `cancel_job_error` finishes without cancelling (status FAILED, the
message as its error): the 2026-10 changelog says cancellations run asynchronously and may fail after
acceptance ("The jobResult field provides a structured, cancellation-specific result, including the
cancellation status, any errors", https://shopify.dev/changelog/the-ordercancel-mutation-now-returns-a-structured-jobresult).

Money on completion (https://help.shopify.com/en/manual/fulfillment/managing-orders/canceling-orders):
- AUTHORIZED: the authorization is voided whatever refund was asked ("Authorized payments will be
  voided regardless of this setting"); a "void" movement is recorded, never a refund.
- PENDING: nothing was captured, so nothing is refunded or voided; the status becomes VOIDED
  ("If the payment wasn't captured, then the payment status changes to Voided").
- PAID / PARTIALLY_PAID / PARTIALLY_REFUNDED with a refund asked: what is left (received − refunded)
  is refunded and the status becomes REFUNDED. Without a refund: status and money unchanged.
- REFUNDED / VOIDED / EXPIRED: nothing left to move; unchanged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.shopify.gid import order_number_from_gid
from sandbox.shopify.records import MoneyMovement
from sandbox.shopify.timestamps import iso, parse_iso

if TYPE_CHECKING:
    from sandbox.shopify.store import CancelJob, OrderStore, StoredOrder

NOTHING = Decimal("0.00")
STAFF_NOTE_LIMIT = 255
REFUNDABLE_STATUSES = ("PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED")
FULFILLED_STATUSES = ("FULFILLED", "PARTIALLY_FULFILLED")
# A fulfillment service has the request: "Once the fulfillment service has accepted the request, the request
# can no longer be cancelled by the merchant or order management app" (FulfillmentOrder, 2026-01 schema).
# PENDING_FULFILLMENT ("awaits a response from the fulfillment service") is refused too: the stricter reading.
FULFILLMENT_SERVICE_STATUSES = ("IN_PROGRESS", "PENDING_FULFILLMENT")
ACTIVE_RETURN_STATUSES = ("IN_PROGRESS", "RETURN_REQUESTED")


def user_error(field: list[str] | None, message: str, code: str) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def refund_kind(arguments: dict[str, Any]) -> str | None:
    """ "refund", "store_credit" or None (no refund), from refundMethod or the deprecated refund flag."""
    method = arguments.get("refundMethod")
    if method is not None:
        if method.get("storeCreditRefund") is not None:
            return "store_credit"
        return "refund" if method.get("originalPaymentMethodsRefund") else None
    return "refund" if arguments.get("refund") else None


def argument_errors(arguments: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    errors = []
    staff_note = arguments.get("staffNote")
    if staff_note is not None and len(staff_note) > STAFF_NOTE_LIMIT:
        errors.append(
            user_error(["staffNote"], f"Staff note is too long (maximum is {STAFF_NOTE_LIMIT} characters)", "INVALID")
        )
    has_refund = arguments.get("refund") is not None
    has_method = arguments.get("refundMethod") is not None
    if has_refund and has_method:
        errors.append(user_error(["refundMethod"], "Only one of refund or refundMethod can be specified.", "INVALID"))
    elif not (has_refund or has_method):
        # UNVERIFIED what Shopify does when neither is given; refusing makes the caller state its intent.
        errors.append(user_error(["refundMethod"], "A refund method must be specified.", "INVALID"))
    store_credit = (arguments.get("refundMethod") or {}).get("storeCreditRefund")
    expires_at = (store_credit or {}).get("expiresAt")
    if expires_at is not None:
        errors.extend(_expiry_errors(expires_at, now))
    return errors


def _expiry_errors(expires_at: Any, now: datetime) -> list[dict[str, Any]]:
    field = ["refundMethod", "storeCreditRefund", "expiresAt"]
    moment = parse_iso(str(expires_at))
    if moment is None:
        return [user_error(field, "Expiration date is invalid.", "INVALID")]
    if moment <= now:
        return [user_error(field, "Expiration date must be in the future.", "STORE_CREDIT_REFUND_EXPIRATION_IN_PAST")]
    return []


def find_order_number(order_id: Any) -> int | None:
    return order_number_from_gid(order_id) if isinstance(order_id, str) else None


def order_errors(order: StoredOrder | None) -> list[dict[str, Any]]:
    """Why this order cannot be cancelled now (first reason only), or [] when it can."""
    field = ["orderId"]
    if order is None:
        return [user_error(field, "Order does not exist.", "NOT_FOUND")]
    if order.cancelled_at is not None:
        return [user_error(field, "Order has already been cancelled.", "INVALID")]
    if order.cancel_job_id is not None:
        return [user_error(field, "Order is already being cancelled.", "INVALID")]
    if order.fulfillment_status in FULFILLED_STATUSES:
        return [user_error(field, "Cannot cancel an order that has fulfillments.", "INVALID")]
    if order.fulfillment_status in FULFILLMENT_SERVICE_STATUSES:
        message = "Cannot cancel an order with fulfillment requests a fulfillment service has not released."
        return [user_error(field, message, "INVALID")]
    if order.return_status in ACTIVE_RETURN_STATUSES:
        return [user_error(field, "Cannot cancel an order with an active return.", "INVALID")]
    if order.has_pending_authorization:
        return [user_error(field, "Cannot cancel an order with pending payment authorizations.", "INVALID")]
    return []


def finish(order: StoredOrder, job: CancelJob, now: datetime) -> list[MoneyMovement]:
    """Run a due cancel job: cancel the order, or fail without touching it when it is marked to."""
    job.done = True
    if order.cancel_job_error is not None:
        job.status = "FAILED"
        job.errors = [user_error(["orderId"], order.cancel_job_error, "INVALID")]  # code UNVERIFIED
        order.cancel_job_id = None  # nothing pending: a later orderCancel is judged afresh
        return []
    job.status = "SUCCEEDED"
    return settle(order, job, now)


def job_result(job: CancelJob, order: StoredOrder) -> dict[str, Any]:
    """OrderCancelJobResult (2026-10) as the job stands now."""
    return {"id": job.id, "done": job.done, "status": job.status, "errors": list(job.errors), "order": order}


def settle(order: StoredOrder, job: CancelJob, now: datetime) -> list[MoneyMovement]:
    """Complete an accepted cancel: mark the order cancelled and move money as described above."""
    movements = []
    status = order.financial_status
    if status == "AUTHORIZED":
        if order.authorized > 0:
            movements.append(_movement(order, job, "void", order.authorized, now))
        order.authorized = NOTHING
        order.financial_status = "VOIDED"
    elif status == "PENDING":
        order.financial_status = "VOIDED"
    elif status in REFUNDABLE_STATUSES and job.refund_kind is not None:
        remaining = order.received - order.refunded
        if remaining > 0:
            movements.append(_movement(order, job, job.refund_kind, remaining, now))
            order.refunded += remaining
        order.financial_status = "REFUNDED"
    order.cancelled_at = now
    order.cancel_reason = job.reason
    order.closed = True
    order.closed_at = now
    order.updated_at = now
    order.staff_note = job.staff_note
    return movements


def _movement(order: StoredOrder, job: CancelJob, kind: str, amount: Any, now: datetime) -> MoneyMovement:
    return MoneyMovement(
        order_id=order.gid,
        kind=kind,
        amount=str(amount),
        currency=order.currency,
        job_id=job.id,
        performed_at=iso(now) or "",
    )


def request_cancel(store: OrderStore, arguments: dict[str, Any], received: dict[str, Any]) -> dict[str, Any]:
    """Run one orderCancel: refuse it or start its job, record the call either way, return the payload."""
    with store.lock:
        errors = argument_errors(arguments, store.now())
        order = None
        if not errors:
            number = find_order_number(arguments["orderId"])
            order = store.get(number) if number is not None else None
            errors = order_errors(order)
        kind = refund_kind(arguments)
        job = store.start_cancel_job(order, arguments, kind) if not errors and order is not None else None
        if job is not None and store.cancel_job_inline:
            store.complete_due_jobs()  # a job due at once has run before the reply
        store.record_cancel_call(
            order_id=arguments["orderId"],
            arguments=received,
            accepted=job is not None,
            user_errors=errors,
            job_id=job.id if job else None,
            notify_customer=bool(arguments.get("notifyCustomer")),
            restock=bool(arguments["restock"]),
            staff_note=arguments.get("staffNote"),
            refund_requested=kind is not None,
        )
    return {
        "job": {"id": job.id, "done": job.done, "query": {} if job.done else None} if job else None,
        "jobResult": job_result(job, order) if job and order else None,  # only in 2026-10's schema
        "orderCancelUserErrors": errors,
        "userErrors": [{"field": error["field"], "message": error["message"]} for error in errors],
    }
