"""The HTTP surface: route, API version, access token, request bodies, headers."""

from __future__ import annotations

import pytest

ORDER_QUERY = '{ order(id: "gid://shopify/Order/1") { id name } }'
INVALID_TOKEN_BODY = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


@pytest.mark.parametrize("token", [None, "", "shpat_wrong"])
def test_a_missing_or_wrong_access_token_is_refused_with_401(shopify, token):
    response = shopify.post(ORDER_QUERY, token=token)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN_BODY
    assert shopify.app.stats["unauthorized"] == 1
    assert shopify.app.stats["executed"] == 0


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2025-07", "2026-10", "unstable"])
def test_released_versions_are_served_and_echoed(shopify, version):
    response = shopify.session.post(
        shopify.graphql_url(version),
        json={"query": ORDER_QUERY},
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["order"]["name"] == "#1001"
    assert response.headers["X-Shopify-API-Version"] == version
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("version", ["2026-02", "2026-1", "latest", "26-01", "2026-01x"])
def test_malformed_api_versions_are_not_found(shopify, version):
    response = shopify.session.post(shopify.graphql_url(version), json={"query": ORDER_QUERY})
    assert response.status_code == 404


def test_other_paths_are_not_found(shopify):
    assert shopify.session.post(f"{shopify.url}/admin/api/2026-01/orders.json").status_code == 404
    assert shopify.session.post(f"{shopify.url}/graphql").status_code == 404
    assert shopify.control("GET", "nothing-here").status_code == 404


def test_only_post_is_accepted(shopify):
    response = shopify.session.get(
        shopify.graphql_url(), headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"}
    )
    assert response.status_code == 405


def test_a_body_that_is_not_json_is_a_400(shopify):
    response = shopify.session.post(
        shopify.graphql_url(),
        data=b"{not json",
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{}, {"query": ""}, {"query": 42}, {"variables": {}}])
def test_a_missing_query_is_a_400(shopify, body):
    response = shopify.session.post(
        shopify.graphql_url(), json=body, headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


def test_a_raw_application_graphql_body_is_accepted(shopify):
    response = shopify.session.post(
        shopify.graphql_url(),
        data=ORDER_QUERY.encode(),
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token", "Content-Type": "application/graphql"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["order"]["id"] == "gid://shopify/Order/1"


def test_variables_may_arrive_json_encoded(shopify):
    query = "query($id: ID!) { order(id: $id) { name } }"
    response = shopify.session.post(
        shopify.graphql_url(),
        json={"query": query, "variables": '{"id": "gid://shopify/Order/2"}'},
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"},
    )
    assert response.json()["data"]["order"]["name"] == "#1002"


def test_operation_name_picks_one_of_several_operations(shopify):
    document = 'query A { order(id: "gid://shopify/Order/1") { name } } query B { order(id: "gid://shopify/Order/2") { name } }'
    assert shopify.graphql(document, operationName="B")["data"] == {"order": {"name": "#1002"}}
    assert shopify.graphql(document)["errors"] == [{"message": "An operation name is required"}]
    assert shopify.graphql(document, operationName="C")["errors"] == [{"message": 'No operation named "C"'}]


def test_every_reply_carries_a_request_id(shopify):
    first, second = shopify.post(ORDER_QUERY), shopify.post(ORDER_QUERY)
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
