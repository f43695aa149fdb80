"""What in a Shopify order's state stops a cancel: the one rule, for the decision and for the next step.

Shopify (OrderDisplayFulfillmentStatus, 2026-01 schema): an order can be cancelled when it has "no
outstanding fulfillments that can't be cancelled"; once a fulfillment service accepted a request, only a
cancellation request to that service can stop it. A return in progress is the merchant's to settle.
decide.py turns a hold into the decision `cannot_cancel` and its reason; labels.py into a person's next step.
"""

from __future__ import annotations

from enum import StrEnum


class Hold(StrEnum):
    """Why Shopify's order cannot be cancelled by the sync."""

    FULFILLMENT_SERVICE = "fulfillment_service"  # a service has the request (IN_PROGRESS, PENDING_FULFILLMENT)
    REQUEST_DECLINED = "request_declined"  # the service declined some items and may still hold others
    SHIPPED = "shipped"  # some or all items were shipped
    RETURN = "return"  # a return is open or done
    UNKNOWN_STATUS = "unknown_status"  # a fulfillment status this version does not know


CANCELLABLE_FULFILLMENT = frozenset({"UNFULFILLED", "OPEN", "RESTOCKED", "ON_HOLD", "SCHEDULED"})
FULFILLMENT_HOLDS = {
    "IN_PROGRESS": Hold.FULFILLMENT_SERVICE,
    "PENDING_FULFILLMENT": Hold.FULFILLMENT_SERVICE,
    "REQUEST_DECLINED": Hold.REQUEST_DECLINED,
    "PARTIALLY_FULFILLED": Hold.SHIPPED,
    "FULFILLED": Hold.SHIPPED,
}
NO_RETURN = "NO_RETURN"


def hold_of(fulfillment_status: str | None, return_status: str | None) -> Hold | None:
    """What stops the cancel of an open order in this state; None: nothing does."""
    if fulfillment_status not in CANCELLABLE_FULFILLMENT:
        return FULFILLMENT_HOLDS.get(fulfillment_status or "", Hold.UNKNOWN_STATUS)
    if (return_status or NO_RETURN) != NO_RETURN:
        return Hold.RETURN
    return None
