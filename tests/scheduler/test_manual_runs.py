"""Manual runs through the REST API, as an operator or another system would trigger them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandbox.world import build_world
from tests.conftest import WORLD_END, WORLD_START
from tests.scheduler.conftest import DAG_ID, RUN_FINISHED, TIMINGS, parse_utc, saved_report
from tests.world_expectations import accepted_cancels, cancellable_gids

pytestmark = pytest.mark.scheduler


def window_conf(start: datetime, end: datetime) -> dict[str, str]:
    return {"window_start": start.isoformat() + "Z", "window_end": end.isoformat() + "Z"}


def test_rest_triggered_run_cancels_exactly_the_orders_of_its_window(airflow_api, use_sandboxes):
    world = build_world(42, WORLD_START, WORLD_END, seed=11, every_scenario=True)
    sandboxes = use_sandboxes(world)
    start, end = WORLD_START + timedelta(hours=1), WORLD_START + timedelta(hours=4)
    conf = window_conf(start, end)

    triggered = airflow_api.trigger(DAG_ID, conf)
    assert triggered["logical_date"] is None and triggered["run_type"] == "manual"
    run = airflow_api.wait_for_run(DAG_ID, triggered["dag_run_id"], timeout=RUN_FINISHED)

    assert run["state"] == "success", run
    assert run["conf"] == conf
    expected = cancellable_gids(world, start, end)
    assert expected and cancellable_gids(world, WORLD_START, WORLD_END) - expected  # the window matters
    assert sorted(accepted_cancels(sandboxes.shopify.store)) == sorted(expected)
    task_instances = airflow_api.task_instances(DAG_ID, run["dag_run_id"])
    assert {ti["state"] for ti in task_instances} == {"success"}


def test_a_run_with_nothing_to_cancel_succeeds_and_touches_nothing(airflow_api, use_sandboxes, live_airflow):
    world = build_world(21, WORLD_START, WORLD_END, seed=12, every_scenario=True)
    sandboxes = use_sandboxes(world)
    empty_day = WORLD_END + timedelta(days=1)
    triggered = airflow_api.trigger(DAG_ID, window_conf(empty_day, empty_day + timedelta(hours=1)))
    run = airflow_api.wait_for_run(DAG_ID, triggered["dag_run_id"], timeout=RUN_FINISHED)

    assert run["state"] == "success", run
    assert sandboxes.shopify.store.cancel_calls == []
    assert saved_report(live_airflow, run["dag_run_id"])["report"]["orders"] == 0
    # How long it took is printed (the README quotes it for short schedules), never asserted.
    idle = parse_utc(run["end_date"]) - parse_utc(run["queued_at"])
    TIMINGS["idle run (queued → success)"] = idle.total_seconds()
