"""kill -9 of the cancel task in the middle of its batch: the scheduler's retry finishes it, cancelling nothing twice.

The process killed is the task process itself: the pid the REST API reports for the task instance,
a child of the LocalExecutor worker that supervises it (the supervisor must live to see the death,
report the try failed and let the scheduler retry it). When the retry starts, Shopify has finished
some of the dead try's cancels and is still running others: the retry must report the first as
cancelled by the earlier try and wait for Shopify's word on the rest (its ledger shows them in
doubt), sending neither again.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from devtools.local_airflow import AirflowError, wait_until
from include.cancel_sync.constants import LEDGER_CONN_ID
from include.cancel_sync.ledger import Ledger
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIOS, build_world
from tests.scheduler.conftest import DAG_ID, TIMINGS, parse_utc, saved_report
from tests.world_expectations import accepted_cancels, cancellable_gids, cancellable_ids, shopify_gid

pytestmark = pytest.mark.scheduler

START = datetime(2026, 1, 22)
END = START + timedelta(hours=1)
ORDERS = 150  # one batch (≤ 250), all cancel_paid
KILL_AFTER = 40  # accepted cancels the sandbox has recorded before the kill
LATENCY = 0.08  # seconds per request on both sandboxes: the cancel task takes seconds
TASK_ID = "cancel_in_shopify"
EARLIER_TRY = "cancelled by an earlier try"
# Shopify's cancel jobs: quick, except those accepted from the KILL_AFTER-th cancel up to the kill,
# which outlast the kill → retry gap: 3.7-9.4 s measured (up to 5 s for the supervisor to notice the
# death, 3 s retry delay, the rest scheduling). With a constant 1 s nothing is left running by then,
# and the retry's wait for cancels in doubt would go untested.
FAST_JOB = 0.5
SLOW_JOB = 20.0
RETRY_STARTUP = timedelta(seconds=2)  # generous: from the retry's start to its first look at Shopify


def test_kill_9_of_the_cancel_task_mid_batch_is_retried_without_a_second_cancel(
    airflow_api, use_sandboxes, live_airflow, tmp_path
):
    only_paid = {scenario.name: 0 for scenario in SCENARIOS} | {"cancel_paid": 1}
    world = build_world(ORDERS, START, END, seed=9, scenarios=only_paid)
    expected_ids = cancellable_ids(world, START, END)
    expected = cancellable_gids(world, START, END)
    assert len(expected) == ORDERS
    sandboxes = use_sandboxes(world, SandboxOptions(latency=LATENCY, cancel_job_delay=FAST_JOB))
    store = sandboxes.shopify.store
    port = int(sandboxes.shopify_url.rsplit(":", 1)[1])
    # A ledger of this test's own: other tests' worlds reuse the same Shopify ids.
    ledger_path = tmp_path / "ledger.sqlite"
    airflow_api.set_connections({LEDGER_CONN_ID: {"conn_type": "sqlite", "host": str(ledger_path)}})
    try:
        conf = {"window_start": START.isoformat() + "Z", "window_end": END.isoformat() + "Z"}
        started = time.monotonic()
        run_id = airflow_api.trigger(DAG_ID, conf)["dag_run_id"]
        ti_path = f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}/0"

        wait_until(lambda: accepted_cancels(store), 90, "the first cancel", interval=0.02)
        task = airflow_api.get(ti_path)
        assert task["try_number"] == 1 and task["state"] == "running" and task["pid"], task
        pid = task["pid"]
        assert {pid, _parent(pid)} <= live_airflow.running_pids()  # this Airflow's task and its supervisor
        _check_is_the_task_process(pid, port)
        wait_until(lambda: len(accepted_cancels(store)) >= KILL_AFTER, 60, f"{KILL_AFTER} cancels", interval=0.01)
        with store.lock:  # every call recorded from here on started a slow job
            store.cancel_job_delay = SLOW_JOB
            quick = len(store.cancel_calls)
        ledger = Ledger(f"sqlite:///{ledger_path}")
        first_try_calls, freezes = _kill_when_every_intent_reached_shopify(pid, store, ledger, expected, port, quick)
        killed = time.monotonic()
        store.cancel_job_delay = FAST_JOB  # for the retry's own cancels
        first_try = [call.order_id for call in first_try_calls]
        assert all(call.accepted for call in first_try_calls)
        assert KILL_AFTER <= len(first_try) < ORDERS, "the kill must land inside the batch"

        retry = wait_until(lambda: _retry_running(airflow_api.get(ti_path)), 60, "the retry to start")
        retry_seen = time.monotonic()
        run = airflow_api.wait_for_run(DAG_ID, run_id, timeout=120)
        finished = time.monotonic()
    finally:
        airflow_api.request("DELETE", f"/connections/{LEDGER_CONN_ID}")
    sent = f"{len(first_try)} of {ORDERS} cancels sent before the kill"
    TIMINGS[f"kill test: trigger → kill (frozen {freezes}x to pick the moment)"] = killed - started
    TIMINGS["kill test: kill → retry running"] = retry_seen - killed
    TIMINGS[f"kill test: kill → run finished ({sent})"] = finished - killed

    # Airflow: the supervisor reported the dead try failed, the scheduler retried it, the run succeeded.
    assert run["state"] == "success", run
    tries = airflow_api.tries(DAG_ID, run_id, TASK_ID, 0)
    assert [(t["try_number"], t["state"], t["pid"]) for t in tries] == [
        (1, "failed", pid),
        (2, "success", retry["pid"]),
    ], tries
    assert retry["pid"] != pid
    task = airflow_api.get(ti_path)
    assert task["try_number"] == 2 and task["state"] == "success", task

    # The scenario: when the retry looked, Shopify had finished the dead try's quick cancels and was
    # still running some slow ones (due well after the retry started).
    retry_looks = parse_utc(tries[1]["start_date"]) + RETRY_STARTUP
    running = {call.order_id for call in first_try_calls if _job_due(store, call.job_id) > retry_looks}
    assert first_try[:quick] and running, "the kill → retry gap was not within (FAST_JOB, SLOW_JOB)"
    assert running <= set(first_try[quick:])

    # Shopify: every order cancelled by exactly one orderCancel (none sent again, not even a refused one).
    calls = store.cancel_calls
    assert Counter(call.order_id for call in calls) == Counter(expected)
    assert all(call.accepted for call in calls)
    assert {call.order_id for call in calls[len(first_try) :]} == expected - set(first_try)
    # Money: one full refund per order (refunds are on in the settings), nothing else.
    totals = {shopify_gid(world, nid): Decimal(world.sales_order(nid).total) for nid in expected_ids}
    movements = [(m.order_id, m.kind, Decimal(m.amount)) for m in store.refunds]
    assert sorted(movements) == sorted((gid, "refund", total) for gid, total in totals.items())

    # Ledger: nothing left in doubt; the dead try's intents are exactly what it sent, closed by the retry.
    assert ledger.open_intents(expected) == {}
    rows = [row for row in ledger.history() if row["run_id"] == run_id]
    dead_try_rows = [row for row in rows if row["try_number"] == 1]
    assert sorted(row["shopify_gid"] for row in dead_try_rows) == sorted(first_try)
    assert {row["outcome"] for row in dead_try_rows} == {"cancelled"}
    assert Counter(row["shopify_gid"] for row in rows if row["try_number"] == 2) == Counter(expected)

    # Report: all cancelled; the dead try's orders as cancelled by an earlier try, the rest by the retry.
    outcomes = {o["id"]: o for o in saved_report(live_airflow, run_id)["outcomes"]}
    assert {nid: o["outcome"] for nid, o in outcomes.items()} == dict.fromkeys(expected_ids, "cancelled")
    earlier = {o["gid"] for o in outcomes.values() if o["detail"].startswith(EARLIER_TRY)}
    assert earlier == set(first_try)


def _kill_when_every_intent_reached_shopify(
    pid: int, store, ledger: Ledger, gids: set[str], port: int, after: int
) -> tuple[list, int]:
    """SIGKILL the task process once Shopify has more than `after` cancels and every intent it committed.

    The process is frozen (SIGSTOP), the requests it already sent are given time to land, and it is
    killed only if each open intent in the ledger has its orderCancel in the sandbox's record;
    otherwise it runs on a little and is frozen again. (A try killed between an intent and its send
    leaves an order the retry waits the whole confirm timeout, 60 s, for: correct, but not this test.)
    Returns the cancel calls the killed try made, and how many times it was frozen.
    """
    deadline = time.monotonic() + 30
    for freezes in itertools.count(1):
        os.kill(pid, signal.SIGSTOP)
        killed = False
        try:
            wait_until(lambda: _stopped(pid), 10, f"process {pid} to stop", interval=0.01)
            time.sleep(LATENCY + 0.5)  # requests already sent land in the sandbox's record
            calls = store.cancel_calls
            if len(calls) > after and set(ledger.open_intents(gids)) <= {call.order_id for call in calls}:
                _check_is_the_task_process(pid, port)
                os.kill(pid, signal.SIGKILL)
                killed = True
                return calls, freezes
            if time.monotonic() > deadline:
                raise AirflowError("never caught the cancel task with every intent sent")
        finally:
            if not killed:
                os.kill(pid, signal.SIGCONT)  # never leave the task frozen
        time.sleep(0.03)
    raise AssertionError("unreachable")


def _check_is_the_task_process(pid: int, port: int) -> None:
    """`pid` runs the task code: it holds connections to the Shopify sandbox; its parent (the supervisor) does not."""
    parent = _parent(pid)
    assert _connections_to(pid, port), f"process {pid} has no connection to the Shopify sandbox"
    assert not _connections_to(parent, port), f"{pid}'s parent {parent} talks to Shopify itself"


def _retry_running(task: dict) -> dict | None:
    return task if task["try_number"] == 2 and task["state"] in ("running", "success") else None


def _job_due(store, job_id: str) -> datetime:
    """When Shopify finished (or will finish) a cancel job, as naive UTC (the API's timestamps, parsed)."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=store.job(job_id).due_at - store.clock())


def _stopped(pid: int) -> bool:
    """Every thread of `pid` stopped (a thread that has just exited counts as stopped)."""
    states = []
    for thread in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (thread / "stat").read_text()
        except OSError:
            continue
        states.append(stat[stat.rindex(")") + 2 :].split()[0])
    return all(state == "T" for state in states)


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _connections_to(pid: int, port: int) -> set[int]:
    """Inodes of `pid`'s TCP sockets connected to 127.0.0.1:`port`."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            sockets.add(int(target[8:-1]))
    peers = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and int(fields[9]) in sockets:
            peers.add(int(fields[9]))
    return peers
