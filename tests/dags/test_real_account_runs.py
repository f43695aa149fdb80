"""The DAG on what real accounts have (issue 12): NetSuite on the token user's time zone across daylight
saving changes, a connection without its time zone, and cancels Shopify accepts but does not carry out.

Expectations come from the world builder's scenarios; the Shopify sandbox's own record says what was sent.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timedelta

import pytest

from include.cancel_sync.constants import NETSUITE_CONN_ID
from sandbox.runner import SandboxOptions
from sandbox.world import JOB_FAILURE, SCENARIOS, build_world
from tests.dag_runs import load_dag, run_sync, whole_world_window
from tests.world_expectations import in_window, shopify_gid

pytestmark = pytest.mark.usefixtures("airflow_db")

ON = {"netsuite_shopify_cancel_enabled": "true"}
PAID_ONLY = {s.name: int(s.name == "cancel_paid") for s in SCENARIOS}
# Los Angeles falls back at 2026-11-01 09:00Z (01:59:59 PDT → 01:00:00 PST): 01:00-02:00 happens twice.
AUTUMN_CHANGE = datetime(2026, 11, 1, 9, 0)


@pytest.mark.parametrize("overlap_reading", ["later", "earlier"])
def test_a_window_across_the_repeated_autumn_hour_cancels_every_order_in_it(make_sandboxes, tmp_path, overlap_reading):
    # Orders every few minutes from 2 h before to 2 h after the change; the run's window is the hour that
    # starts at 01:30 PDT and ends at 01:30 PST: the same wall-clock time at both ends.
    world = build_world(
        80, AUTUMN_CHANGE - timedelta(hours=2), AUTUMN_CHANGE + timedelta(hours=2), seed=5, scenarios=PAID_ONLY
    )
    assert world.netsuite_timezone == "America/Los_Angeles"
    sandboxes = make_sandboxes(world=world, options=SandboxOptions(netsuite_dst_overlap=overlap_reading))
    start, end = AUTUMN_CHANGE - timedelta(minutes=30), AUTUMN_CHANGE + timedelta(minutes=30)

    run = run_sync(sandboxes, tmp_path, variables=ON, conf=whole_world_window(start, end))

    assert run.state == "success", run.task_states
    inside = set(in_window(world, start, end))
    assert inside and len(inside) < len(world.sales_orders)
    cancelled = {o["id"] for o in run.outcomes if o["outcome"] == "cancelled"}
    assert cancelled >= inside  # every order of the window, under either reading of the repeated hour
    # Near a change the window may read up to the change's hour more on each side, never anything further.
    assert set(in_window(world, start - timedelta(hours=1), end + timedelta(hours=1))) >= cancelled
    calls = [c.order_id for c in sandboxes.shopify.store.cancel_calls]
    assert sorted(calls) == sorted({shopify_gid(world, nid) for nid in cancelled})  # each once
    # Times read back from NetSuite's wall clock are UTC again in the report. NetSuite prints no offset, so a
    # time of the repeated hour reads as its first pass: the second pass (09:00-10:00Z) shows an hour early.
    modified = {o["id"]: o["modified"] for o in run.outcomes}
    for nid in cancelled:
        instant = world.sales_order(nid).last_modified
        shown = (
            instant - timedelta(hours=1) if AUTUMN_CHANGE <= instant < AUTUMN_CHANGE + timedelta(hours=1) else instant
        )
        assert modified[nid] == shown.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_netsuite_connection_without_its_time_zone_fails_the_run_once_saying_what_to_set(make_sandboxes, tmp_path):
    world = build_world(10, datetime(2026, 1, 15), datetime(2026, 1, 15, 6), seed=2, scenarios=PAID_ONLY)
    sandboxes = make_sandboxes(world=world)
    connections = copy.deepcopy(sandboxes.connections())
    del connections[NETSUITE_CONN_ID]["extra"]["timezone"]

    run = run_sync(
        sandboxes,
        tmp_path,
        variables=ON,
        conf=whole_world_window(world.sales_orders[0].last_modified, datetime(2026, 1, 16)),
        connections=connections,
    )

    assert run.state == "failed"
    assert run.task_states["extract_canceled_orders"] == ["failed"]  # once: a missing setting is not retried
    assert sandboxes.netsuite.stats["requests"] == 0 and sandboxes.shopify.store.cancel_calls == []
    # The report says what to set and where NetSuite shows it.
    assert run.report["failed_step"] == "extract_canceled_orders"
    assert "extra timezone is not set" in run.report["reason"]
    assert "Home > Set Preferences > Time Zone" in run.report["reason"]


def test_a_cancel_shopify_accepts_but_does_not_carry_out_fails_the_run_with_the_reason(make_sandboxes, tmp_path):
    scenarios = PAID_ONLY | {"cancel_job_fails": 1}
    world = build_world(8, datetime(2026, 1, 15), datetime(2026, 1, 15, 6), seed=4, scenarios=scenarios)
    sandboxes = make_sandboxes(world=world, options=SandboxOptions(cancel_job_delay=0.2))
    failing = {nid for nid, name in world.scenarios.items() if name == "cancel_job_fails"}
    assert failing and len(failing) < len(world.sales_orders)

    run = run_sync(
        sandboxes, tmp_path, variables=ON, conf=whole_world_window(datetime(2026, 1, 15), datetime(2026, 1, 16))
    )

    assert run.state == "failed"
    outcomes = {o["id"]: o for o in run.outcomes}
    assert {nid for nid, o in outcomes.items() if o["outcome"] == "failed"} == failing
    assert all("cancel job ended with the order still open" in outcomes[nid]["detail"] for nid in failing)
    assert run.report["failed"] == len(failing)
    # One cancel for each order that went through; the failing ones were sent again by each retry of their
    # task (a cancel that did not happen is no cancel to repeat) and are still open in Shopify.
    calls = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)
    tries = load_dag().default_args["retries"] + 1
    assert calls == {shopify_gid(world, nid): tries if nid in failing else 1 for nid in world.scenarios}
    for nid in failing:
        order = sandboxes.shopify.store.get(world.shopify_ids[nid])
        assert order.cancelled_at is None and order.cancel_job_error == JOB_FAILURE
