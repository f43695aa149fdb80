"""Shopify sandbox fixtures: servers on loopback, a GraphQL caller, a manual clock, known orders.

Helpers are handed out as fixtures (not imported) so test modules stay independent of import modes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import graphql
import pytest
import requests

from sandbox.httpserver import SandboxServer
from sandbox.model import ShopifyOrder
from sandbox.shopify import ShopifyApp
from tests.clocks import FakeClock
from tests.timing import HTTP_TIMEOUT

PROJECT_ROOT = Path(__file__).resolve().parents[3]
OFFICIAL_SCHEMA = PROJECT_ROOT.parent / "shared" / "shopify-schema" / "admin_schema_2026-01_public.graphql"
TOKEN = "shpat_sandbox_test_token"
API_VERSION = "2026-01"
CREATED = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)


@dataclass
class ShopifySandbox:
    app: ShopifyApp
    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def graphql_url(self, version: str = API_VERSION) -> str:
        return f"{self.url}/admin/api/{version}/graphql.json"

    def post(
        self, query: str, variables: dict | None = None, token: str | None = TOKEN, **extra: Any
    ) -> requests.Response:
        headers = {"X-Shopify-Access-Token": token} if token is not None else {}
        body = {"query": query, "variables": variables or {}, **extra}
        return self.session.post(self.graphql_url(), json=body, headers=headers, timeout=HTTP_TIMEOUT)

    def graphql(self, query: str, variables: dict | None = None, **extra: Any) -> dict:
        """The JSON body of a 200 reply."""
        response = self.post(query, variables, **extra)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict | None = None) -> dict:
        """`data` of a reply that must carry no errors."""
        body = self.graphql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def control(self, method: str, path: str, payload: Any = None) -> requests.Response:
        return self.session.request(method, f"{self.url}/_sandbox/{path}", json=payload, timeout=HTTP_TIMEOUT)


@pytest.fixture
def manual_clock() -> FakeClock:
    return FakeClock(start=1000.0)


@pytest.fixture
def make_order() -> Callable[..., ShopifyOrder]:
    def make(order_id: int, **overrides: Any) -> ShopifyOrder:
        values: dict[str, Any] = {
            "id": order_id,
            "name": f"#{1000 + order_id}",
            "created_at": CREATED + timedelta(minutes=order_id),
            "updated_at": CREATED + timedelta(minutes=order_id, seconds=30),
            "total": "40.00",
        }
        values.update(overrides)
        return ShopifyOrder(**values)

    return make


@pytest.fixture
def make_shopify() -> Iterator[Callable[..., ShopifySandbox]]:
    """Factory: `make_shopify(orders, preset=..., bucket_size=..., clock=...)` → a running sandbox."""
    started: list[tuple[SandboxServer, ShopifySandbox]] = []

    def make(orders: list[ShopifyOrder] = (), **options: Any) -> ShopifySandbox:
        app = ShopifyApp(TOKEN, **options)
        app.load_orders(orders)
        server = SandboxServer(app).start()
        sandbox = ShopifySandbox(app, server.url)
        started.append((server, sandbox))
        return sandbox

    yield make
    for server, sandbox in started:
        sandbox.session.close()
        server.stop()


@pytest.fixture
def shopify(make_shopify, make_order) -> ShopifySandbox:
    """Ten plain paid, unfulfilled orders (ids 1..10), default limits."""
    return make_shopify([make_order(order_id) for order_id in range(1, 11)])


@pytest.fixture(scope="session")
def official_schema() -> graphql.GraphQLSchema:
    """Shopify's published 2026-01 schema, built once per session (~2 s)."""
    if not OFFICIAL_SCHEMA.exists():
        pytest.skip(f"official Shopify schema not found at {OFFICIAL_SCHEMA} (expected beside the project)")
    schema = graphql.build_schema(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    schema._validation_errors = []  # the published SDL trips graphql-core's strict interface/deprecation check
    return schema
