"""orderCancel: what Shopify refuses, what completing a cancel does to the order and the money.

Refunds and voids are checked against the sandbox's own record (`app.store.refunds`), the thing a
merchant would see in their payouts, not just against what the reply claims.
"""

from __future__ import annotations

import threading

import pytest

CANCEL = """
mutation CancelOrder($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, $notifyCustomer: Boolean,
                     $refundMethod: OrderCancelRefundMethodInput, $refund: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: $restock, notifyCustomer: $notifyCustomer,
              refundMethod: $refundMethod, refund: $refund, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
    userErrors { field message }
  }
}
"""
ORDER_STATE = """
query($id: ID!) {
  order(id: $id) {
    cancelledAt cancelReason closed closedAt displayFinancialStatus
    totalRefundedSet { shopMoney { amount currencyCode } }
    cancellation { staffNote }
  }
}
"""
JOB = "query($id: ID!) { job(id: $id) { id done } }"
REFUND = {"originalPaymentMethodsRefund": True}
NO_REFUND = {"originalPaymentMethodsRefund": False}


def cancel(sandbox, order_id: int, **arguments):
    variables = {"orderId": f"gid://shopify/Order/{order_id}", "reason": "CUSTOMER", "restock": True, **arguments}
    return sandbox.data(CANCEL, variables)["orderCancel"]


def order_state(sandbox, order_id: int) -> dict:
    return sandbox.data(ORDER_STATE, {"id": f"gid://shopify/Order/{order_id}"})["order"]


def refused(payload: dict, code: str, field: list[str] | None = None) -> bool:
    errors = payload["orderCancelUserErrors"]
    return (
        payload["job"] is None
        and len(errors) == 1
        and errors[0]["code"] == code
        and (field is None or errors[0]["field"] == field)
    )


# -- accepted cancels ---------------------------------------------------------------------------


def test_a_paid_order_cancelled_with_refund_is_refunded_in_full(shopify):
    payload = cancel(shopify, 1, refundMethod=REFUND, staffNote="NetSuite SO1 cancelled")
    assert payload["orderCancelUserErrors"] == [] and payload["userErrors"] == []
    assert payload["job"]["done"] is False
    assert payload["job"]["id"].startswith("gid://shopify/Job/")

    assert shopify.data(JOB, {"id": payload["job"]["id"]})["job"] == {"id": payload["job"]["id"], "done": True}
    state = order_state(shopify, 1)
    assert state["cancelledAt"] is not None and state["closedAt"] == state["cancelledAt"]
    assert (state["cancelReason"], state["closed"], state["displayFinancialStatus"]) == ("CUSTOMER", True, "REFUNDED")
    assert state["totalRefundedSet"]["shopMoney"] == {"amount": "40.0", "currencyCode": "USD"}
    assert state["cancellation"] == {"staffNote": "NetSuite SO1 cancelled"}

    [refund] = shopify.app.store.refunds
    assert (refund.order_id, refund.kind, refund.amount, refund.currency) == (
        "gid://shopify/Order/1",
        "refund",
        "40.00",
        "USD",
    )
    assert refund.job_id == payload["job"]["id"]


def test_cancelling_without_refund_moves_no_money(shopify):
    payload = cancel(shopify, 2, refundMethod=NO_REFUND)
    assert payload["orderCancelUserErrors"] == []
    state = order_state(shopify, 2)
    assert state["cancelledAt"] is not None
    assert state["displayFinancialStatus"] == "PAID"
    assert state["totalRefundedSet"]["shopMoney"]["amount"] == "0.0"
    assert shopify.app.store.refunds == []
    assert shopify.app.store.cancel_calls[0].refund_requested is False


@pytest.mark.parametrize(("legacy_refund", "refunds"), [(True, 1), (False, 0)])
def test_the_deprecated_refund_flag_is_still_honoured(shopify, legacy_refund, refunds):
    assert cancel(shopify, 3, refund=legacy_refund)["orderCancelUserErrors"] == []
    assert order_state(shopify, 3)["cancelledAt"] is not None
    assert len(shopify.app.store.refunds) == refunds


def test_refunding_to_store_credit_is_recorded_as_such(shopify):
    payload = cancel(shopify, 4, refundMethod={"storeCreditRefund": {"expiresAt": "2099-01-01T00:00:00Z"}})
    assert payload["orderCancelUserErrors"] == []
    order_state(shopify, 4)
    assert [(movement.kind, movement.amount) for movement in shopify.app.store.refunds] == [("store_credit", "40.00")]


