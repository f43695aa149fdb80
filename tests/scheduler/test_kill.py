"""kill -9 of the cancel task in the middle of its batch: the scheduler's retry finishes it, cancelling nothing twice.

The middle is reached through the Shopify sandbox, never a clock: it runs the first KILL_AFTER
orderCancel requests and holds the later ones (sandbox/hold.py) until every one of the task's
remaining cancels waits there — the bucket holds enough for all of them, so the window of cancels in
flight (shopify/in_flight.py) admits them all and no intent in the ledger is without its request at
Shopify — and the task process is killed then. The held requests then run, as Shopify runs a request it has
received whoever is left to read the reply, and their cancel jobs are kept running until the retry
has read the orders. So when the retry looks, Shopify has finished KILL_AFTER of the dead try's
cancels and is still running the others: the retry must report the first as cancelled by an earlier
try and wait for Shopify's word on the rest (its ledger shows them in doubt), sending neither again.

The process killed is the task process itself: the pid the REST API reports for the task instance,
a child of the LocalExecutor worker that supervises it (the supervisor must live to see the death,
report the try failed and let the scheduler retry it).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from devtools.local_airflow import wait_until
from include.cancel_sync.cancel import CONCURRENCY
from include.cancel_sync.ledger import Ledger
from sandbox.shopify.gid import order_gid
from sandbox.world import SCENARIOS, build_world
from tests.scheduler.conftest import DAG_ID, RUN_FINISHED, TIMINGS, saved_report
from tests.timing import HTTP_TIMEOUT, PROCESS_EXIT
from tests.world_expectations import cancellable_gids, cancellable_ids, shopify_gid

pytestmark = pytest.mark.scheduler

START = datetime(2026, 1, 22)
END = START + timedelta(hours=1)
ORDERS = 100  # one batch (≤ 250), all cancel_paid
KILL_AFTER = 40  # orderCancel requests Shopify runs before it holds the rest
IN_FLIGHT = ORDERS - KILL_AFTER  # held: every other cancel, which the Standard bucket pays for at once
TASK_ID = "cancel_in_shopify"
EARLIER_TRY = "cancelled by an earlier try"


def test_kill_9_of_the_cancel_task_mid_batch_is_retried_without_a_second_cancel(
    airflow_api, use_sandboxes, live_airflow, ledger_path
):
    only_paid = {scenario.name: 0 for scenario in SCENARIOS} | {"cancel_paid": 1}
    world = build_world(ORDERS, START, END, seed=9, scenarios=only_paid)
    expected_ids = cancellable_ids(world, START, END)
    expected = cancellable_gids(world, START, END)
    assert len(expected) == ORDERS
    sandboxes = use_sandboxes(world)
    shopify, store = sandboxes.shopify, sandboxes.shopify.store
    port = int(sandboxes.shopify_url.rsplit(":", 1)[1])
    shopify.hold.arm(after=KILL_AFTER, body_contains="orderCancel")

    conf = {"window_start": START.isoformat() + "Z", "window_end": END.isoformat() + "Z"}
    started = time.monotonic()
    run_id = airflow_api.trigger(DAG_ID, conf)["dag_run_id"]
    assert IN_FLIGHT <= CONCURRENCY
    held = [_order_id(body) for body in shopify.hold.wait_held(IN_FLIGHT, RUN_FINISHED)]

    # The task is stuck exactly here: KILL_AFTER cancels done, IN_FLIGHT waiting at Shopify, nothing else.
    task = airflow_api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}/0")
    assert task["try_number"] == 1 and task["state"] == "running" and task["pid"], task
    pid = task["pid"]
    assert {pid, _parent(pid)} <= live_airflow.running_pids()  # this Airflow's task and its supervisor
    _check_is_the_task_process(pid, port)
    # The first KILL_AFTER passed the hold; each is done once the store has recorded it.
    wait_until(lambda: len(store.cancel_calls) >= KILL_AFTER, HTTP_TIMEOUT, "the cancels before the hold to run")
    done = store.cancel_calls
    assert len(done) == KILL_AFTER and all(call.accepted for call in done)
    ledger = Ledger(f"sqlite:///{ledger_path}")
    assert set(ledger.open_intents(expected)) == {call.order_id for call in done} | set(held)
    reads_before_kill = shopify.stats["root_fields"]["nodes"]  # the dead try read everything it will

    store.hold_jobs()  # the held cancels, once they run, keep running until the retry has looked
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_until(lambda: _gone(pid), PROCESS_EXIT, f"task process {pid} to die")
    assert shopify.hold.release() == IN_FLIGHT
    wait_until(lambda: len(store.cancel_calls) == KILL_AFTER + IN_FLIGHT, HTTP_TIMEOUT, "the held cancels to run")
    first_try = [call.order_id for call in store.cancel_calls]
    assert sorted(first_try[KILL_AFTER:]) == sorted(held)

    # The retry's re-check read the orders while the held cancels were still running: only then are they let finish.
    wait_until(
        lambda: shopify.stats["root_fields"]["nodes"] > reads_before_kill, RUN_FINISHED, "the retry to read the orders"
    )
    looked = time.monotonic()
    assert sorted(order_gid(job.order_id) for job in store.finish_held_jobs()) == sorted(held)
    run = airflow_api.wait_for_run(DAG_ID, run_id, timeout=RUN_FINISHED)
    finished = time.monotonic()
    TIMINGS["kill test: trigger → kill"] = killed - started
    TIMINGS["kill test: kill → the retry's first look"] = looked - killed
    TIMINGS[f"kill test: kill → run finished ({len(first_try)} of {ORDERS} cancels sent before)"] = finished - killed

    # Airflow: the supervisor reported the dead try failed, the scheduler retried it, the run succeeded.
    assert run["state"] == "success", run
    tries = airflow_api.tries(DAG_ID, run_id, TASK_ID, 0)
    assert [(t["try_number"], t["state"]) for t in tries] == [(1, "failed"), (2, "success")], tries
    assert tries[0]["pid"] == pid and tries[1]["pid"] not in (None, pid), tries

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

    # Report: all cancelled; the dead try's orders (done and still running) as cancelled by an earlier try.
    outcomes = {o["id"]: o for o in saved_report(live_airflow, run_id)["outcomes"]}
    assert {nid: o["outcome"] for nid, o in outcomes.items()} == dict.fromkeys(expected_ids, "cancelled")
    earlier = {o["gid"] for o in outcomes.values() if o["detail"].startswith(EARLIER_TRY)}
    assert earlier == set(first_try)


def _order_id(body: bytes) -> str:
    """The order a held one-order orderCancel request is for."""
    return json.loads(body)["variables"]["orderId"]


def _check_is_the_task_process(pid: int, port: int) -> None:
    """`pid` runs the task code: it holds connections to the Shopify sandbox; its parent (the supervisor) does not."""
    parent = _parent(pid)
    assert _connections_to(pid, port), f"process {pid} has no connection to the Shopify sandbox"
    assert not _connections_to(parent, port), f"{pid}'s parent {parent} talks to Shopify itself"


def _gone(pid: int) -> bool:
    """Dead: no such process, or a zombie its parent has not reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :].split()[0] == "Z"


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
