"""Hooks turn connections into working clients, and keep secrets out of stray headers."""

import json
import re

import pytest

from include.cancel_sync.errors import SyncError
from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.shopify.documents import ORDER_STATES_QUERY
from include.cancel_sync.shopify.hook import ShopifyHook
from sandbox.httpserver import Response, SandboxApp, SandboxServer
from sandbox.runner import SandboxOptions
from tests.timing import HTTP_TIMEOUT


class HeaderRecorder(SandboxApp):
    """A loopback server that answers every request with `reply` and keeps the headers it saw."""

    def __init__(self, reply):
        super().__init__()
        self.reply = reply
        self.headers = []

    def handle(self, request):
        self.headers.append(request.headers)
        return Response(200, self.reply)


def use_connections(monkeypatch, connections):
    for conn_id, definition in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(definition))


def test_netsuite_hook_signs_requests_the_sandbox_accepts(make_sandboxes, monkeypatch):
    sandboxes = make_sandboxes(count=30)
    use_connections(monkeypatch, sandboxes.connections())
    client = NetSuiteHook().get_client()
    rows = list(
        client.query(canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("UTC")))
    )
    assert {int(r["id"]) for r in rows} == sandboxes.world.ids_with(lambda s: s.extracted)
    assert sandboxes.netsuite.stats["auth_failures"] == 0


def test_shopify_hook_reaches_the_sandbox(make_sandboxes, monkeypatch):
    sandboxes = make_sandboxes(count=5)
    use_connections(monkeypatch, sandboxes.connections())
    gid = sandboxes.world.shopify_orders[0].gid
    data = ShopifyHook().get_client().execute(ORDER_STATES_QUERY, {"ids": [gid]})
    assert data["nodes"][0]["id"] == gid


def test_secrets_travel_only_in_the_auth_header(make_sandboxes, monkeypatch):
    sandboxes = make_sandboxes(count=1)
    connections = sandboxes.connections()
    netsuite_secrets = [
        connections["netsuite_default"]["password"],
        connections["netsuite_default"]["extra"]["token_secret"],
    ]
    shopify_token = connections["shopify_default"]["password"]
    netsuite = HeaderRecorder({"items": [], "totalResults": 0, "count": 0, "hasMore": False})
    shopify = HeaderRecorder({"data": {"nodes": []}, "extensions": {}})
    with SandboxServer(netsuite) as ns_server, SandboxServer(shopify) as shop_server:
        connections["netsuite_default"]["host"] = ns_server.url
        connections["shopify_default"]["host"] = shop_server.url
        use_connections(monkeypatch, connections)
        list(NetSuiteHook().get_client().query("SELECT t.id FROM transaction t ORDER BY t.id"))
        ShopifyHook().get_client().execute(ORDER_STATES_QUERY, {"ids": []})
    (ns_headers,) = netsuite.headers
    (shop_headers,) = shopify.headers
    for name in ("account_id", "token_id", "token_secret", "max_concurrency", "timeout"):
        assert name not in ns_headers
    assert "api_version" not in shop_headers and "authorization" not in shop_headers
    assert shop_headers["x-shopify-access-token"] == shopify_token
    assert ns_headers["authorization"].startswith('OAuth realm="1234567_SB1"')
    for secret in netsuite_secrets:  # secrets sign; they are never sent
        assert all(secret not in value for value in ns_headers.values())
    assert all(shopify_token not in value for key, value in shop_headers.items() if key != "x-shopify-access-token")


@pytest.mark.parametrize(
    ("field", "message"),
    [("login", "login (consumer key)"), ("token_secret", "extra token_secret"), ("account_id", "extra account_id")],
)
def test_netsuite_connection_missing_a_field_is_named(make_sandboxes, monkeypatch, field, message):
    connections = make_sandboxes(count=1).connections()
    netsuite = connections["netsuite_default"]
    netsuite.pop(field, None)
    netsuite["extra"].pop(field, None)
    use_connections(monkeypatch, connections)
    with pytest.raises(SyncError, match=re.escape(message)):
        NetSuiteHook().get_client()


def test_shopify_connection_without_token_is_named(make_sandboxes, monkeypatch):
    connections = make_sandboxes(count=1).connections()
    connections["shopify_default"].pop("password")
    use_connections(monkeypatch, connections)
    with pytest.raises(SyncError, match="shopify_default has no password"):
        ShopifyHook().get_client()


def test_worker_threads_never_look_up_the_connection(make_sandboxes, monkeypatch):
    """Inside a task only the main thread may ask Airflow for connections: workers copy its session."""
    sandboxes = make_sandboxes(count=1200, options=SandboxOptions(latency=0.02))
    use_connections(monkeypatch, sandboxes.connections())
    netsuite = NetSuiteHook().get_client(max_concurrency=3)
    netsuite.page_size = 100
    monkeypatch.delenv("AIRFLOW_CONN_NETSUITE_DEFAULT")  # a lookup from now on would fail
    with sandboxes.netsuite.hold.meeting(2, HTTP_TIMEOUT, after=1, body_contains="SELECT"):  # workers at once
        rows = list(
            netsuite.query(
                canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("UTC"))
            )
        )
    assert {int(r["id"]) for r in rows} == sandboxes.world.ids_with(lambda s: s.extracted)
    assert sandboxes.netsuite.stats["peak_concurrency"] > 1
