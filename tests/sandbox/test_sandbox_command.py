"""`python -m sandbox serve`: seeds, serves both APIs, writes working connections, stops on SIGTERM."""

import json
import os
import signal
import socket
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import requests

from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.shopify.documents import ORDER_STATES_QUERY
from include.cancel_sync.shopify.hook import ShopifyHook
from include.cancel_sync.shopify.order_ids import parse_shopify_link
from sandbox.world import build_world
from tests.timing import HTTP_TIMEOUT, PROCESS_EXIT


@pytest.mark.parametrize("netsuite_auth", ["tba", "m2m"])
def test_command_serves_both_sandboxes_with_importable_connections(sandbox_process, monkeypatch, netsuite_auth):
    info = sandbox_process("--orders", "50", "--seed", "4", "--netsuite-auth", netsuite_auth)
    # Re-entered orders come on top of --orders; how many depends on the seed alone.
    assert info["orders"] == len(build_world(50, datetime(2026, 1, 1), datetime(2026, 1, 2), seed=4).sales_orders)
    connections = info["connections"]
    assert set(connections) == {"netsuite_default", "shopify_default"}
    kind = {"certificate_id"} if netsuite_auth == "m2m" else {"token_id", "token_secret"}
    assert set(connections["netsuite_default"]["extra"]) & {"certificate_id", "token_id", "token_secret"} == kind
    for conn_id, definition in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(definition))
    rows = list(
        NetSuiteHook()
        .get_client()
        .query(
            canceled_orders_query(
                OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("America/Los_Angeles")
            )
        )
    )
    assert rows, "the seeded world has canceled orders"
    gid = next(link.gid for link in (parse_shopify_link(r.get("shopify_link_0")) for r in rows) if link.gid)
    data = ShopifyHook().get_client().execute(ORDER_STATES_QUERY, {"ids": [gid]})
    assert [node["id"] for node in data["nodes"] if node] == [gid] or data["nodes"] == [None]
    stats = requests.get(f"{info['netsuite_url']}/_sandbox/stats", timeout=HTTP_TIMEOUT).json()
    assert stats["requests"] >= 1
    assert stats["token_requests"] == (1 if netsuite_auth == "m2m" else 0)


def test_command_stops_on_sigterm_and_frees_its_ports(sandbox_process):
    info = sandbox_process("--orders", "5")
    process = info["process"]
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=PROCESS_EXIT) == 0
    for url in (info["netsuite_url"], info["shopify_url"]):
        parts = urlsplit(url)
        with socket.socket() as probe:
            assert probe.connect_ex((parts.hostname, parts.port)) != 0, f"{url} still listening"
