"""Runs that overlap under the real scheduler send one orderCancel per order between them.

A backfill of five hourly windows started all at once (its own max_active_runs 5; the DAG's 1 does not
hold a backfill back), each window reaching 15 minutes into the one before; and manual runs beside a
backfill run over the same window (a backfill run is made by the scheduler from a data interval, as a
scheduled run is; the session's scheduled runs are a whole hour apart). Every run ends green, each Shopify order gets exactly one orderCancel,
and the ledger counts each cancelled order in exactly one run — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from devtools.local_airflow import wait_until
from include.cancel_sync.constants import LEDGER_CONN_ID, NETSUITE_CONN_ID
from include.cancel_sync.ledger import Ledger, ledger_table
from sandbox.world import build_world
from tests.dag_runs import ledger_connection
from tests.scheduler.conftest import DAG_ID, INTERVAL, OVERLAP, RUN_FINISHED, parse_utc, saved_report
from tests.timing import scaled
from tests.world_expectations import cancellable_gids

pytestmark = pytest.mark.scheduler

# Naive UTC, after the DAG's start_date; each ledger its own days (a backfill skips dates that already ran).
FIRST = {"sqlite": datetime(2026, 1, 12), "postgres": datetime(2026, 1, 14)}
WINDOWS = 5


def use_ledger(airflow_api, url: str) -> Ledger:
    airflow_api.set_connections({LEDGER_CONN_ID: ledger_connection(url)})
    return Ledger(url)


def patient_shopify(airflow_api, sandboxes) -> None:
    """The Shopify connection waits as long as the test holds a cancel (its 60 s would end a held request)."""
    shops = {conn_id: conn for conn_id, conn in sandboxes.connections().items() if conn_id != NETSUITE_CONN_ID}
    for conn in shops.values():
        conn["extra"] = {**conn["extra"], "timeout": RUN_FINISHED}
    airflow_api.set_connections(shops)


def compared_together(airflow_api, first: datetime, sharing: list[tuple[int, int]]) -> tuple[str, str] | None:
    """Run ids of two backfill runs over windows that share orders whose compare tasks have all succeeded."""
    compared: dict[int, str] = {}
    for run in airflow_api.runs(DAG_ID, run_type="backfill"):
        states = [
            ti["state"]
            for ti in airflow_api.task_instances(DAG_ID, run["dag_run_id"])
            if ti["task_id"] == "compare_with_shopify"
        ]
        if states and all(state == "success" for state in states):
            compared[(parse_utc(run["data_interval_start"]) - first) // INTERVAL] = run["dag_run_id"]
    return next(((compared[a], compared[b]) for a, b in sharing if a in compared and b in compared), None)


def cancelled_rows_by_run(ledger: Ledger) -> Counter:
    with ledger.engine.connect() as db:
        rows = db.execute(
            sa.select(ledger_table.c.shopify_gid, ledger_table.c.run_id).where(ledger_table.c.outcome == "cancelled")
        )
        return Counter(gid for gid, _ in rows)


@pytest.mark.parametrize("ledger_url", ["sqlite", "postgres"], indirect=True)
def test_a_backfill_of_overlapping_windows_run_side_by_side_cancels_each_order_once(
    airflow_api, use_sandboxes, live_airflow, ledger_url, request
):
    first = FIRST[request.node.callspec.params["ledger_url"]]
    # Orders all over the five hours: those in each hour's last 15 minutes are read by two runs.
    world = build_world(90, first, first + WINDOWS * INTERVAL, seed=37, every_scenario=True)
    sandboxes = use_sandboxes(world)
    patient_shopify(airflow_api, sandboxes)
    ledger = use_ledger(airflow_api, ledger_url)
    windows = [
        cancellable_gids(world, first + k * INTERVAL - OVERLAP, first + (k + 1) * INTERVAL) for k in range(WINDOWS)
    ]
    sharing = [(k, k + 1) for k in range(WINDOWS - 1) if windows[k] & windows[k + 1]]
    # Every orderCancel waits in Shopify until two runs that share orders have both compared: both found
    # those orders open, so both go to cancel them. Whatever order the pool runs the tasks in (it runs a
    # run's cancel before other runs' compares), the two then meet in the ledger: a claim, or a cancel on
    # record. (No deadlock: each run here has one batch, so a blocked cancel task is a compared run, and any
    # four of the five windows hold a sharing pair; the pool has four slots.)
    sandboxes.shopify.hold.arm(after=0, body_contains="orderCancel")

    airflow_api.create_backfill(
        DAG_ID,
        first.replace(tzinfo=UTC),
        (first + (WINDOWS - 1) * INTERVAL).replace(tzinfo=UTC),
        timeout=scaled(30),
        max_active_runs=WINDOWS,
    )
    try:
        met = wait_until(
            lambda: compared_together(airflow_api, first, sharing),
            WINDOWS * RUN_FINISHED,
            f"two runs of windows sharing orders {sharing} compared before any cancel went through",
        )
    finally:
        sandboxes.shopify.hold.release()
    runs = airflow_api.wait_for_runs(DAG_ID, timeout=WINDOWS * RUN_FINISHED, run_type="backfill")
    runs = [run for run in runs if first <= parse_utc(run["data_interval_start"]) < first + WINDOWS * INTERVAL]

    assert len(runs) == WINDOWS and all(run["state"] == "success" for run in runs), runs
    calls = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)
    expected = cancellable_gids(world, first - OVERLAP, first + WINDOWS * INTERVAL)
    assert set(calls) == expected and set(calls.values()) == {1}  # one orderCancel per order, all runs together
    # Overlapping windows read some orders twice: the run that did not cancel one says who did.
    seen: Counter = Counter()
    by_other_run: Counter = Counter()
    for run in runs:
        for outcome in saved_report(live_airflow, run["dag_run_id"])["outcomes"]:
            seen[outcome["id"]] += 1
            by_other_run[run["dag_run_id"]] += (
                outcome["detail"].startswith("cancelled by run ") or outcome["outcome"] == "cancelling_in_other_run"
            )
    assert any(count > 1 for count in seen.values())
    assert sum(by_other_run[run_id] for run_id in met) > 0, (met, by_other_run)
    # The ledger counts each cancelled order once, in one run; no claim left open.
    assert cancelled_rows_by_run(ledger) == Counter(dict.fromkeys(expected, 1))
    assert ledger.open_intents(expected) == {}
    # (The session's scheduled run of the hour may also have reported into this ledger: only the backfill's count.)
    backfill = {run["dag_run_id"] for run in runs}
    assert sorted(row["state"] for row in ledger.runs([DAG_ID]) if row["run_id"] in backfill) == ["success"] * WINDOWS


def test_manual_runs_beside_a_backfill_run_over_the_same_orders_cancel_each_once(
    airflow_api, use_sandboxes, live_airflow, ledger_path
):
    start = datetime(2026, 1, 13)
    world = build_world(40, start, start + INTERVAL, seed=41, every_scenario=True)
    sandboxes = use_sandboxes(world)
    patient_shopify(airflow_api, sandboxes)
    shopify = sandboxes.shopify
    # The first cancels to reach Shopify wait there (their run's claims open) until two runs are cancelling at
    # once: the backfill run and a manual run (the DAG's max_active_runs lets one manual run at a time).
    shopify.hold.arm(after=0, body_contains="orderCancel")
    airflow_api.create_backfill(DAG_ID, start.replace(tzinfo=UTC), start.replace(tzinfo=UTC), timeout=scaled(30))
    conf = {"window_start": (start - OVERLAP).isoformat() + "Z", "window_end": (start + INTERVAL).isoformat() + "Z"}
    manual = [airflow_api.trigger(DAG_ID, conf)["dag_run_id"] for _ in range(2)]
    shopify.hold.wait_held(1, RUN_FINISHED)

    def cancelling() -> bool:
        runs = airflow_api.runs(DAG_ID, state=["running"])
        states = [
            ti["state"]
            for run in runs
            for ti in airflow_api.task_instances(DAG_ID, run["dag_run_id"])
            if ti["task_id"] == "cancel_in_shopify"
        ]
        return states.count("running") >= 2

    wait_until(cancelling, RUN_FINISHED, "two runs' cancel tasks running at once")
    shopify.hold.release()
    backfill = airflow_api.wait_for_runs(DAG_ID, timeout=RUN_FINISHED, run_type="backfill")
    backfill = [
        run
        for run in backfill
        if run["data_interval_start"] == start.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    ]
    finished = [airflow_api.wait_for_run(DAG_ID, run_id, timeout=RUN_FINISHED) for run_id in manual] + backfill

    assert len(finished) == 3 and all(run["state"] == "success" for run in finished), finished
    calls = Counter(call.order_id for call in shopify.store.cancel_calls)
    expected = cancellable_gids(world, start - OVERLAP, start + INTERVAL)
    assert set(calls) == expected and set(calls.values()) == {1}
    ledger = Ledger(f"sqlite:///{ledger_path}")
    assert cancelled_rows_by_run(ledger) == Counter(dict.fromkeys(expected, 1))
