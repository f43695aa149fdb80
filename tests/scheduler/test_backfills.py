"""A backfill over three intervals: the scheduler runs each, and each cancels only its own window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from sandbox.world import build_world
from tests.scheduler.conftest import (
    DAG_ID,
    INTERVAL,
    RUN_FINISHED,
    cancelled_in_report,
    parse_utc,
    received_during,
    reported_window,
    run_window,
    variables,
)
from tests.timing import scaled
from tests.world_expectations import cancellable_gids, cancellable_ids, cancelled_twice

pytestmark = pytest.mark.scheduler

FIRST_INTERVAL = datetime(2026, 1, 10)  # naive UTC, after the DAG's start_date
INTERVALS = 3


def test_backfill_over_three_intervals_cancels_each_window_once(airflow_api, use_sandboxes, live_airflow):
    world = build_world(63, FIRST_INTERVAL, FIRST_INTERVAL + INTERVALS * INTERVAL, seed=31, every_scenario=True)
    sandboxes = use_sandboxes(world)
    last_logical_date = FIRST_INTERVAL + (INTERVALS - 1) * INTERVAL
    # No overlap, so the windows tile the world; one run at a time, so each cancel belongs to one run.
    with variables(airflow_api, netsuite_shopify_window_overlap_minutes="0"):
        airflow_api.create_backfill(
            DAG_ID,
            FIRST_INTERVAL.replace(tzinfo=UTC),
            last_logical_date.replace(tzinfo=UTC),
            timeout=scaled(30),  # SQLite may be locked by the scheduler for a moment
            max_active_runs=1,
        )
        runs = airflow_api.wait_for_runs(DAG_ID, timeout=INTERVALS * RUN_FINISHED, run_type="backfill")
    # Other tests backfill other days.
    runs = [
        run for run in runs if FIRST_INTERVAL <= parse_utc(run["data_interval_start"]) < last_logical_date + INTERVAL
    ]

    runs.sort(key=lambda run: run["data_interval_start"])
    windows = [run_window(run, timedelta(0)) for run in runs]
    assert windows == [(FIRST_INTERVAL + i * INTERVAL, FIRST_INTERVAL + (i + 1) * INTERVAL) for i in range(INTERVALS)]
    assert all(parse_utc(one["end_date"]) <= parse_utc(two["start_date"]) for one, two in pairwise(runs)), runs
    # Runs went one after another, so the sandbox's record splits into one block of calls per run.
    accepted = sorted((c for c in sandboxes.shopify.store.cancel_calls if c.accepted), key=lambda c: c.sequence)
    position = 0
    for run, window in zip(runs, windows, strict=True):
        assert run["state"] == "success", run
        expected = cancellable_gids(world, *window)
        assert expected, f"the world has orders to cancel in {window}"
        block = accepted[position : position + len(expected)]
        position += len(expected)
        assert sorted(call.order_id for call in block) == sorted(expected), window
        assert all(received_during(call, run["start_date"], run["end_date"]) for call in block), window
        assert reported_window(live_airflow, run["dag_run_id"]) == window  # the overlap Variable reached the task
        assert cancelled_in_report(live_airflow, run["dag_run_id"]) == cancellable_ids(world, *window)
    assert position == len(accepted)  # and nothing else was cancelled
    assert not cancelled_twice(sandboxes.shopify.store)
