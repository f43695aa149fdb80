"""Several Shopify stores on one NetSuite account: the world's ground truth, the netsuite_shopify_stores Variable
read back through SuiteQL over HTTP, and one shop per store with its own orders, token and bucket."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
import requests

from sandbox.faults import FaultPlan, FaultRule
from sandbox.runner import Sandboxes, SandboxOptions, ShopOptions
from sandbox.stores import (
    CELIGO_CHANNEL_FIELD,
    CELIGO_STORE_FIELD,
    CONNECTOR_FIELD,
    PARENT_SUBSIDIARY,
    UNKNOWN_STORE,
    StoreSpec,
    check_stores,
)
from sandbox.world import SCENARIO_BY_NAME, SCENARIOS, build_world
from tests.timing import HTTP_TIMEOUT

START = datetime(2026, 1, 15, 0, 0)
END = datetime(2026, 1, 15, 6, 0)
STORES = (
    StoreSpec("eu", connector="Shopify-EU", weight=2),
    StoreSpec("us", celigo=(201, "US Store")),
    StoreSpec("b2b", subsidiary=(3, "Honeycomb B2B")),
)
MAIN_LINE_JOIN = "transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T'"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id name } } }"
CANCEL = """
mutation($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refundMethod: {originalPaymentMethodsRefund: true}) {
    job { id } orderCancelUserErrors { field message code }
  }
}
"""


def store_world(count: int = 90, seed: int = 4, unknown: int = 0, **options):
    weights = {s.name: s.weight for s in SCENARIOS} | {"unknown_store": unknown}
    return build_world(count, START, END, seed=seed, scenarios=weights, stores=STORES, **options)


def suiteql(sandboxes: Sandboxes, query: str) -> list[dict]:
    session, rows, offset = sandboxes.netsuite_session(), [], 0
    url = sandboxes.netsuite_url + "/services/rest/query/v1/suiteql"
    while True:
        response = session.post(
            url, params={"limit": 1000, "offset": offset}, json={"q": query}, headers={"Prefer": "transient"}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["items"]
        if not page["hasMore"]:
            return rows
        offset += 1000


def selected(sandboxes: Sandboxes, selector: dict) -> set[int]:
    """Sales orders a store's selector finds, written as SuiteQL the way the entry reads (the test's own
    translation, not the sync's)."""
    if "subsidiary" in selector:
        source, where = MAIN_LINE_JOIN, f"tl.subsidiary IN ({', '.join(map(str, selector['subsidiary']))})"
    else:
        column = f"t.{selector['field']}"
        if selector.get("match") == "text":
            column = f"BUILTIN.DF({column})"
        source, where = "transaction t", f"{column} IN ({', '.join(repr(value) for value in selector['values'])})"
    rows = suiteql(sandboxes, f"SELECT t.id FROM {source} WHERE t.type = 'SalesOrd' AND {where}")
    return {int(row["id"]) for row in rows}


def graphql(sandboxes: Sandboxes, store: str, query: str, variables: dict, token: str | None = None):
    return requests.post(
        f"{sandboxes.shop_url(store)}/admin/api/2026-10/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": token or sandboxes.shop_token(store)},
        timeout=HTTP_TIMEOUT,
    )


# --- store specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eu:connector", StoreSpec("eu", connector="Shopify-eu")),
        ("eu:connector=Shopify-EU", StoreSpec("eu", connector="Shopify-EU")),
        ("us:celigo", StoreSpec("us", celigo=(203, "us store"))),
        ("us:celigo=12:US Store", StoreSpec("us", celigo=(12, "US Store"))),
        ("b2b:subsidiary", StoreSpec("b2b", subsidiary=(4, "b2b subsidiary"))),
        ("b2b:subsidiary=7", StoreSpec("b2b", subsidiary=(7, "b2b subsidiary"))),
    ],
)
def test_store_specs_parse_from_the_command_line_syntax(text, expected):
    assert StoreSpec.parse(text, position=2) == expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: StoreSpec("eu"), "exactly one"),
        (lambda: StoreSpec("eu", connector="Shopify-EU", subsidiary=(3, "x")), "exactly one"),
        (lambda: StoreSpec("EU", connector="Shopify-EU"), "lowercase"),
        (lambda: StoreSpec("eu", subsidiary=PARENT_SUBSIDIARY), "parent company"),
        (lambda: StoreSpec("eu", connector="  "), "empty"),
        (lambda: StoreSpec.parse("eu:magento"), "expected name:connector"),
        (lambda: StoreSpec.parse("eu:celigo=abc"), "integer"),
        (lambda: check_stores([StoreSpec("a", connector="X"), StoreSpec("b", connector="X")], UNKNOWN_STORE), "share"),
        (
            lambda: check_stores([StoreSpec("a", celigo=(1, "A")), StoreSpec("b", celigo=(2, "A"))], UNKNOWN_STORE),
            "share",
        ),
        (lambda: check_stores([StoreSpec("a", connector="Shopify-Outlet")], UNKNOWN_STORE), "share"),
        (lambda: check_stores([StoreSpec("a", connector="X"), StoreSpec("a", connector="Y")], UNKNOWN_STORE), "repeat"),
        (lambda: check_stores([StoreSpec("outlet", connector="Y")], UNKNOWN_STORE), "repeat"),
        (lambda: check_stores([StoreSpec("a", connector="X", weight=0)], UNKNOWN_STORE), "weight 0"),
        (lambda: check_stores([], UNKNOWN_STORE), "at least one"),
    ],
)
def test_store_specs_that_cannot_be_told_apart_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- the world ------------------------------------------------------------------------------------


