"""`orders(query:)` search syntax and cursor paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

ORDERS = """
query($query: String, $first: Int, $after: String, $last: Int, $before: String, $reverse: Boolean, $sortKey: OrderSortKeys) {
  orders(query: $query, first: $first, after: $after, last: $last, before: $before, reverse: $reverse, sortKey: $sortKey) {
    edges { cursor node { legacyResourceId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
def shop(make_shopify, make_order):
    """Twelve orders with distinct states (ids 1..12)."""
    return make_shopify(
        [
            make_order(1, tags=["wholesale", "VIP"]),
            make_order(2, tags=["wholesale"]),
            make_order(3, financial_status="AUTHORIZED"),
            make_order(4, financial_status="PARTIALLY_REFUNDED"),
            make_order(5, fulfillment_status="FULFILLED", closed=True),
            make_order(6, fulfillment_status="PARTIALLY_FULFILLED"),
            make_order(7, cancelled_at=datetime(2026, 1, 11, tzinfo=UTC), cancel_reason="FRAUD", closed=True),
            make_order(8, return_status="IN_PROGRESS", test=True),
            make_order(9, fulfillment_status="ON_HOLD"),
            make_order(10, created_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC)),
            make_order(11, name="#1011-A"),
            make_order(12, financial_status="PENDING", tags=["needs review"]),
        ]
    )


def search(sandbox, query: str | None, **arguments) -> list[int]:
    variables = {"query": query, "first": 250, "sortKey": "ID", **arguments}
    edges = sandbox.data(ORDERS, variables)["orders"]["edges"]
    return [int(edge["node"]["legacyResourceId"]) for edge in edges]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, list(range(1, 13))),
        ("", list(range(1, 13))),
        ("id:5", [5]),
        ("id:>=10", [10, 11, 12]),
        ("id:>10", [11, 12]),
        ("id:<3", [1, 2]),
        ("id:<=2", [1, 2]),
        ("id:gid://shopify/Order/4", [4]),
        ("name:#1003", [3]),
        ("name:1003", [3]),
        ("name:1011-A", [11]),
        ("status:open", [1, 2, 3, 4, 6, 8, 9, 10, 11, 12]),
        ("status:closed", [5, 7]),
        ("status:cancelled", [7]),
        ("status:not_closed", [1, 2, 3, 4, 6, 8, 9, 10, 11, 12]),
        ("status:any", list(range(1, 13))),
        ("financial_status:authorized", [3]),
        ("financial_status:partially_refunded", [4]),
        ("fulfillment_status:fulfilled", [5]),
        ("fulfillment_status:shipped", [5]),
        ("fulfillment_status:partial", [6]),
        ("fulfillment_status:on_hold", [9]),
        ("return_status:in_progress", [8]),
        ("test:true", [8]),
        ("tag:wholesale", [1, 2]),
        ("tag:vip", [1]),
        ("tag:'needs review'", [12]),
        ('tag:"needs review"', [12]),
        ("tag_not:wholesale id:<=3", [3]),
        ("tag:wholesale financial_status:paid", [1, 2]),
        ("tag:wholesale AND id:2", [2]),
        ("id:1 OR id:12", [1, 12]),
        ("id:1 OR id:2 id:2", [1, 2]),
        ("(id:1 OR id:2) id:2", [2]),
        ("-tag:wholesale id:<=3", [3]),
        ("NOT tag:wholesale id:<=3", [3]),
        ("created_at:<2026-01-01", [10]),
        ("created_at:>=2026-01-10T12:11:00Z", [11, 12]),
        ("wholesale", [1, 2]),
    ],
)
def test_search_syntax(shop, query, expected):
    assert search(shop, query) == expected


def test_unfulfilled_includes_partially_fulfilled_orders(shop):
    assert search(shop, "fulfillment_status:unfulfilled id:<=6") == [1, 2, 3, 4, 6]
    assert search(shop, "fulfillment_status:unshipped id:<=6") == [1, 2, 3, 4]


def test_an_unknown_search_field_is_ignored_with_a_warning_like_shopify(shop):
    body = shop.graphql(ORDERS, {"query": "stauts:cancelled", "first": 250})
    assert len(body["data"]["orders"]["edges"]) == 12  # the typo filters nothing: exactly why it is dangerous
    assert body["extensions"]["search"] == [
        {
            "path": ["orders"],
            "query": "stauts:cancelled",
            "warnings": [{"field": "stauts", "message": "Invalid search field for this query."}],
        }
    ]


