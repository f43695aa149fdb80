"""The real DAG, run in-process against both sandboxes over HTTP.

Expectations come from the world builder's scenarios (what each order was made to be)
and are checked against the Shopify sandbox's own record of calls and money movements.
"""

from __future__ import annotations

import pytest

from include.cancel_sync.ledger import Ledger
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIO_BY_NAME, SCENARIOS
from tests.conftest import WORLD_END, WORLD_START
from tests.dag_runs import run_sync, whole_world_window
from tests.world_expectations import CANCELLED_OUTCOMES, expected_outcomes, shopify_gid

pytestmark = pytest.mark.usefixtures("airflow_db")

ON = {"netsuite_shopify_cancel_enabled": "true"}
DEFAULT_SCENARIOS = [scenario.name for scenario in SCENARIOS if scenario.weight > 0]
WINDOW = whole_world_window(WORLD_START, WORLD_END)


@pytest.fixture
def netsuite_auth() -> str:
    """The kind of netsuite_default connection: tests parametrize it to run on OAuth 2.0 client credentials too."""
    return "tba"


@pytest.fixture
def sandboxes(make_sandboxes, netsuite_auth):
    options = SandboxOptions(netsuite_auth=netsuite_auth)
    return make_sandboxes(count=2 * len(DEFAULT_SCENARIOS), seed=11, every_scenario=True, options=options)


def assert_authenticated_with(sandboxes, netsuite_auth: str) -> None:
    stats = sandboxes.netsuite.stats
    assert stats["auth_failures"] == 0
    assert stats["token_requests"] == (1 if netsuite_auth == "m2m" else 0)  # one token for the extraction


def cancelled_gids(sandboxes) -> list[str]:
    return [call.order_id for call in sandboxes.shopify.store.cancel_calls if call.accepted]


@pytest.mark.parametrize("netsuite_auth", ["tba", "m2m"])
def test_toggle_off_cancels_nothing_and_reports_the_plan(sandboxes, tmp_path, netsuite_auth):
    run = run_sync(sandboxes, tmp_path, variables={}, conf=WINDOW)
    assert run.state == "success"
    assert_authenticated_with(sandboxes, netsuite_auth)
    assert sandboxes.shopify.store.cancel_calls == []
    expected = expected_outcomes(sandboxes.world)
    would = {nid for nid, outcome in expected.items() if outcome in CANCELLED_OUTCOMES}
    assert {o["id"] for o in run.outcomes if o["outcome"] == "would_cancel"} == would
    assert run.report["mode"].startswith("cancel sync off")
    assert all("netsuite_shopify_cancel_enabled" in o["detail"] for o in run.outcomes if o["outcome"] == "would_cancel")


@pytest.mark.parametrize("netsuite_auth", ["tba", "m2m"])
def test_toggle_on_cancels_exactly_the_qualifying_orders_and_refunds_paid_ones(
    sandboxes, tmp_path, ledger_url, netsuite_auth
):
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=WINDOW, ledger_url=ledger_url)
    assert run.state == "success", run.task_states
    assert_authenticated_with(sandboxes, netsuite_auth)
    world = sandboxes.world
    expected = expected_outcomes(world)
    assert {o["id"]: o["outcome"] for o in run.outcomes} == expected
    to_cancel = {shopify_gid(world, nid) for nid, outcome in expected.items() if outcome == "cancelled"}
    calls = cancelled_gids(sandboxes)
    assert sorted(calls) == sorted(to_cancel)  # each exactly once
    refunded = {m.order_id for m in sandboxes.shopify.store.refunds if m.kind == "refund"}
    paid = {
        shopify_gid(world, nid)
        for nid, outcome in expected.items()
        if outcome == "cancelled"
        and SCENARIO_BY_NAME[world.scenarios[nid]].financial_status in ("PAID", "PARTIALLY_PAID")
    }
    assert refunded == paid and paid
    for call in sandboxes.shopify.store.cancel_calls:
        assert call.arguments["refundMethod"] == {"originalPaymentMethodsRefund": call.order_id in paid}
        assert call.arguments["reason"] == "OTHER" and call.restock is False and call.notify_customer is False
        assert "refund" not in call.arguments  # the deprecated argument is never sent
        assert "netsuite_shopify_cancel_sync" in call.staff_note
    assert run.report["cancelled_with_refund"] == len(paid)
    # The ledger holds one final row per order, matching the report; no intent left open.
    ledger = Ledger(run.ledger_url)
    rows = ledger.history()
    assert {r["netsuite_id"]: r["outcome"] for r in rows} == expected and len(rows) == len(expected)
    assert ledger.open_intents(to_cancel) == {}
    assert {r["shopify_gid"] for r in rows if r["refund_requested"]} == paid