def test_a_default_world_has_one_store_marked_as_the_connector_default_account():
    world = build_world(60, START, END, seed=3, every_scenario=True)
    assert [spec.name for spec in world.stores] == ["default"]
    assert set(world.store_of.values()) == {"default"} and set(world.store_of) == {o.id for o in world.sales_orders}
    assert all(o.fields[CONNECTOR_FIELD] == "Shopify" and not o.list_fields for o in world.sales_orders)
    assert {o.subsidiary for o in world.sales_orders} == {PARENT_SUBSIDIARY[0]}
    assert world.orders_of("default") == world.shopify_orders and world.orders_of(None) == []


def test_stores_only_partition_the_orders_a_seed_makes():
    plain, split = build_world(200, START, END, seed=5), build_world(200, START, END, seed=5, stores=STORES)
    assert split.scenarios == plain.scenarios and split.shopify_ids == plain.shopify_ids
    for one, other in zip(plain.sales_orders, split.sales_orders, strict=True):
        assert (one.id, one.status, one.last_modified, one.fields[plain.link_field]) == (
            other.id,
            other.status,
            other.last_modified,
            other.fields[split.link_field],
        )
    assert [o.id for o in plain.shopify_orders] == [o.id for o in split.shopify_orders]
    shares = Counter(split.store_of.values())
    assert set(shares) == {"eu", "us", "b2b"} and shares["eu"] > max(shares["us"], shares["b2b"])  # weight 2


def test_every_order_carries_its_own_store_marks_and_no_other():
    world = store_world(300, unknown=10)
    specs = {spec.name: spec for spec in (*STORES, UNKNOWN_STORE)}
    for order in world.sales_orders:
        store = world.store_of[order.id]
        spec = specs[store or UNKNOWN_STORE.name]
        channel = order.fields.get(CONNECTOR_FIELD)
        assert channel == spec.connector
        assert order.list_fields.get(CELIGO_STORE_FIELD) == (spec.celigo[0] if spec.celigo else None)
        assert order.list_fields.get(CELIGO_CHANNEL_FIELD) == (101 if spec.celigo else None)
        assert order.subsidiary == (spec.subsidiary or PARENT_SUBSIDIARY)[0]
        assert (store is None) == (world.scenarios[order.id] == "unknown_store")


def test_reentered_orders_stay_in_their_main_order_store():
    names = ("reentered_open", "reentered_all_canceled")
    weights = {s.name: int(s.name in names) for s in SCENARIOS}
    world = build_world(40, START, END, seed=2, stores=STORES, scenarios=weights)
    for shopify in world.shopify_orders:
        linked = world.linked(shopify.id)
        assert len(linked) == 2
        assert {world.store_of[nid] for nid in linked} == {world.shop_of[shopify.id]}
    assert len(set(world.shop_of.values())) > 1


def test_shopify_ids_are_unique_and_names_count_per_store():
    world = store_world(300, unknown=10)
    assert len({o.id for o in world.shopify_orders}) == len(world.shopify_orders)
    for store in (*(spec.name for spec in STORES), None):
        names = [o.name for o in world.orders_of(store)]
        assert len(set(names)) == len(names) and "#1001" in names, store
    assert sum(len(world.orders_of(store)) for store in ("eu", "us", "b2b", None)) == len(world.shopify_orders)


def test_unknown_store_orders_would_be_cancelled_but_belong_to_no_store():
    scenario = SCENARIO_BY_NAME["unknown_store"]
    assert (scenario.netsuite_status, scenario.decision, scenario.expected_outcome) == ("C", "no_store", "no_store")
    assert scenario.extracted and not scenario.cancellable and scenario.shopify == "exists"
    assert not store_world(300).ids_with(lambda s: s.unknown_store)  # opt-in
    world = store_world(300, unknown=10)
    unknown = world.ids_with(lambda s: s.unknown_store)
    assert unknown and {world.store_of[nid] for nid in unknown} == {None}
    assert {world.shop_of[world.shopify_ids[nid]] for nid in unknown} == {None}


