"""A task that fails once is retried by the scheduler, and the retry never cancels an order twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandbox.faults import FaultPlan, FaultRule
from sandbox.runner import SandboxOptions
from sandbox.world import build_world
from tests.scheduler.conftest import DAG_ID, RUN_FINISHED, received_during, saved_report
from tests.world_expectations import accepted_cancels, cancellable_gids, cancellable_ids, shopify_gid

pytestmark = pytest.mark.scheduler

START = datetime(2026, 1, 20)
END = START + timedelta(hours=1)
CLIENT_ATTEMPTS = 8  # ShopifyClient's attempts per request; refusing all of them fails the order


def test_one_refused_cancel_fails_the_first_try_and_the_retry_finishes_without_double_cancels(
    airflow_api, use_sandboxes, live_airflow
):
    world = build_world(42, START, END, seed=41, every_scenario=True)
    victim = min(cancellable_ids(world, START, END))
    victim_gid = shopify_gid(world, victim)
    # 429 means the mutation never ran, so the client retries it; every attempt of the first try is refused.
    # The DAG sends one order per request: the request naming the victim is its cancel.
    victim_cancel = f'"orderId": "{victim_gid}"'
    refuse = FaultRule("http_429", nth=tuple(range(1, CLIENT_ATTEMPTS + 1)), body_contains=victim_cancel)
    sandboxes = use_sandboxes(world, SandboxOptions(shopify_faults=FaultPlan([refuse])))
    conf = {"window_start": START.isoformat() + "Z", "window_end": END.isoformat() + "Z"}

    run = airflow_api.wait_for_run(DAG_ID, airflow_api.trigger(DAG_ID, conf)["dag_run_id"], timeout=RUN_FINISHED)

    assert run["state"] == "success", run
    assert len(sandboxes.options.shopify_faults.injected) == CLIENT_ATTEMPTS
    tries = airflow_api.tries(DAG_ID, run["dag_run_id"], "cancel_in_shopify", 0)
    assert [t["try_number"] for t in tries] == [1, 2]
    assert tries[0]["state"] == "failed" and tries[1]["state"] == "success", tries
    task_instances = {
        (ti["task_id"], ti["map_index"]): ti for ti in airflow_api.task_instances(DAG_ID, run["dag_run_id"])
    }
    cancel_task = task_instances[("cancel_in_shopify", 0)]
    assert cancel_task["try_number"] == 2 and cancel_task["state"] == "success"

    expected = cancellable_gids(world, START, END)
    calls = sandboxes.shopify.store.cancel_calls
    assert sorted(accepted_cancels(sandboxes.shopify.store)) == sorted(expected)  # each exactly once
    accepted = [call for call in calls if call.accepted]
    first = [c.order_id for c in accepted if received_during(c, tries[0]["start_date"], tries[0]["end_date"])]
    second = [c.order_id for c in accepted if received_during(c, tries[1]["start_date"], tries[1]["end_date"])]
    assert sorted(first) == sorted(expected - {victim_gid})  # the first try did the rest of the batch
    assert second == [victim_gid]  # the retry sent only what was still open
    outcomes = {o["id"]: o["outcome"] for o in saved_report(live_airflow, run["dag_run_id"])["outcomes"]}
    assert {nid for nid, outcome in outcomes.items() if outcome == "cancelled"} == cancellable_ids(world, START, END)