@pytest.mark.parametrize("refund_method", [REFUND, NO_REFUND])
def test_an_authorized_payment_is_voided_whatever_refund_is_asked(make_shopify, make_order, refund_method):
    sandbox = make_shopify([make_order(1, financial_status="AUTHORIZED")])
    cancel(sandbox, 1, refundMethod=refund_method)
    assert order_state(sandbox, 1)["displayFinancialStatus"] == "VOIDED"
    assert [(m.kind, m.amount) for m in sandbox.app.store.refunds] == [("void", "40.00")]


def test_a_pending_payment_becomes_voided_without_moving_money(make_shopify, make_order):
    sandbox = make_shopify([make_order(1, financial_status="PENDING")])
    cancel(sandbox, 1, refundMethod=REFUND)
    assert order_state(sandbox, 1)["displayFinancialStatus"] == "VOIDED"
    assert sandbox.app.store.refunds == []


@pytest.mark.parametrize(("status", "refunded"), [("PARTIALLY_REFUNDED", "20.00"), ("PARTIALLY_PAID", "20.00")])
def test_a_partly_settled_order_refunds_what_remains(make_shopify, make_order, status, refunded):
    sandbox = make_shopify([make_order(1, financial_status=status)])
    cancel(sandbox, 1, refundMethod=REFUND)
    assert order_state(sandbox, 1)["displayFinancialStatus"] == "REFUNDED"
    assert [movement.amount for movement in sandbox.app.store.refunds] == [refunded]


@pytest.mark.parametrize("status", ["REFUNDED", "VOIDED", "EXPIRED"])
def test_nothing_left_to_move_means_no_movement(make_shopify, make_order, status):
    sandbox = make_shopify([make_order(1, financial_status=status)])
    assert cancel(sandbox, 1, refundMethod=REFUND)["orderCancelUserErrors"] == []
    assert order_state(sandbox, 1)["displayFinancialStatus"] == status
    assert sandbox.app.store.refunds == []


@pytest.mark.parametrize("return_status", ["NO_RETURN", "RETURNED", "INSPECTION_COMPLETE", "RETURN_FAILED"])
def test_orders_without_an_active_return_can_be_cancelled(make_shopify, make_order, return_status):
    sandbox = make_shopify([make_order(1, return_status=return_status)])
    assert cancel(sandbox, 1, refundMethod=NO_REFUND)["job"] is not None


# -- refusals -----------------------------------------------------------------------------------


def test_a_staff_note_longer_than_255_characters_is_invalid(shopify):
    assert refused(cancel(shopify, 1, refundMethod=REFUND, staffNote="x" * 256), "INVALID", ["staffNote"])
    assert cancel(shopify, 1, refundMethod=REFUND, staffNote="x" * 255)["job"] is not None


def test_refund_and_refund_method_together_are_refused(shopify):
    assert refused(cancel(shopify, 1, refund=True, refundMethod=REFUND), "INVALID")
    assert order_state(shopify, 1)["cancelledAt"] is None


def test_a_cancel_that_states_no_refund_choice_is_refused(shopify):
    assert refused(cancel(shopify, 1), "INVALID", ["refundMethod"])


def test_a_store_credit_expiring_in_the_past_is_refused(shopify):
    payload = cancel(shopify, 1, refundMethod={"storeCreditRefund": {"expiresAt": "2001-01-01T00:00:00Z"}})
    assert refused(payload, "STORE_CREDIT_REFUND_EXPIRATION_IN_PAST")


@pytest.mark.parametrize("order_id", ["gid://shopify/Order/999", "gid://shopify/Product/1", "gid://shopify/Order/abc"])
def test_an_unknown_order_is_not_found(shopify, order_id):
    payload = shopify.data(CANCEL, {"orderId": order_id, "reason": "OTHER", "restock": False, "refundMethod": REFUND})
    assert refused(payload["orderCancel"], "NOT_FOUND", ["orderId"])


def test_a_deleted_order_is_not_found(shopify):
    shopify.control("POST", "orders/5", {"deleted": True})
    assert refused(cancel(shopify, 5, refundMethod=REFUND), "NOT_FOUND")


@pytest.mark.parametrize(
    "state",
    [
        {"cancelled_at": "2026-01-11T00:00:00Z", "cancel_reason": "OTHER"},
        {"fulfillment_status": "FULFILLED"},
        {"fulfillment_status": "PARTIALLY_FULFILLED"},
        {"return_status": "IN_PROGRESS"},
        {"return_status": "RETURN_REQUESTED"},
        {"has_pending_authorization": True},
    ],
)
def test_orders_shopify_cannot_cancel_are_refused_as_invalid(shopify, state):
    shopify.control("POST", "orders/6", state)
    payload = cancel(shopify, 6, refundMethod=REFUND)
    assert refused(payload, "INVALID", ["orderId"])
    assert payload["userErrors"] == [{"field": ["orderId"], "message": payload["orderCancelUserErrors"][0]["message"]}]
    assert shopify.app.store.refunds == []
    assert shopify.app.store.cancel_calls[-1].accepted is False


