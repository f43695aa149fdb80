"""Several Shopify stores on one NetSuite account, in one run of the DAG.

Three stores, each marked the way its integration marks orders (NetSuite Connector's channel text, Celigo's
store record, a subsidiary), each with its own settings, plus orders of a store nobody configured. Ground truth
is the world's (which store each order belongs to, which scenario it plays); each shop's own record of the
cancels it received says what was sent where.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from include.cancel_sync.alerts.rules import build_alert
from include.cancel_sync.constants import SWEEP_DAG_ID
from include.cancel_sync.constants import SYNC_DAG_ID as DAG_ID
from include.cancel_sync.ledger import Ledger
from sandbox.faults import FaultPlan, FaultRule
from sandbox.runner import SandboxOptions, ShopOptions
from sandbox.stores import StoreSpec
from sandbox.world import SCENARIO_BY_NAME, build_world
from tests.conftest import WORLD_END, WORLD_START
from tests.dag_runs import run_sync, whole_world_window
from tests.world_expectations import CANCELLED_OUTCOMES, accepted_cancels, expected_outcomes

pytestmark = pytest.mark.usefixtures("airflow_db")

STORES = (
    StoreSpec("eu", connector="Shopify-EU"),
    StoreSpec("us", celigo=(201, "US Store")),
    StoreSpec("b2b", subsidiary=(3, "Wholesale Inc.")),
)
WINDOW = whole_world_window(WORLD_START, WORLD_END)
# The global Variables say: cancel, refund. eu prevents refunds, b2b only reports.
ON = {"netsuite_shopify_cancel_enabled": "true", "netsuite_shopify_prevent_refund": "false"}
MONEY_TAKEN = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"}  # what a refund can give back
OVERRIDES = {"eu": {"prevent_refund": True}, "b2b": {"cancel_enabled": False}}


def world_of_stores(count: int, seed: int):
    return build_world(
        count, WORLD_START, WORLD_END, seed=seed, stores=STORES, every_scenario=True, scenarios={"unknown_store": 4}
    )


def stores_variables(sandboxes, **kwargs) -> dict[str, str]:
    import json

    return ON | {"netsuite_shopify_stores": json.dumps(sandboxes.stores_variable(OVERRIDES, **kwargs))}


def gid_of(world, netsuite_id: int) -> str:
    return f"gid://shopify/Order/{world.shopify_ids[netsuite_id]}"


def expected_by_store(world) -> dict[str | None, dict[int, str]]:
    """Outcome each order must reach, grouped by its store (None: no configured store), b2b's cancels planned."""
    grouped: dict[str | None, dict[int, str]] = {}
    for netsuite_id, outcome in expected_outcomes(world).items():
        store = world.store_of[netsuite_id]
        if store == "b2b" and outcome in CANCELLED_OUTCOMES:
            outcome = "would_cancel"
        grouped.setdefault(store, {})[netsuite_id] = outcome
    return grouped


@pytest.mark.parametrize("celigo_match", ["id", "text"])
def test_each_store_cancels_only_its_own_orders_with_its_own_refund_setting(make_sandboxes, tmp_path, celigo_match):
    world = world_of_stores(count=3 * 40, seed=5)
    sandboxes = make_sandboxes(world=world)
    run = run_sync(sandboxes, tmp_path, stores_variables(sandboxes, celigo_match=celigo_match), WINDOW)
    assert run.state == "success", run.task_states

    expected = expected_by_store(world)
    got = {o["id"]: o for o in run.outcomes}
    assert {nid: o["outcome"] for nid, o in got.items()} == {
        nid: out for group in expected.values() for nid, out in group.items()
    }
    assert {nid: o["store"] for nid, o in got.items()} == {nid: world.store_of[nid] for nid in got}

    financial = {order.gid: order.financial_status for order in world.shopify_orders}
    for name, shop in sandboxes.shops.items():
        calls = [call for call in shop.store.cancel_calls if call.accepted]
        # Every cancel a shop received is for one of its own store's orders, once each.
        own = {
            gid_of(world, nid) for nid, store in world.store_of.items() if store == name and nid in world.shopify_ids
        }
        assert {call.order_id for call in calls} <= own, name
        assert max(Counter(accepted_cancels(shop.store)).values(), default=1) == 1, name
        cancelled = {gid_of(world, nid) for nid, out in expected.get(name, {}).items() if out == "cancelled"}
        assert {call.order_id for call in calls} == cancelled, name
        # Refunds follow the store's setting: never for eu; for us, whenever money was taken.
        for call in calls:
            paid = financial[call.order_id] in MONEY_TAKEN
            assert call.refund_requested == (name == "us" and paid), (name, call.order_id)
    assert not [c for c in sandboxes.shops["b2b"].store.cancel_calls]  # b2b only reports
    assert sum(1 for c in sandboxes.shops["eu"].store.cancel_calls if c.accepted) > 0
    assert any(c.refund_requested for c in sandboxes.shops["us"].store.cancel_calls)

    # Orders of the unknown store: read, reported "no_store", sent nowhere.
    unknown = expected[None]
    assert unknown and set(unknown.values()) == {"no_store"}
    assert all(got[nid]["store"] is None for nid in unknown)

    # The report counts per store as the outcomes do; the ledger keeps each row's store.
    per_store = run.report["stores"]
    for name in ("eu", "us", "b2b"):
        outcomes = Counter(expected[name].values())
        assert per_store[name]["outcomes"] == dict(sorted(outcomes.items())), name
    assert per_store["(no store)"]["outcomes"] == {"no_store": len(unknown)}
    assert per_store["eu"]["cancelled_with_refund"] == 0 < per_store["eu"]["cancelled"]
    assert per_store["b2b"]["mode"] == "cancel sync off (report only)"
    assert {row["netsuite_id"]: row["store"] for row in Ledger(run.ledger_url).history()} == {
        nid: world.store_of[nid] for nid in got
    }