def test_an_unknown_status_value_matches_nothing(shop):
    body = shop.graphql(ORDERS, {"query": "status:canceled", "first": 250})
    assert body["data"]["orders"]["edges"] == []
    assert body["extensions"]["search"][0]["warnings"][0]["field"] == "status"


def test_unbalanced_parentheses_are_an_error(shop):
    body = shop.graphql(ORDERS, {"query": "(id:1 OR id:2", "first": 5})
    assert body["errors"][0]["message"].startswith("Invalid search query")
    assert body["errors"][0]["path"] == ["orders"]


def test_deleted_orders_disappear_from_search(shop):
    shop.control("POST", "orders/2", {"deleted": True})
    assert search(shop, "tag:wholesale") == [1]


# -- paging -------------------------------------------------------------------------------------


def walk(sandbox, page_size: int, **arguments) -> tuple[list[int], int]:
    seen, pages, after = [], 0, None
    while True:
        connection = sandbox.data(ORDERS, {"first": page_size, "after": after, "sortKey": "ID", **arguments})["orders"]
        pages += 1
        seen += [int(edge["node"]["legacyResourceId"]) for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]


def test_first_and_after_walk_every_order_once(shop):
    assert walk(shop, 5) == (list(range(1, 13)), 3)


def test_paging_keeps_the_filter_and_the_order(shop):
    assert walk(shop, 2, query="status:open", reverse=True)[0] == [12, 11, 10, 9, 8, 6, 4, 3, 2, 1]


def test_the_default_sort_is_processed_at(shop):
    assert search(shop, "id:<=11", sortKey=None)[:2] == [10, 1]  # order 10 was created first
    assert search(shop, "id:<=11", sortKey="CREATED_AT", reverse=True)[:2] == [11, 9]


def test_page_info_at_both_ends(shop):
    first = shop.data(ORDERS, {"first": 3, "sortKey": "ID"})["orders"]["pageInfo"]
    assert (first["hasNextPage"], first["hasPreviousPage"]) == (True, False)
    after = shop.data(ORDERS, {"first": 3, "after": first["endCursor"], "sortKey": "ID"})["orders"]
    assert after["pageInfo"]["hasPreviousPage"] is True
    assert [edge["node"]["legacyResourceId"] for edge in after["edges"]] == ["4", "5", "6"]


def test_last_and_before_page_backwards(shop):
    tail = shop.data(ORDERS, {"last": 2, "sortKey": "ID"})["orders"]
    assert [edge["node"]["legacyResourceId"] for edge in tail["edges"]] == ["11", "12"]
    before = shop.data(ORDERS, {"last": 2, "before": tail["pageInfo"]["startCursor"], "sortKey": "ID"})["orders"]
    assert [edge["node"]["legacyResourceId"] for edge in before["edges"]] == ["9", "10"]
    assert before["pageInfo"]["hasNextPage"] is True


def test_an_empty_result_has_no_cursors(shop):
    info = shop.data(ORDERS, {"first": 5, "query": "id:999"})["orders"]["pageInfo"]
    assert info == {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "you must provide one of first or last"),
        ({"first": 251}, "The `first` argument must be between 0 and 250, got 251."),
        ({"last": -1}, "The `last` argument must be between 0 and 250, got -1."),
        ({"first": 5, "after": "not-a-cursor"}, "Invalid cursor for current pagination sort."),
    ],
)
def test_paging_arguments_shopify_refuses(shop, variables, message):
    body = shop.graphql(ORDERS, variables)
    assert body["data"] is None
    assert body["errors"][0]["message"] == message


def test_a_cursor_from_another_sort_is_refused(shop):
    by_name = shop.data(ORDERS, {"first": 1, "sortKey": "FINANCIAL_STATUS"})["orders"]["pageInfo"]["endCursor"]
    body = shop.graphql(ORDERS, {"first": 1, "after": by_name, "sortKey": "ID"})
    assert body["errors"][0]["message"] == "Invalid cursor for current pagination sort."