# -- the asynchronous job and repeated cancels --------------------------------------------------


def test_a_second_cancel_while_the_job_is_pending_is_refused_and_recorded(make_shopify, make_order, manual_clock):
    sandbox = make_shopify([make_order(1)], cancel_job_delay=5.0, clock=manual_clock)
    first = cancel(sandbox, 1, refundMethod=REFUND)
    job_id = first["job"]["id"]

    second = cancel(sandbox, 1, refundMethod=REFUND)
    assert refused(second, "INVALID")
    assert "being cancelled" in second["orderCancelUserErrors"][0]["message"]
    assert sandbox.data(JOB, {"id": job_id})["job"]["done"] is False
    assert order_state(sandbox, 1)["cancelledAt"] is None
    assert sandbox.app.store.refunds == []

    manual_clock.advance(5.0)
    assert sandbox.data(JOB, {"id": job_id})["job"]["done"] is True
    third = cancel(sandbox, 1, refundMethod=REFUND)
    assert refused(third, "INVALID")
    assert "already been cancelled" in third["orderCancelUserErrors"][0]["message"]

    calls = sandbox.app.store.cancel_calls
    assert [(call.sequence, call.accepted) for call in calls] == [(1, True), (2, False), (3, False)]
    assert [call.job_id for call in calls] == [job_id, None, None]
    assert len(sandbox.app.store.refunds) == 1


def test_simultaneous_cancels_of_one_order_accept_exactly_one(make_shopify, make_order):
    sandbox = make_shopify([make_order(1)], cancel_job_delay=60.0)
    payloads: list[dict] = []
    start = threading.Barrier(8)

    def race() -> None:
        start.wait()
        payloads.append(cancel(sandbox, 1, refundMethod=REFUND))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(payload["job"] is not None for payload in payloads) == 1
    assert len(sandbox.app.store.cancel_calls) == 8


def test_an_unknown_job_is_null(shopify):
    assert shopify.data(JOB, {"id": "gid://shopify/Job/00000000-0000-0000-0000-000000000000"})["job"] is None


# -- the record ---------------------------------------------------------------------------------


def test_every_argument_is_recorded_as_received(shopify):
    cancel(shopify, 7, reason="INVENTORY", restock=False, notifyCustomer=True, refundMethod=NO_REFUND, staffNote="n")
    [call] = shopify.app.store.cancel_calls
    assert call.order_id == "gid://shopify/Order/7"
    assert call.arguments == {
        "orderId": "gid://shopify/Order/7",
        "reason": "INVENTORY",
        "restock": False,
        "notifyCustomer": True,
        "refundMethod": NO_REFUND,
        "staffNote": "n",
    }  # $refund was declared but not sent, so the argument was not received
    assert (call.notify_customer, call.restock, call.staff_note, call.refund_requested) == (True, False, "n", False)
    assert call.accepted and call.user_errors == [] and call.received_at.endswith("Z")


def test_omitted_arguments_are_not_recorded_and_take_shopifys_defaults(shopify):
    mutation = (
        'mutation { orderCancel(orderId: "gid://shopify/Order/8", reason: STAFF, restock: true, '
        "refundMethod: {originalPaymentMethodsRefund: false}) { job { id } } }"
    )
    shopify.data(mutation)
    [call] = shopify.app.store.cancel_calls
    assert set(call.arguments) == {"orderId", "reason", "restock", "refundMethod"}
    assert call.notify_customer is False and call.staff_note is None


def test_the_record_is_served_by_the_control_endpoints(shopify):
    cancel(shopify, 9, refundMethod=REFUND, notifyCustomer=True)
    cancels = shopify.control("GET", "cancels").json()["cancels"]
    refunds = shopify.control("GET", "refunds").json()["refunds"]
    assert [(c["order_id"], c["accepted"], c["notify_customer"], c["restock"]) for c in cancels] == [
        ("gid://shopify/Order/9", True, True, True)
    ]
    assert [(r["order_id"], r["kind"], r["amount"]) for r in refunds] == [("gid://shopify/Order/9", "refund", "40.00")]


def test_an_invalid_reason_never_reaches_order_cancel(shopify):
    body = shopify.graphql(CANCEL, {"orderId": "gid://shopify/Order/1", "reason": "BORED", "restock": True})
    assert body["errors"][0]["message"] == "Variable $reason of type OrderCancelReason! was provided invalid value"
    assert shopify.app.store.cancel_calls == []
