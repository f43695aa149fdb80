"""Calculated query cost, the per-token leaky bucket, THROTTLED and MAX_COST_EXCEEDED replies."""

from __future__ import annotations

import time

import pytest

from sandbox.shopify.throttle import LeakyBucket, preset_limits

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id name } } }"


def gids(*numbers: int) -> list[str]:
    return [f"gid://shopify/Order/{number}" for number in numbers]


def cost_of(sandbox, query: str, variables: dict | None = None) -> tuple[int, int]:
    cost = sandbox.graphql(query, variables)["extensions"]["cost"]
    return cost["requestedQueryCost"], cost["actualQueryCost"]


# -- cost ---------------------------------------------------------------------------------------


def test_every_reply_reports_cost_and_throttle_status(shopify):
    cost = shopify.graphql('{ order(id: "gid://shopify/Order/1") { id } }')["extensions"]["cost"]
    assert cost == {
        "requestedQueryCost": 1,
        "actualQueryCost": 1,
        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1999, "restoreRate": 100.0},
    }


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ('{ order(id: "gid://shopify/Order/1") { id name } }', None, (1, 1)),
        ('{ order(id: "gid://shopify/Order/99") { id name } }', None, (1, 0)),
        (NODES, {"ids": gids(1, 2, 99)}, (3, 2)),
        # an object inside each node doubles the price; null objects cost nothing
        (
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id cancellation { staffNote } } } }",
            {"ids": gids(1, 2)},
            (4, 2),
        ),
        (
            '{ order(id: "gid://shopify/Order/1") { totalPriceSet { shopMoney { amount } presentmentMoney { amount } } } }',
            None,
            (4, 4),
        ),
        ('{ a: order(id: "gid://shopify/Order/1") { id } b: order(id: "gid://shopify/Order/2") { id } }', None, (2, 2)),
        ('{ order(id: "gid://shopify/Order/1") { ...F ...F } } fragment F on Order { id name }', None, (1, 1)),
        ('{ order(id: "gid://shopify/Order/1") { __typename id } }', None, (1, 1)),
        # connections: 2 + first × per-node cost, actual counts the nodes returned
        (
            '{ orders(first: 5, query: "id:<=3") { edges { cursor node { id } } pageInfo { hasNextPage } } }',
            None,
            (7, 5),
        ),
        (
            '{ orders(first: 5, query: "id:<=3") { nodes { id totalPriceSet { shopMoney { amount } } } } }',
            None,
            (17, 11),
        ),
        ("{ orders(last: 4) { nodes { id } } }", None, (6, 6)),
        (
            'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true, '
            "refundMethod: {originalPaymentMethodsRefund: false}) { job { id } orderCancelUserErrors { code } } }",
            None,
            (10, 10),
        ),
    ],
)
def test_requested_and_actual_cost(shopify, query, variables, expected):
    assert cost_of(shopify, query, variables) == expected


def test_skipped_fields_cost_nothing(shopify):
    query = 'query($skip: Boolean!) { order(id: "gid://shopify/Order/1") { id totalPriceSet @skip(if: $skip) { shopMoney { amount } } } }'
    assert cost_of(shopify, query, {"skip": True}) == (1, 1)
    assert cost_of(shopify, query, {"skip": False}) == (3, 3)


def test_the_unused_part_of_a_reservation_is_given_back(shopify):
    body = shopify.graphql(NODES, {"ids": gids(*range(100, 150))})  # 50 unknown ids: 50 reserved, 0 spent
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000
    assert shopify.app.stats["points_spent"] == 0 and shopify.app.stats["points_requested"] == 50


def test_a_query_over_1000_points_is_refused_whole(shopify):
    query = "{ orders(first: 250) { nodes { id totalPriceSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } } } } }"
    body = shopify.graphql(query)
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"].startswith("Query cost is 1252, which exceeds the single query max cost limit (1000).")
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert (error["extensions"]["cost"], error["extensions"]["maxCost"]) == (1252, 1000)
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1252
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000
    assert shopify.app.stats["max_cost_exceeded"] == 1


def test_invalid_documents_cost_nothing(shopify):
    body = shopify.graphql('{ order(id: "gid://shopify/Order/1") { nope } }')
    assert body["extensions"]["cost"]["requestedQueryCost"] == 0
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000


# -- throttling ---------------------------------------------------------------------------------