def test_prevent_refund_cancels_the_same_orders_with_zero_refunds(sandboxes, tmp_path):
    run = run_sync(sandboxes, tmp_path, variables=ON | {"netsuite_shopify_prevent_refund": "yes"}, conf=WINDOW)
    assert run.state == "success", run.task_states
    expected = expected_outcomes(sandboxes.world)
    assert len(cancelled_gids(sandboxes)) == sum(1 for o in expected.values() if o == "cancelled")
    assert [m for m in sandboxes.shopify.store.refunds if m.kind != "void"] == []
    assert all(
        c.arguments["refundMethod"] == {"originalPaymentMethodsRefund": False}
        for c in sandboxes.shopify.store.cancel_calls
    )
    assert run.report["cancelled_with_refund"] == 0


def test_every_skip_is_reported_with_its_reason(sandboxes, tmp_path):
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=WINDOW)
    lines = {row["netsuite_id"]: row for row in run.report["not_cancelled"]}
    for netsuite_id, outcome in expected_outcomes(sandboxes.world).items():
        if outcome == "cancelled":
            assert netsuite_id not in lines
            continue
        row = lines[netsuite_id]
        assert row["outcome"] == outcome and row["reason"], row
    reasons = " ".join(row["reason"] for row in lines.values())
    fragments = ["link field is empty", "Product id", "FULFILLED", "return status", "has no order"]
    fragments += ["(Pending Fulfillment) still holds this Shopify order", "billed (invoice or cash sale)"]
    fragments += ["a fulfillment service has this order; cancel it there first"]
    for fragment in fragments:
        assert fragment in reasons


def test_dry_run_has_no_side_effect(sandboxes, tmp_path):
    before = {o.id: o for o in sandboxes.world.shopify_orders}
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=WINDOW | {"dry_run": True})
    assert run.state == "success"
    assert sandboxes.shopify.store.cancel_calls == [] and sandboxes.shopify.store.refunds == []
    assert run.report["mode"].startswith("dry run")
    assert any(o["outcome"] == "would_cancel" and "dry run" in o["detail"] for o in run.outcomes)
    assert {o.id for o in sandboxes.world.shopify_orders} == set(before)


def test_same_window_twice_sends_no_second_cancel(sandboxes, tmp_path):
    first = run_sync(sandboxes, tmp_path / "first", variables=ON, conf=WINDOW)
    calls_after_first = len(sandboxes.shopify.store.cancel_calls)
    second = run_sync(sandboxes, tmp_path / "second", variables=ON, conf=WINDOW)
    assert first.state == second.state == "success"
    assert len(sandboxes.shopify.store.cancel_calls) == calls_after_first > 0
    cancelled_first = {o["id"] for o in first.outcomes if o["outcome"] == "cancelled"}
    assert {o["id"] for o in second.outcomes if o["outcome"] == "already_cancelled"} >= cancelled_first


def test_order_ids_param_resyncs_just_those(sandboxes, tmp_path):
    expected = expected_outcomes(sandboxes.world)
    chosen = sorted(nid for nid, outcome in expected.items() if outcome == "cancelled")[:2]
    not_canceled = next(nid for nid, name in sandboxes.world.scenarios.items() if name == "pending_fulfillment")
    conf = {"netsuite_order_ids": ",".join(map(str, [*chosen, not_canceled]))}
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=conf)
    assert run.state == "success"
    assert sorted(o["id"] for o in run.outcomes) == chosen  # the open order is not a cancellation
    assert sorted(cancelled_gids(sandboxes)) == sorted(shopify_gid(sandboxes.world, nid) for nid in chosen)


def test_garbage_variable_fails_the_run_naming_it_and_cancels_nothing(sandboxes, tmp_path):
    run = run_sync(sandboxes, tmp_path, variables=ON | {"netsuite_shopify_prevent_refund": "maybe"}, conf=WINDOW)
    assert run.state == "failed"
    assert run.task_states["resolve_run"] == ["failed"]  # once: a bad setting is not retried
    assert sandboxes.shopify.store.cancel_calls == []
