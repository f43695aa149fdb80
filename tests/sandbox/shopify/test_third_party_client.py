"""A Shopify client this project did not write (gql + requests) reads orders and cancels through the sandbox.

The client validates every document locally against Shopify's official schema first, so what passes
here is what Shopify would accept.
"""

from __future__ import annotations

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from tests.timing import HTTP_TIMEOUT

ORDERS = """
query OpenOrders($query: String!, $after: String) {
  orders(first: 2, after: $after, query: $query, sortKey: ID) {
    edges { node { id name displayFinancialStatus } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CANCEL = """
mutation CancelOrder($orderId: ID!, $refundMethod: OrderCancelRefundMethodInput) {
  orderCancel(orderId: $orderId, reason: CUSTOMER, restock: true, refundMethod: $refundMethod, notifyCustomer: false) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""
JOB = "query Job($id: ID!) { job(id: $id) { id done } }"


@pytest.fixture
def client(shopify, official_schema) -> Client:
    transport = RequestsHTTPTransport(
        url=shopify.graphql_url("2026-01"),
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"},
        timeout=HTTP_TIMEOUT,
    )
    return Client(transport=transport, schema=official_schema)


def run(client: Client, document: str, **variables) -> dict:
    return client.execute(GraphQLRequest(document, variable_values=variables))


def test_a_gql_client_pages_through_orders(client):
    names, after = [], None
    while True:
        connection = run(client, ORDERS, query="status:open id:<=5", after=after)["orders"]
        names += [edge["node"]["name"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert names == ["#1001", "#1002", "#1003", "#1004", "#1005"]


def test_a_gql_client_cancels_and_follows_the_job(client, shopify):
    payload = run(client, CANCEL, orderId="gid://shopify/Order/3", refundMethod={"originalPaymentMethodsRefund": True})
    assert payload["orderCancel"]["orderCancelUserErrors"] == []
    job = run(client, JOB, id=payload["orderCancel"]["job"]["id"])["job"]
    assert job["done"] is True
    assert [(movement.order_id, movement.kind) for movement in shopify.app.store.refunds] == [
        ("gid://shopify/Order/3", "refund")
    ]

    again = run(client, CANCEL, orderId="gid://shopify/Order/3", refundMethod={"originalPaymentMethodsRefund": True})
    assert again["orderCancel"]["job"] is None
    assert again["orderCancel"]["orderCancelUserErrors"][0]["code"] == "INVALID"


def test_a_gql_client_sees_graphql_errors(client):
    with pytest.raises(TransportQueryError, match="Invalid global id"):
        run(client, JOB, id="not-a-gid")
