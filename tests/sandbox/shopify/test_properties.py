"""Property tests: paging never loses or repeats an order; money never moves beyond what was paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.model import ShopifyOrder
from sandbox.shopify.cancellation import settle
from sandbox.shopify.paging import paginate
from sandbox.shopify.search import compile_search
from sandbox.shopify.store import CancelJob, StoredOrder

START = datetime(2026, 1, 1, tzinfo=UTC)
FINANCIAL_STATUSES = [
    "AUTHORIZED",
    "EXPIRED",
    "PAID",
    "PARTIALLY_PAID",
    "PARTIALLY_REFUNDED",
    "PENDING",
    "REFUNDED",
    "VOIDED",
]
SORT_KEYS = ["ID", "CREATED_AT", "UPDATED_AT", "TOTAL_PRICE", "FINANCIAL_STATUS", "RELEVANCE"]


def stored(order_id: int, minutes: int = 0, status: str = "PAID", total: str = "30.00") -> StoredOrder:
    moment = START + timedelta(minutes=minutes)
    return StoredOrder.from_record(
        ShopifyOrder(order_id, f"#{order_id}", moment, moment, financial_status=status, total=total)
    )


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 5), min_size=0, max_size=40),  # many ties: the id must break them
    page_size=st.integers(1, 12),
    sort_key=st.sampled_from(SORT_KEYS),
    reverse=st.booleans(),
    threshold=st.integers(0, 40),
)
def test_paging_forward_and_backward_sees_every_match_once(minutes, page_size, sort_key, reverse, threshold):
    orders = [stored(order_id, minute) for order_id, minute in enumerate(minutes, start=1)]
    matches = [order for order in orders if compile_search(f"id:>={threshold}").predicate(order)]
    everything = paginate(matches, sort_key, reverse, len(matches), None, None, None).orders

    forward, after = [], None
    while True:
        page = paginate(matches, sort_key, reverse, page_size, after, None, None)
        forward += page.orders
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    backward, before = [], None
    while True:
        page = paginate(matches, sort_key, reverse, None, None, page_size, before)
        backward = page.orders + backward
        if not page.has_previous_page:
            break
        before = page.cursors[0]
    assert [order.id for order in forward] == [order.id for order in everything] == [order.id for order in backward]
    assert sorted(order.id for order in forward) == sorted(order.id for order in matches)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from(FINANCIAL_STATUSES),
    refund_kind=st.sampled_from([None, "refund", "store_credit"]),
    cents=st.integers(1, 100_000),
)
def test_a_cancel_never_moves_more_money_than_was_taken(status, refund_kind, cents):
    order = stored(1, status=status, total=f"{cents / 100:.2f}")
    received, refunded, authorized = order.received, order.refunded, order.authorized
    job = CancelJob("gid://shopify/Job/x", 1, 0.0, "OTHER", True, False, None, refund_kind)
    movements = settle(order, job, START)

    refunds = sum((Decimal(m.amount) for m in movements if m.kind in ("refund", "store_credit")), Decimal(0))
    voids = sum((Decimal(m.amount) for m in movements if m.kind == "void"), Decimal(0))
    assert refunds <= received - refunded
    assert order.refunded <= order.received
    if refund_kind is None or status == "AUTHORIZED":
        assert refunds == 0
    assert voids == (authorized if status == "AUTHORIZED" else 0)
    assert all(m.kind in ("refund", "store_credit", "void") and Decimal(m.amount) > 0 for m in movements)
    assert order.cancelled_at == START and order.closed


@pytest.fixture
def roomy_shopify(make_shopify, make_order):
    """Ten orders and a Plus-sized bucket, so no example is ever throttled."""
    return make_shopify([make_order(order_id) for order_id in range(1, 11)], preset="plus")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.integers(1, 20), max_size=30))
def test_actual_cost_never_exceeds_requested(roomy_shopify, ids):
    shopify = roomy_shopify
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id cancellation { staffNote } totalPriceSet { shopMoney { amount } } } } }"
    cost = shopify.graphql(query, {"ids": [f"gid://shopify/Order/{n}" for n in ids]})["extensions"]["cost"]
    found = sum(1 for n in ids if n <= 10)
    assert cost["requestedQueryCost"] == 4 * len(ids)
    assert cost["actualQueryCost"] == 3 * found  # cancellation is null on these orders: free
