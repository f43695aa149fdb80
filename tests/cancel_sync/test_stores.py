"""The store list: what it accepts, what it refuses (naming the store and the field), and how orders are routed."""

from __future__ import annotations

import json

import pytest

from include.cancel_sync.records import Decision
from include.cancel_sync.settings import SettingsError, SyncSettings
from include.cancel_sync.stores import (
    DEFAULT_STORE,
    SelectorSource,
    StoreRouter,
    load_stores,
    run_stores,
)

EU = {
    "name": "eu",
    "shopify_conn_id": "shopify_eu",
    "netsuite": {"field": "custbody_fa_channel", "values": ["Shopify-EU"]},
}
US = {
    "name": "us",
    "shopify_conn_id": "shopify_us",
    "netsuite": {"field": "custbody_celigo_shopify_store", "values": ["US Store"], "match": "text"},
}
B2B = {"name": "b2b", "shopify_conn_id": "shopify_b2b", "netsuite": {"subsidiary": [3, "4"]}}
KNOWN = {"shopify_default", "shopify_eu", "shopify_us", "shopify_b2b"}


def load(entries, known=KNOWN):
    """`entries` as the Variable holds them (text is passed as it is)."""
    return load_stores(entries if isinstance(entries, str) else json.dumps(entries), known.__contains__)


def refusal(entries, known=KNOWN) -> str:
    with pytest.raises(SettingsError) as error:
        load(entries, known)
    return str(error.value)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_without_the_variable_there_is_one_store_on_shopify_default_taking_every_order(raw):
    (store,) = load_stores(raw, lambda conn_id: False)  # no connection is looked up
    assert (store.name, store.shopify_conn_id, store.selector, dict(store.overrides)) == (
        DEFAULT_STORE,
        "shopify_default",
        None,
        {},
    )
    assert StoreRouter([store]).route(()).store == DEFAULT_STORE


def test_a_store_overrides_only_what_it_names_parsed_as_the_variables_are():
    eu, us = load([EU | {"prevent_refund": "yes", "reason": "customer", "restock": True}, US])
    base = SyncSettings(cancel_enabled=True, prevent_refund=False, reason="OTHER", notify_customer=True)
    assert eu.settings(base) == SyncSettings(
        cancel_enabled=True, prevent_refund=True, reason="CUSTOMER", restock=True, notify_customer=True
    )
    assert us.settings(base) == base


def test_a_run_carries_its_stores_and_reads_them_back_the_same():
    stores = load([EU | {"link_field": "custbody_other_link"}, US, B2B])
    run = {"settings": {}, "window": None, "stores": [store.to_dict() for store in stores]}
    assert run_stores(json.loads(json.dumps(run))) == stores
    assert run_stores({"settings": {}, "window": None})[0].name == DEFAULT_STORE  # a run from before stores


@pytest.mark.parametrize(
    ("entries", "names"),
    [
        ("[", [STORES := "netsuite_shopify_stores", "not valid JSON"]),
        ({"name": "eu"}, [STORES, "JSON list"]),
        ([EU | {"prevent_refunds": True}], ["store 'eu'", "'prevent_refunds'"]),
        ([EU | {"prevent_refund": "maybe"}], ["store 'eu' field 'prevent_refund'", "true or false"]),
        ([EU | {"reason": "BORED"}], ["store 'eu' field 'reason'", "CUSTOMER"]),
        ([EU | {"link_field": "custbody x"}], ["store 'eu' field 'link_field'"]),
        ([EU | {"name": "EU Store"}], ["store 'EU Store' field 'name'"]),
        ([{k: v for k, v in EU.items() if k != "name"}], ["store #1 field 'name'"]),
        ([EU, {k: v for k, v in US.items() if k != "netsuite"}], ["store 'us' field 'netsuite' is required"]),
        ([EU | {"netsuite": {"field": "channel", "values": ["x"]}}], ["store 'eu' field 'netsuite'.field"]),
        ([EU | {"netsuite": {"field": "custbody_fa_channel", "values": []}}], ["store 'eu' field 'netsuite'.values"]),
        (
            [EU | {"netsuite": {"field": "custbody_fa_channel", "values": ["x"], "match": "label"}}],
            ["'netsuite'.match"],
        ),
        (
            [EU | {"netsuite": {"field": "custbody_fa_channel", "value": "x"}}],
            ["store 'eu' field 'netsuite'", "'value'"],
        ),
        ([B2B | {"netsuite": {"subsidiary": ["main"]}}], ["store 'b2b' field 'netsuite'.subsidiary"]),
        ([B2B | {"netsuite": {"subsidiary": [3], "field": "custbody_x"}}], ["store 'b2b' field 'netsuite'", "alone"]),
        ([EU, EU | {"shopify_conn_id": "shopify_us"}], ["stores 'eu' and 'eu'", "same name"]),
        ([EU, US | {"shopify_conn_id": "shopify_eu"}], ["stores 'eu' and 'us'", "same connection 'shopify_eu'"]),
    ],
)
def test_a_bad_store_list_is_refused_naming_the_store_and_the_field(entries, names):
    message = refusal(entries)
    assert all(name in message for name in names), message


def test_an_unknown_connection_is_refused_naming_the_store_and_what_to_create():
    message = refusal([EU, US], known={"shopify_eu"})
    assert "store 'us' field 'shopify_conn_id'" in message and "'shopify_us'" in message
    assert "Admin → Connections" in message


@pytest.mark.parametrize(
    "second",
    [
        US | {"netsuite": {"field": "custbody_fa_channel", "values": ["shopify-eu "]}},  # the same value, any case
        B2B | {"netsuite": {"subsidiary": [4]}},
    ],
)
def test_two_stores_claiming_the_same_value_of_the_same_field_are_refused(second):
    first = EU if "field" in second["netsuite"] else B2B | {"name": "b2c", "shopify_conn_id": "shopify_us"}
    message = refusal([first, second])
    assert "overlaps store" in message and f"store {second['name']!r}" in message


def test_the_same_field_read_as_id_and_as_text_is_two_sources():
    by_id = US | {"netsuite": {"field": "custbody_celigo_shopify_store", "values": ["201"]}}
    stores = load(
        [by_id, EU | {"netsuite": {"field": "custbody_celigo_shopify_store", "values": ["201"], "match": "text"}}]
    )
    assert StoreRouter(stores).sources == (
        SelectorSource("value", "custbody_celigo_shopify_store"),
        SelectorSource("text", "custbody_celigo_shopify_store"),
    )


def test_orders_are_routed_by_their_marks_and_nothing_is_guessed():
    router = StoreRouter(load([EU, US, B2B]))
    assert [source.describe() for source in router.sources] == [
        "custbody_fa_channel",
        "BUILTIN.DF(custbody_celigo_shopify_store)",
        "subsidiary",
    ]
    assert router.route(("Shopify-EU", None, "1")).store == "eu"
    assert router.route((" shopify-eu", None, "1")).store == "eu"  # trimmed, any case
    assert router.route((None, "US Store", "1")).store == "us"
    assert router.route((None, None, "4")).store == "b2b"
    nobody = router.route(("Amazon", None, "1"))
    assert (nobody.store, nobody.decision) == (None, Decision.NO_STORE)
    assert "custbody_fa_channel = 'Amazon'" in nobody.reason
    assert router.route((None, None, None)).reason.endswith("(no store marks)")
    both = router.route(("Shopify-EU", None, "3"))  # different fields can both claim an order
    assert (both.store, both.decision) == (None, Decision.SEVERAL_STORES)
    assert "eu, b2b" in both.reason
