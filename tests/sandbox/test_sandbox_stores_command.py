"""`python -m sandbox serve --stores ...`: one shop per store, every connection and the stores Variable written."""

import json
from datetime import datetime

import requests

from sandbox.stores import StoreSpec
from sandbox.world import build_world
from tests.timing import HTTP_TIMEOUT

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id } } }"


def test_command_serves_a_shop_per_store_and_writes_the_stores_variable(sandbox_process, tmp_path):
    stores_file = tmp_path / "stores.json"
    stores = "eu:connector=Shopify-EU,us:celigo=12:US Store,b2b:subsidiary=3:B2B"
    info = sandbox_process("--orders", "40", "--seed", "6", "--stores", stores, "--stores-file", str(stores_file))
    connections, variable = info["connections"], json.loads(stores_file.read_text())
    assert info["stores"] == variable
    assert list(connections) == ["netsuite_default", "shopify_default", "shopify_us", "shopify_b2b"]
    assert [(entry["name"], entry["shopify_conn_id"], entry["netsuite"]) for entry in variable] == [
        ("eu", "shopify_default", {"field": "custbody_fa_channel", "values": ["Shopify-EU"]}),
        ("us", "shopify_us", {"field": "custbody_celigo_shopify_store", "values": ["12"]}),
        ("b2b", "shopify_b2b", {"subsidiary": [3]}),
    ]
    assert info["shop_urls"]["eu"] == info["shopify_url"] == connections["shopify_default"]["host"]

    # The same world, rebuilt: each shop holds exactly its store's orders, and takes only its own token.
    start, end = (datetime.fromisoformat(text) for text in info["window"])
    specs = [StoreSpec.parse(text, position) for position, text in enumerate(stores.split(","))]
    world = build_world(40, start, end, seed=6, stores=specs)
    every_gid = [order.gid for order in world.shopify_orders]
    for entry in variable:
        shop = connections[entry["shopify_conn_id"]]
        url = f"{shop['host']}/admin/api/2026-10/graphql.json"
        body = {"query": NODES, "variables": {"ids": every_gid}}
        reply = requests.post(
            url, json=body, headers={"X-Shopify-Access-Token": shop["password"]}, timeout=HTTP_TIMEOUT
        )
        assert reply.status_code == 200, reply.text
        seen = {node["id"] for node in reply.json()["data"]["nodes"] if node}
        assert seen == {order.gid for order in world.orders_of(entry["name"])}
        other = connections["shopify_default" if entry["name"] != "eu" else "shopify_us"]["password"]
        refused = requests.post(url, json=body, headers={"X-Shopify-Access-Token": other}, timeout=HTTP_TIMEOUT)
        assert refused.status_code == 401
    assert all(world.orders_of(store) for store in ("eu", "us", "b2b"))  # every shop had orders to show