# --- SuiteQL over HTTP ----------------------------------------------------------------------------


@pytest.mark.parametrize("celigo_match", ["id", "text"])
def test_the_stores_variable_finds_exactly_each_store_orders(make_sandboxes, celigo_match):
    world = store_world(150, unknown=8)
    sandboxes = make_sandboxes(world=world)
    variable = sandboxes.stores_variable(celigo_match=celigo_match)
    assert [(entry["name"], entry["shopify_conn_id"]) for entry in variable] == [
        ("eu", "shopify_default"),
        ("us", "shopify_us"),
        ("b2b", "shopify_b2b"),
    ]
    assert variable[1]["netsuite"] == (
        {"field": CELIGO_STORE_FIELD, "values": ["201"]}
        if celigo_match == "id"
        else {"field": CELIGO_STORE_FIELD, "values": ["US Store"], "match": "text"}
    )
    found = {}
    for entry in variable:
        found[entry["name"]] = selected(sandboxes, entry["netsuite"])
        assert found[entry["name"]] == {nid for nid, store in world.store_of.items() if store == entry["name"]}
    unknown = {nid for nid, store in world.store_of.items() if store is None}
    assert unknown and not unknown & set().union(*found.values())


def test_list_and_subsidiary_names_come_back_through_builtin_df(make_sandboxes):
    sandboxes = make_sandboxes(world=store_world(60))
    rows = suiteql(
        sandboxes,
        f"SELECT BUILTIN.DF(t.{CELIGO_STORE_FIELD}) AS store, BUILTIN.DF(t.{CELIGO_CHANNEL_FIELD}) AS channel, "
        f"BUILTIN.DF(tl.subsidiary) AS subsidiary, COUNT(*) AS orders FROM {MAIN_LINE_JOIN} "
        f"WHERE t.type = 'SalesOrd' GROUP BY BUILTIN.DF(t.{CELIGO_STORE_FIELD}), BUILTIN.DF(t.{CELIGO_CHANNEL_FIELD}), "
        "BUILTIN.DF(tl.subsidiary) ORDER BY 3, 1",
    )
    counts = Counter(sandboxes.world.store_of.values())
    assert [(r["subsidiary"], r.get("store"), r.get("channel"), int(r["orders"])) for r in rows] == [
        ("Honeycomb B2B", None, None, counts["b2b"]),
        ("Parent Company", "US Store", "Shopify", counts["us"]),
        ("Parent Company", None, None, counts["eu"]),
    ]


def test_a_default_world_answers_the_default_stores_variable(make_sandboxes):
    sandboxes = make_sandboxes(count=40, seed=2)
    assert list(sandboxes.shops) == ["default"] and sandboxes.shops["default"] is sandboxes.shopify
    assert set(sandboxes.connections()) == {"netsuite_default", "shopify_default"}
    variable = sandboxes.stores_variable()
    assert variable == [
        {
            "name": "default",
            "shopify_conn_id": "shopify_default",
            "netsuite": {"field": CONNECTOR_FIELD, "values": ["Shopify"]},
        }
    ]
    assert selected(sandboxes, variable[0]["netsuite"]) == {o.id for o in sandboxes.world.sales_orders}


def test_stores_variable_merges_overrides_per_store(make_sandboxes):
    sandboxes = make_sandboxes(world=store_world(20))
    variable = sandboxes.stores_variable({"us": {"prevent_refund": True, "cancel_enabled": False}})
    assert variable[1] == {
        "name": "us",
        "shopify_conn_id": "shopify_us",
        "netsuite": {"field": CELIGO_STORE_FIELD, "values": ["201"]},
        "prevent_refund": True,
        "cancel_enabled": False,
    }
    assert set(variable[0]) == set(variable[2]) == {"name", "shopify_conn_id", "netsuite"}
    with pytest.raises(ValueError, match="outlet"):
        sandboxes.stores_variable({"outlet": {}})


# --- one shop per store ---------------------------------------------------------------------------


def test_each_shop_sees_only_its_own_orders(make_sandboxes):
    world = store_world(60, unknown=5)
    sandboxes = make_sandboxes(world=world)
    every_gid = [o.gid for o in world.shopify_orders]
    for store in sandboxes.shops:
        reply = graphql(sandboxes, store, NODES, {"ids": every_gid})
        assert reply.status_code == 200, reply.text
        seen = {node["id"]: node["name"] for node in reply.json()["data"]["nodes"] if node}
        assert seen == {o.gid: o.name for o in world.orders_of(store)}
    unknown = {o.gid for o in world.orders_of(None)}
    assert unknown and all(
        app.store.get(int(gid.rsplit("/", 1)[1])) is None for gid in unknown for app in sandboxes.shops.values()
    )


