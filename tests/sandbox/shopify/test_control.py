"""Control endpoints and the Python-side API that end-to-end tests steer the sandbox with."""

from __future__ import annotations

import pytest

STATUS = (
    "query($id: ID!) { order(id: $id) { displayFinancialStatus displayFulfillmentStatus returnStatus tags updatedAt } }"
)


def test_an_order_snapshot(shopify):
    snapshot = shopify.control("GET", "orders/3").json()
    assert snapshot["gid"] == "gid://shopify/Order/3"
    assert (snapshot["financial_status"], snapshot["amount_received"], snapshot["amount_refunded"]) == (
        "PAID",
        "40.00",
        "0.00",
    )
    assert (snapshot["deleted"], snapshot["cancel_job_id"]) == (False, None)
    assert shopify.control("GET", "orders/999").status_code == 404


def test_changing_an_order_shows_in_graphql_and_bumps_updated_at(shopify):
    before = shopify.data(STATUS, {"id": "gid://shopify/Order/3"})["order"]["updatedAt"]
    response = shopify.control(
        "POST", "orders/3", {"fulfillment_status": "FULFILLED", "return_status": "IN_PROGRESS", "tags": ["x"]}
    )
    assert response.status_code == 200
    order = shopify.data(STATUS, {"id": "gid://shopify/Order/3"})["order"]
    assert (order["displayFulfillmentStatus"], order["returnStatus"], order["tags"]) == (
        "FULFILLED",
        "IN_PROGRESS",
        ["x"],
    )
    assert order["updatedAt"] > before


def test_updated_at_can_be_pinned(shopify):
    shopify.control("POST", "orders/3", {"test": True, "updated_at": "2026-01-12T08:00:00Z"})
    assert shopify.data(STATUS, {"id": "gid://shopify/Order/3"})["order"]["updatedAt"] == "2026-01-12T08:00:00Z"


def test_a_new_financial_status_brings_matching_amounts_unless_given(shopify):
    snapshot = shopify.control("POST", "orders/3", {"financial_status": "PARTIALLY_REFUNDED"}).json()
    assert (snapshot["amount_received"], snapshot["amount_refunded"]) == ("40.00", "20.00")
    snapshot = shopify.control(
        "POST", "orders/4", {"financial_status": "PARTIALLY_PAID", "amount_received": "10"}
    ).json()
    assert snapshot["amount_received"] == "10.00"


@pytest.mark.parametrize(
    "change",
    [
        {"financial_status": "paid"},
        {"fulfillment_status": "SHIPPED"},
        {"deleted": "yes"},
        {"colour": "red"},
        {"tags": "a,b"},
    ],
)
def test_nonsense_changes_are_refused(shopify, change):
    response = shopify.control("POST", "orders/3", change)
    assert response.status_code == 400
    assert shopify.control("GET", "orders/3").json()["financial_status"] == "PAID"


def test_orders_can_be_loaded_over_http(shopify):
    orders = [
        {
            "id": 500,
            "name": "#1500",
            "created_at": "2026-01-12T10:00:00Z",
            "updated_at": "2026-01-12T10:00:00Z",
            "total": "9.99",
        },
        {
            "id": 501,
            "name": "#1501",
            "created_at": "2026-01-12T10:00:00",
            "updated_at": "2026-01-12T10:00:00",
            "tags": ["t"],
        },
    ]
    assert shopify.control("POST", "orders", {"orders": orders}).json() == {"loaded": 2}
    assert shopify.data('{ order(id: "gid://shopify/Order/501") { name tags } }')["order"] == {
        "name": "#1501",
        "tags": ["t"],
    }
    assert shopify.control("POST", "orders", {"orders": [{"id": 1, "bogus": True}]}).status_code == 400


def test_stats_over_http_and_in_python(make_shopify, make_order, manual_clock):
    # The bucket's clock stands still: the level read back is the one the query left, however slow the machine.
    shopify = make_shopify([make_order(1)], clock=manual_clock)
    shopify.data('{ order(id: "gid://shopify/Order/1") { id } }')
    shopify.graphql("{ nope }")
    stats = shopify.control("GET", "stats").json()
    assert (stats["requests"], stats["executed"], stats["invalid_documents"], stats["points_spent"]) == (2, 1, 1, 1)
    assert stats["operations"] == {"query": 1} and stats["root_fields"] == {"order": 1}
    assert stats["throttle_status"]["currentlyAvailable"] == 1999 and stats["restore_lost"] == 0
    manual_clock.advance(10.0)  # 1 point to restore, 999 restored into a full bucket
    assert shopify.control("GET", "stats").json()["restore_lost"] == 999
    assert shopify.app.stats["requests"] == 2 and shopify.app.stats.to_dict()["internal_errors"] == 0


def test_the_sandbox_never_changes_the_records_it_was_loaded_with(make_shopify, make_order):
    record = make_order(1)
    sandbox = make_shopify([record])
    sandbox.data(
        'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true, '
        "refundMethod: {originalPaymentMethodsRefund: true}) { job { id } } }"
    )
    sandbox.data('{ order(id: "gid://shopify/Order/1") { cancelledAt } }')
    assert record.cancelled_at is None and record.financial_status == "PAID"
    assert sandbox.app.store.get(1).financial_status == "REFUNDED"