def test_one_store_down_leaves_the_others_done_and_the_sweep_then_catches_its_orders(make_sandboxes, tmp_path):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    start, end = now - timedelta(hours=3), now - timedelta(hours=1)  # within the sweep's last day
    world = build_world(3 * 30, start, end, seed=8, stores=STORES, every_scenario=True, scenarios={"unknown_store": 3})
    down = FaultPlan([FaultRule("http_401", probability=1.0)])
    sandboxes = make_sandboxes(world=world, options=SandboxOptions(shop_options={"us": ShopOptions(faults=down)}))
    variables = stores_variables(sandboxes)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    run = run_sync(sandboxes, tmp_path / "sync", variables, whole_world_window(start, end), ledger_url)

    assert run.state == "failed"
    assert run.report["failed_stores"] == ["us"]
    assert run.report["stores"]["us"]["failed_batches"] >= 1 and run.report["stores"]["us"]["orders"] == 0
    expected = expected_by_store(world)
    got = {o["id"]: o["outcome"] for o in run.outcomes}
    for name in ("eu", "b2b"):  # finished as if us were up
        assert {nid: got.get(nid) for nid in expected[name]} == expected[name], name
    assert not sandboxes.shops["us"].store.cancel_calls
    assert not set(got) & set(expected["us"])  # us's orders are not in the report: its batches never finished
    alert = build_alert(DAG_ID, run.run_id, run.report, [], [])  # what the report task sent a person
    assert "did not finish (store us)" in alert.subject and "They are store us's" in alert.text
    eu_calls = len(sandboxes.shops["eu"].store.cancel_calls)
    assert eu_calls > 0

    # us is back: the sweep catches its orders, cancels them in us's shop with us's refund setting, and
    # sends nothing again to the stores that finished.
    sandboxes.shops["us"].faults.replace([])
    sweep = run_sync(sandboxes, tmp_path / "sweep", variables, {"days": 1}, ledger_url, dag_id=SWEEP_DAG_ID)
    assert sweep.state == "success", sweep.task_states
    us_cancelled = {nid for nid, out in expected["us"].items() if out == "cancelled"}
    caught = {o["id"]: o for o in sweep.outcomes if o.get("caught")}
    assert us_cancelled <= set(caught) and {caught[nid]["store"] for nid in us_cancelled} == {"us"}
    calls = [c for c in sandboxes.shops["us"].store.cancel_calls if c.accepted]
    assert sorted(c.order_id for c in calls) == sorted(gid_of(world, nid) for nid in us_cancelled)
    assert any(c.refund_requested for c in calls)  # us refunds paid orders
    assert len(sandboxes.shops["eu"].store.cancel_calls) == eu_calls and not sandboxes.shops["b2b"].store.cancel_calls
    assert sweep.report["stores"]["us"]["cancelled"] == len(us_cancelled)


def test_an_unknown_connection_fails_the_run_at_once_naming_store_and_field(make_sandboxes, tmp_path):
    import json

    world = world_of_stores(count=30, seed=2)
    sandboxes = make_sandboxes(world=world)
    stores = sandboxes.stores_variable(OVERRIDES)
    stores[1]["shopify_conn_id"] = "shopify_nowhere"
    run = run_sync(sandboxes, tmp_path, ON | {"netsuite_shopify_stores": json.dumps(stores)}, WINDOW)
    assert run.state == "failed"
    assert run.task_states["resolve_run"] == ["failed"]
    assert "store 'us' field 'shopify_conn_id'" in run.report["reason"] and "shopify_nowhere" in run.report["reason"]
    assert all(not shop.store.cancel_calls for shop in sandboxes.shops.values())


def test_without_the_stores_variable_every_order_is_the_default_store_s(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(count=30, seed=4)
    run = run_sync(sandboxes, tmp_path, ON, WINDOW)
    assert run.state == "success", run.task_states
    assert {o["store"] for o in run.outcomes} == {"default"}
    assert set(run.report["stores"]) == {"default"}
    expected = expected_outcomes(sandboxes.world)
    assert {o["id"]: o["outcome"] for o in run.outcomes} == expected
    assert all(SCENARIO_BY_NAME[sandboxes.world.scenarios[nid]].name != "unknown_store" for nid in expected)
