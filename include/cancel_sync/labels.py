"""Plain words for the codes, and what a person does next: defined once for the report, the pages and alerts.

The codes (`to_cancel`, `linked_to_open_order`, ...) stay what the CSV, the JSON and the ledger hold; people
read these labels beside them. Every outcome that needs a person has a next step; a Shopify order the sync
cannot cancel has one per hold (shopify/fulfillment.py), because the step depends on what holds it.
"""

from __future__ import annotations

from include.cancel_sync.constants import CANCEL_TASK_ID, LINK_FIELD_VARIABLE, STORES_VARIABLE
from include.cancel_sync.records import Decision, Outcome
from include.cancel_sync.shopify.fulfillment import Hold, hold_of

DECISION_LABELS: dict[Decision, str] = {
    Decision.TO_CANCEL: "Cancel in Shopify",
    Decision.ALREADY_CANCELLED: "Already cancelled in Shopify",
    Decision.CANNOT_CANCEL: "Shopify cannot cancel it",
    Decision.NOT_FOUND: "No such order in Shopify",
    Decision.INVALID_LINK: "No usable Shopify link",
    Decision.LINKED_TO_OPEN_ORDER: "Another NetSuite order still holds it",
    Decision.BILLED_IN_NETSUITE: "Billed in NetSuite: not a cancellation",
    Decision.NO_STORE: "Not an order of any store",
    Decision.SEVERAL_STORES: "Claimed by several stores",
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.CANCELLED: "Cancelled",
    Outcome.CANCELLED_WITH_OTHER: "Cancelled with another NetSuite order",
    Outcome.WOULD_CANCEL: "Would cancel (not sent)",
    Outcome.IN_OTHER_RUN: "Being cancelled by another run",
    Outcome.FAILED: "Failed",
    Outcome.ALREADY_CANCELLED: "Already cancelled",
    Outcome.CANNOT_CANCEL: "Cannot cancel",
    Outcome.NOT_FOUND: "Not found in Shopify",
    Outcome.INVALID_LINK: "Invalid link",
    Outcome.LINKED_TO_OPEN_ORDER: "Another NetSuite order holds it",
    Outcome.BILLED_IN_NETSUITE: "Billed in NetSuite",
    Outcome.NO_STORE: "No store (left alone)",
    Outcome.SEVERAL_STORES: "Several stores claim it",
    # Only while a cancel is in flight (ledger rows of a try that has not finished, or died):
    Outcome.TO_CANCEL: "Cancel about to be sent",
    Outcome.ACCEPTED: "Cancel accepted, not yet confirmed",
    Outcome.NOT_APPLIED: "Cancel not applied (a later try found the order open)",
}
OPEN_INTENT_LABEL = "Cancel in flight"  # a ledger row whose outcome is still empty

# Report buckets beyond the outcomes: a cancel, split by whether money went back.
CANCELLED_WITH_REFUND_LABEL = "Cancelled with refund"
CANCELLED_WITHOUT_REFUND_LABEL = "Cancelled without refund"
OTHER_LABEL = "Other"

_RESYNC = "then re-sync it: trigger the DAG with netsuite_order_ids set to its internal id"
NEXT_STEPS: dict[Outcome, str] = {
    Outcome.SEVERAL_STORES: (
        f"Two stores in {STORES_VARIABLE} claim this NetSuite order (the reason names them): make their "
        f"'netsuite' selectors exclusive, {_RESYNC}."
    ),
    Outcome.INVALID_LINK: (
        f"Put the Shopify order's id in the NetSuite order's link field (Variable {LINK_FIELD_VARIABLE} names it) "
        "and save: the next run sees the order again. If the order never came from Shopify, nothing to do."
    ),
    Outcome.LINKED_TO_OPEN_ORDER: (
        "Another NetSuite order (named in the reason) still links this Shopify order. If that order should "
        "not be fulfilled either, cancel it in NetSuite: the next run cancels the Shopify order. Otherwise "
        "leave the Shopify order open."
    ),
    Outcome.BILLED_IN_NETSUITE: (
        "NetSuite billed this order, so the sync does not treat it as canceled. Settle it in NetSuite "
        "(credit memo or refund) and, if the customer should not get the goods, cancel it in Shopify by hand."
    ),
    Outcome.NOT_FOUND: (
        "Shopify has no order with this id: check the NetSuite order's link field (another store's order, "
        f"a typo, or an order deleted in Shopify). Correct the link, {_RESYNC}."
    ),
    Outcome.CANNOT_CANCEL: (
        "Open the order in Shopify: the reason says what stops the cancel (a fulfillment service, shipped "
        "items or a return). Settle that there, or cancel it by hand."
    ),
    Outcome.FAILED: (
        f"Nothing at once: the task's retry re-checks the order in Shopify before acting. If the run ends "
        f"failed, fix what the reason names and clear the failed {CANCEL_TASK_ID} task in Airflow to retry it."
    ),
}
HOLD_NEXT_STEPS: dict[Hold, str] = {
    Hold.FULFILLMENT_SERVICE: (
        "A fulfillment service has the order: in Shopify, request cancellation of its fulfillment from the "
        f"service. Once the service accepts, {_RESYNC}."
    ),
    Hold.REQUEST_DECLINED: (
        "The fulfillment service declined some items and may still hold others: check the order's fulfillments "
        f"in Shopify and cancel what the service still holds, {_RESYNC}."
    ),
    Hold.SHIPPED: (
        "Items were shipped, so it cannot be cancelled: handle it as a return and refund in Shopify if the "
        "customer should get money back."
    ),
    Hold.RETURN: (
        "A return is open or done on the order: finish the return in Shopify, then decide by hand whether "
        "the order should still be cancelled."
    ),
    Hold.UNKNOWN_STATUS: (
        "Shopify shows a fulfillment status this version does not know: look at the order in Shopify and "
        "cancel it by hand if nothing has left."
    ),
}
STOPPED_RUN_NEXT_STEP = (
    "Nothing was compared or cancelled. Fix what the reason names (a Variable on Admin → Variables, a "
    "connection on Admin → Connections); the next run goes on from there, and a backfill or a manual run "
    "with window_start / window_end covers the time missed."
)
REPEAT_FAILURE_NEXT_STEP = (
    "An order that fails run after run will not clear itself: open it in Shopify and NetSuite, fix what the "
    "last reason names, or cancel it by hand."
)


def decision_label(code: str | None) -> str:
    """A decision's words; an unknown code is shown as it is."""
    return DECISION_LABELS.get(code, code or "")


def outcome_label(code: str | None) -> str:
    """An outcome's words; None is a ledger intent still open; an unknown code is shown as it is."""
    if code is None:
        return OPEN_INTENT_LABEL
    return OUTCOME_LABELS.get(code, code)


def hold_of_order(outcome: str | None, fulfillment_status: str | None, return_status: str | None) -> Hold | None:
    """What holds an order the sync could not cancel, when its Shopify state is known (report rows have it,
    ledger rows do not)."""
    if outcome != Outcome.CANNOT_CANCEL or not (fulfillment_status or return_status):
        return None
    return hold_of(fulfillment_status, return_status)


def next_step(outcome: str | None, hold: str | None = None) -> str:
    """What a person does about an order with this outcome ("" when nothing): for a Shopify order the sync
    cannot cancel, the step for what holds it when that is known, else the general one."""
    if outcome == Outcome.CANNOT_CANCEL and hold in HOLD_NEXT_STEPS:
        return HOLD_NEXT_STEPS[Hold(hold)]
    return NEXT_STEPS.get(outcome, "")