def test_a_shop_answers_a_cancel_of_another_shop_order_as_not_found(make_sandboxes):
    world = store_world(60)
    sandboxes = make_sandboxes(world=world)
    eu_order = next(o for o in world.orders_of("eu") if not o.cancelled_at and o.fulfillment_status == "UNFULFILLED")
    refused = graphql(sandboxes, "us", CANCEL, {"id": eu_order.gid}).json()["data"]["orderCancel"]
    assert refused == {
        "job": None,
        "orderCancelUserErrors": [{"field": ["orderId"], "message": "Order does not exist.", "code": "NOT_FOUND"}],
    }
    accepted = graphql(sandboxes, "eu", CANCEL, {"id": eu_order.gid}).json()["data"]["orderCancel"]
    assert accepted["orderCancelUserErrors"] == [] and accepted["job"]
    assert [call.accepted for call in sandboxes.shops["us"].store.cancel_calls] == [False]
    assert [call.accepted for call in sandboxes.shops["eu"].store.cancel_calls] == [True]


def test_each_shop_takes_only_its_own_token(make_sandboxes):
    sandboxes = make_sandboxes(world=store_world(20))
    tokens = {store: sandboxes.shop_token(store) for store in sandboxes.shops}
    assert len(set(tokens.values())) == 3 and tokens["eu"] == sandboxes.shopify_token
    for store in sandboxes.shops:
        for owner, token in tokens.items():
            reply = graphql(sandboxes, store, NODES, {"ids": []}, token=token)
            assert reply.status_code == (200 if owner == store else 401), (store, owner)


def test_throttling_one_shop_leaves_another_bucket_full(make_sandboxes):
    options = SandboxOptions(shop_options={"us": ShopOptions(bucket_size=30, restore_rate=0.01)})
    world = store_world(200)
    sandboxes = make_sandboxes(world=world, options=options)
    ids = [o.gid for o in world.orders_of("us")][:20]
    statuses = []
    for _ in range(3):
        body = graphql(sandboxes, "us", NODES, {"ids": ids}).json()
        statuses.append(body.get("errors", [{}])[0].get("extensions", {}).get("code"))
    assert statuses[-1] == "THROTTLED"
    for store in ("eu", "b2b"):
        body = graphql(sandboxes, store, NODES, {"ids": [o.gid for o in world.orders_of(store)][:20]}).json()
        assert "errors" not in body
        throttle = body["extensions"]["cost"]["throttleStatus"]
        spent = body["extensions"]["cost"]["actualQueryCost"]
        assert throttle["maximumAvailable"] == 2000.0  # the standard preset
        assert throttle["currentlyAvailable"] >= throttle["maximumAvailable"] - spent


@pytest.mark.parametrize(("kind", "status"), [("http_503", 503), ("http_401", 401)])
def test_one_shop_can_fail_everything_while_the_others_answer(make_sandboxes, kind, status):
    failing = ShopOptions(faults=FaultPlan([FaultRule(kind, probability=1.0)]))
    sandboxes = make_sandboxes(world=store_world(20), options=SandboxOptions(shop_options={"b2b": failing}))
    for _ in range(3):
        assert graphql(sandboxes, "b2b", NODES, {"ids": []}).status_code == status
    assert {graphql(sandboxes, store, NODES, {"ids": []}).status_code for store in ("eu", "us")} == {200}
    assert len(failing.faults.injected) == 3


def test_connections_and_secrets_name_every_shop(make_sandboxes):
    sandboxes = make_sandboxes(world=store_world(20))
    connections = sandboxes.connections()
    assert list(connections) == ["netsuite_default", "shopify_default", "shopify_us", "shopify_b2b"]
    for store, conn_id in (("eu", "shopify_default"), ("us", "shopify_us"), ("b2b", "shopify_b2b")):
        assert connections[conn_id]["host"] == sandboxes.shop_url(store)
        assert connections[conn_id]["password"] == sandboxes.shop_token(store)
        assert sandboxes.shop_token(store) in sandboxes.secrets()
    assert len({sandboxes.shop_url(store) for store in sandboxes.shops}) == 3
    assert sandboxes.shopify_url == sandboxes.shop_url("eu") and sandboxes.shopify is sandboxes.shops["eu"]
    assert set(sandboxes.connection_env()) == {f"AIRFLOW_CONN_{conn_id.upper()}" for conn_id in connections}


def test_options_for_a_store_the_world_lacks_are_refused():
    with pytest.raises(ValueError, match="outlet"):
        Sandboxes(store_world(5), SandboxOptions(shop_options={"outlet": ShopOptions()}))
