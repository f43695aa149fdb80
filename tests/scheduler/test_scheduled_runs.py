"""Unpausing the DAG under a real scheduler: the latest interval runs on its own, in the pool."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.scheduler.conftest import DAG_ID, OVERLAP, SETTINGS, reported_window, run_window
from tests.world_expectations import cancellable_gids

pytestmark = pytest.mark.scheduler

POOL = "netsuite_shopify"
TASKS = {"resolve_run", "extract_canceled_orders", "compare_with_shopify", "cancel_in_shopify", "report"}


def test_unpausing_runs_the_latest_interval_and_cancels_exactly_its_orders(scheduled_runs, live_airflow):
    runs, world = scheduled_runs.runs, scheduled_runs.world
    assert [run["run_type"] for run in runs] == ["scheduled"] * len(runs)
    assert [run["state"] for run in runs] == ["success"] * len(runs), runs
    for run in runs:
        assert reported_window(live_airflow, run["dag_run_id"]) == run_window(run, OVERLAP)
    expected = set().union(*(cancellable_gids(world, *run_window(run, OVERLAP)) for run in runs))
    everything = cancellable_gids(world, datetime.min, datetime.max)
    assert expected, "the world was built inside the latest interval"
    assert everything - expected, "the world also holds older orders, which the window must leave alone"
    accepted = [call.order_id for call in scheduled_runs.cancel_calls if call.accepted]
    assert sorted(accepted) == sorted(expected)  # each exactly once


def test_the_settings_pool_exists_and_every_task_runs_in_it(airflow_api, scheduled_runs):
    pool = airflow_api.pool(POOL)
    assert pool["slots"] == SETTINGS["pools"][POOL]["slots"]
    task_instances = [ti for tis in scheduled_runs.task_instances.values() for ti in tis]
    assert {ti["task_id"] for ti in task_instances} == TASKS
    assert {ti["pool"] for ti in task_instances} == {POOL}
    assert {ti["state"] for ti in task_instances} == {"success"}
    assert airflow_api.get(f"/dags/{DAG_ID}")["is_paused"] is False