def test_a_burst_is_refused_exactly_when_the_bucket_runs_dry(make_shopify, make_order, manual_clock):
    sandbox = make_shopify([make_order(n) for n in (1, 2, 3)], bucket_size=10, restore_rate=1, clock=manual_clock)
    levels = [
        sandbox.graphql(NODES, {"ids": gids(1, 2, 3)})["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
        for _ in range(3)
    ]
    assert levels == [7, 4, 1]

    throttled = sandbox.graphql(NODES, {"ids": gids(1, 2, 3)})
    assert throttled == {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": 3,
                "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 10.0, "currentlyAvailable": 1, "restoreRate": 1.0},
            }
        },
    }
    cost = throttled["extensions"]["cost"]
    wait = (cost["requestedQueryCost"] - cost["throttleStatus"]["currentlyAvailable"]) / cost["throttleStatus"][
        "restoreRate"
    ]
    manual_clock.advance(wait - 0.01)
    assert "errors" in sandbox.graphql(NODES, {"ids": gids(1, 2, 3)})
    manual_clock.advance(0.01)
    assert sandbox.graphql(NODES, {"ids": gids(1, 2, 3)})["data"]["nodes"][0]["id"] == "gid://shopify/Order/1"
    assert (sandbox.app.stats["throttled"], sandbox.app.stats["executed"]) == (2, 4)


def test_waiting_the_implied_time_in_real_time_succeeds(make_shopify, make_order):
    # 10 points a query: the third is throttled if it comes within 2 s of the first (50/s left 0.2 s: one stall).
    sandbox = make_shopify([make_order(n) for n in range(1, 11)], bucket_size=20, restore_rate=5)
    ten = gids(*range(1, 11))
    assert "data" in sandbox.graphql(NODES, {"ids": ten})
    assert "data" in sandbox.graphql(NODES, {"ids": ten})
    throttled = sandbox.graphql(NODES, {"ids": ten})
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    cost = throttled["extensions"]["cost"]
    time.sleep(
        (cost["requestedQueryCost"] - cost["throttleStatus"]["currentlyAvailable"])
        / cost["throttleStatus"]["restoreRate"]
    )
    assert "data" in sandbox.graphql(NODES, {"ids": ten})


def test_a_throttled_mutation_does_not_run(make_shopify, make_order, manual_clock):
    sandbox = make_shopify([make_order(1)], bucket_size=5, restore_rate=1, clock=manual_clock)
    body = sandbox.graphql(
        'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true, '
        "refundMethod: {originalPaymentMethodsRefund: true}) { job { id } } }"
    )
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert sandbox.app.store.cancel_calls == [] and sandbox.app.store.refunds == []


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("standard", (2000.0, 100.0)),
        ("advanced", (4000.0, 200.0)),
        ("plus", (20000.0, 1000.0)),
        ("enterprise", (40000.0, 2000.0)),
    ],
)
def test_presets_set_restore_rate_and_an_unverified_bucket_of_20_seconds(make_shopify, make_order, preset, expected):
    sandbox = make_shopify([make_order(1)], preset=preset)
    status = sandbox.graphql('{ order(id: "gid://shopify/Order/1") { id } }')["extensions"]["cost"]["throttleStatus"]
    assert (status["maximumAvailable"], status["restoreRate"]) == expected


def test_explicit_limits_override_the_preset():
    assert preset_limits("plus", bucket_size=50, restore_rate=5) == (50.0, 5.0)
    assert preset_limits("standard", bucket_size=None, restore_rate=10) == (200.0, 10.0)
    with pytest.raises(ValueError, match="unknown rate-limit preset"):
        preset_limits("platinum", None, None)


def test_each_access_token_has_its_own_bucket(make_shopify, make_order):
    sandbox = make_shopify([make_order(1)])
    sandbox.graphql(NODES, {"ids": gids(*range(1, 101))})
    assert sandbox.app.buckets.for_token("shpat_sandbox_test_token").status().currently_available < 2000
    assert sandbox.app.buckets.for_token("another-token").status().currently_available == 2000


def test_the_bucket_refills_at_the_restore_rate_up_to_its_size(manual_clock):
    bucket = LeakyBucket(size=100, restore_rate=10, clock=manual_clock)
    assert bucket.try_reserve(100)[0]
    assert not bucket.try_reserve(1)[0]
    manual_clock.advance(2.5)
    assert bucket.status().currently_available == pytest.approx(25)
    manual_clock.advance(60)
    assert bucket.status().currently_available == 100
    assert bucket.give_back(50).currently_available == 100
