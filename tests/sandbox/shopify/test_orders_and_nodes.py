"""Reading orders: node / nodes / order by GID, the Order fields, the 250-id limit (its speed: benchmarks/)."""

from __future__ import annotations

from datetime import UTC, datetime

ORDER_FIELDS = """
  id legacyResourceId name createdAt processedAt updatedAt cancelledAt cancelReason closed closedAt
  displayFinancialStatus displayFulfillmentStatus returnStatus tags test note email currencyCode presentmentCurrencyCode
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount } } originalTotalPriceSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } } totalReceivedSet { shopMoney { amount } }
  netPaymentSet { shopMoney { amount } } totalCapturableSet { shopMoney { amount } }
  cancellation { staffNote }
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Order { id } } }"


def test_an_order_reads_like_shopify_prints_it(make_shopify, make_order):
    sandbox = make_shopify(
        [
            make_order(
                42,
                name="#1042",
                created_at=datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC),
                updated_at=datetime(2026, 1, 10, 12, 5, 7, 123456),  # naive datetimes are UTC
                financial_status="PARTIALLY_REFUNDED",
                tags=["b2b", "rush"],
                total="100.50",
                currency="EUR",
            )
        ]
    )
    order = sandbox.data(f'{{ order(id: "gid://shopify/Order/42") {{ {ORDER_FIELDS} }} }}')["order"]
    assert order == {
        "id": "gid://shopify/Order/42",
        "legacyResourceId": "42",
        "name": "#1042",
        "createdAt": "2026-01-10T12:00:00Z",
        "processedAt": "2026-01-10T12:00:00Z",
        "updatedAt": "2026-01-10T12:05:07Z",
        "cancelledAt": None,
        "cancelReason": None,
        "closed": False,
        "closedAt": None,
        "displayFinancialStatus": "PARTIALLY_REFUNDED",
        "displayFulfillmentStatus": "UNFULFILLED",
        "returnStatus": "NO_RETURN",
        "tags": ["b2b", "rush"],
        "test": False,
        "note": None,
        "email": None,
        "currencyCode": "EUR",
        "presentmentCurrencyCode": "EUR",
        # Shopify prints Decimal like Ruby's BigDecimal: "100.5", never "100.50"
        "totalPriceSet": {
            "shopMoney": {"amount": "100.5", "currencyCode": "EUR"},
            "presentmentMoney": {"amount": "100.5", "currencyCode": "EUR"},
        },
        "currentTotalPriceSet": {"shopMoney": {"amount": "50.25"}},
        "originalTotalPriceSet": {"shopMoney": {"amount": "100.5"}},
        "totalRefundedSet": {"shopMoney": {"amount": "50.25"}},
        "totalReceivedSet": {"shopMoney": {"amount": "100.5"}},
        "netPaymentSet": {"shopMoney": {"amount": "50.25"}},
        "totalCapturableSet": {"shopMoney": {"amount": "0.0"}},
        "cancellation": None,
    }


def test_node_order_and_nodes_resolve_gids(shopify):
    data = shopify.data(
        '{ a: node(id: "gid://shopify/Order/3") { id ... on Order { name } }'
        '  b: order(id: "gid://shopify/Order/4") { name }'
        '  c: order(id: "gid://shopify/Order/404") { name }'
        '  d: node(id: "gid://shopify/Product/3") { id } }'
    )
    assert data == {"a": {"id": "gid://shopify/Order/3", "name": "#1003"}, "b": {"name": "#1004"}, "c": None, "d": None}


def test_unknown_ids_come_back_as_null_entries_in_place(shopify):
    ids = ["gid://shopify/Order/2", "gid://shopify/Order/77", "gid://shopify/Customer/2", "gid://shopify/Order/1"]
    assert shopify.data(NODES, {"ids": ids})["nodes"] == [
        {"__typename": "Order", "id": "gid://shopify/Order/2"},
        None,
        None,
        {"__typename": "Order", "id": "gid://shopify/Order/1"},
    ]


def test_deleted_orders_read_as_null(shopify):
    shopify.control("POST", "orders/2", {"deleted": True})
    assert shopify.data(NODES, {"ids": ["gid://shopify/Order/2"]})["nodes"] == [None]


def test_more_than_250_ids_are_refused(shopify):
    body = shopify.graphql(NODES, {"ids": [f"gid://shopify/Order/{n}" for n in range(251)]})
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == "The input array size of 251 is greater than the maximum allowed of 250."
    assert error["extensions"] == {"code": "MAX_INPUT_SIZE_EXCEEDED"}
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000


def test_a_250_id_read_over_a_large_shop_finds_each_order(make_shopify, make_order):
    # How fast such a read is, benchmarks/bench_shopify_sandbox.py reports.
    sandbox = make_shopify([make_order(n) for n in range(1, 20_001)])
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id name cancelledAt closed displayFinancialStatus displayFulfillmentStatus returnStatus } } }"
    ids = [f"gid://shopify/Order/{n}" for n in range(1, 20_001, 80)]
    nodes = sandbox.data(query, {"ids": ids})["nodes"]
    assert [node["id"] for node in nodes] == ids
