"""Runs that reach the same Shopify orders at once send one orderCancel per order between them: the claims
(one open intent per Shopify order in the ledger) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from devtools.local_airflow import wait_until
from include.cancel_sync.cancel import cancel_batch, staff_note
from include.cancel_sync.claims import LEASE
from include.cancel_sync.constants import SWEEP_DAG_ID, SYNC_DAG_ID
from include.cancel_sync.ledger import Holder, Ledger, RunKey, ledger_table
from include.cancel_sync.netsuite.linked_orders import read_linked_orders
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.cancel_requests import send_cancels
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import WINDOW, netsuite_client, plan, shopify_client
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import scaled

SETTINGS = SyncSettings(cancel_enabled=True)
RUN = {"settings": SETTINGS.to_dict(), "window": WINDOW}
ORDERS = 5
WAIT = scaled(30)  # for something due: another run's claim to settle


def paid_world(count: int = ORDERS):
    return build_world(
        count, WORLD_START, WORLD_END, seed=3, scenarios={s.name: int(s.name == "cancel_paid") for s in SCENARIOS}
    )


def run_cancel(
    sandboxes,
    decisions,
    ledger: Ledger,
    run_id: str,
    sleep=time.sleep,
    dag_id=SYNC_DAG_ID,
    try_number=1,
    settings=SETTINGS,
):
    links = lambda gids: read_linked_orders(netsuite_client(sandboxes), settings.link_field, gids)  # noqa: E731
    return cancel_batch(
        shopify_client(sandboxes),
        settings,
        decisions,
        concurrency=ORDERS,
        confirm_timeout=WAIT,
        sleep=sleep,
        ledger=ledger,
        run_key=RunKey(dag_id, run_id, try_number, 0),
        read_links=links,
    )


def cancelled_rows(ledger: Ledger) -> list[tuple[str, str]]:
    with ledger.engine.connect() as db:
        query = sa.select(ledger_table.c.run_id, ledger_table.c.shopify_gid).where(
            ledger_table.c.outcome == "cancelled"
        )
        return sorted(tuple(row) for row in db.execute(query))


def test_a_second_claim_on_a_shopify_order_is_refused_while_the_first_is_open(ledger_url):
    ledger = Ledger(ledger_url)
    order = {"id": 1, "tranid": "SO1", "gid": "gid://shopify/Order/1", "decision": "to_cancel", "refund": False}
    first = ledger.claim(RunKey("dag", "run_a", 1, 0), order, SETTINGS)
    assert isinstance(first, int)
    second = ledger.claim(RunKey("dag", "run_b", 2, 3), order | {"id": 2, "tranid": "SO2"}, SETTINGS)
    assert isinstance(second, Holder) and second.run_id == "run_a" and second.row_id == first
    assert second.describe() == "run run_a (try 1)"
    ledger.close_intent(first, "cancelled", "cancelled")
    third = ledger.claim(RunKey("dag", "run_b", 2, 3), order | {"id": 2, "tranid": "SO2"}, SETTINGS)
    assert isinstance(third, int)  # released: the order may be claimed again (the claimer checks cancelled_by)
    assert ledger.cancelled_by(["gid://shopify/Order/1"])["gid://shopify/Order/1"].run_id == "run_a"


def test_a_cancel_on_record_outranks_a_later_claim_and_an_open_claim_counts_alone(ledger_url):
    ledger = Ledger(ledger_url)
    order = {"id": 1, "tranid": "SO1", "gid": "gid://shopify/Order/1", "decision": "to_cancel", "refund": False}
    done = ledger.claim(RunKey("dag", "run_a", 1, 0), order, SETTINGS)
    ledger.close_intent(done, "cancelled", "cancelled")
    later = ledger.claim(RunKey("dag", "run_c", 1, 0), order | {"id": 2, "tranid": "SO2"}, SETTINGS)
    assert isinstance(later, int)  # run C claimed it after A's cancel, and will close it as already cancelled
    other = order | {"id": 3, "tranid": "SO3", "gid": "gid://shopify/Order/3"}
    assert isinstance(ledger.claim(RunKey("dag", "run_d", 1, 0), other, SETTINGS), int)

    holders = ledger.cancelled_or_claimed_by([order["gid"], other["gid"], "gid://shopify/Order/9"])

    assert {gid: holder.run_id for gid, holder in holders.items()} == {order["gid"]: "run_a", other["gid"]: "run_d"}


@pytest.mark.parametrize("second_dag", [SYNC_DAG_ID, SWEEP_DAG_ID], ids=["two-sync-runs", "a-sweep-racing-a-sync-run"])
def test_a_run_that_finds_another_runs_claims_waits_and_sends_nothing(make_sandboxes, ledger_url, second_dag):
    sandboxes = make_sandboxes(world=paid_world())
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    shopify = sandboxes.shopify
    shopify.hold.arm(after=0, body_contains="orderCancel")  # run A's cancels wait at Shopify, its claims open

    results: dict[str, list] = {}
    run_a = threading.Thread(target=lambda: results.update(a=run_cancel(sandboxes, decisions, ledger, "run_a")))
    run_a.start()
    shopify.hold.wait_held(ORDERS, WAIT)
    b_waits = threading.Event()

    def b_sleep(seconds: float) -> None:  # run B is waiting for A's claims: let A's cancels through
        b_waits.set()
        time.sleep(seconds)

    run_b = threading.Thread(
        target=lambda: results.update(
            b=run_cancel(sandboxes, decisions, ledger, "run_b", sleep=b_sleep, dag_id=second_dag)
        )
    )
    run_b.start()
    assert b_waits.wait(WAIT), "run B never waited for run A's claims"
    shopify.hold.release()
    run_a.join(WAIT)
    run_b.join(WAIT)

    calls = Counter(call.order_id for call in shopify.store.cancel_calls)
    assert len(calls) == ORDERS and set(calls.values()) == {1}  # one orderCancel per order, both runs together
    assert {o["outcome"] for o in results["a"]} == {"cancelled"}
    assert {o["outcome"] for o in results["b"]} == {"already_cancelled"}
    assert all(o["detail"] == "cancelled by run run_a (try 1)" for o in results["b"])
    with ledger.engine.connect() as db:
        counted = db.execute(
            sa.select(ledger_table.c.run_id, sa.func.count())
            .where(ledger_table.c.outcome == "cancelled")
            .group_by(ledger_table.c.run_id)
        ).all()
    assert dict(counted) == {"run_a": ORDERS}  # each order counts as cancelled in exactly one run
    assert ledger.open_intents(calls) == {}


def test_an_order_another_run_cancelled_but_has_not_recorded_yet_counts_as_that_runs(make_sandboxes, ledger_url):
    # Run A claimed the order and its cancel went through in Shopify; A has not recorded the reply yet. Run B
    # re-checks now: the cancel carries the sync's staff note, but it is A's, not an earlier try of B's.
    sandboxes = make_sandboxes(world=paid_world(2))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    run_a = RunKey(SYNC_DAG_ID, "run_a", 1, 0)
    assert isinstance(ledger.claim(run_a, decisions[0], SETTINGS), int)
    sent_by_a = [dict(decisions[0], outcome="to_cancel")]
    send_cancels(shopify_client(sandboxes), SETTINGS, sent_by_a, staff_note, 1)
    assert sent_by_a[0]["outcome"] == "accepted"

    outcomes = run_cancel(sandboxes, decisions, ledger, "run_b")

    by_id = {o["id"]: o for o in outcomes}
    assert by_id[decisions[0]["id"]]["outcome"] == "already_cancelled"
    assert by_id[decisions[0]["id"]]["detail"] == "cancelled by run run_a (try 1)"
    assert by_id[decisions[1]["id"]]["outcome"] == "cancelled"
    calls = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)
    assert calls == Counter({decisions[0]["gid"]: 1, decisions[1]["gid"]: 1})  # B sent only the other one
    counted_in_b = [gid for run_id, gid in cancelled_rows(ledger) if run_id == "run_b"]
    assert counted_in_b == [decisions[1]["gid"]]  # A's cancel is not counted again in B


def test_a_cancel_another_run_recorded_as_failed_is_that_runs_and_its_retry_counts_it(make_sandboxes, ledger_url):
    # Run A's cancel went through, but A recorded it as failed (its confirmation was cut short). Run B re-checks:
    # the sync's note is on the order, yet B never sent it; A's retry then finds it and counts it as A's.
    sandboxes = make_sandboxes(world=paid_world(2))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    row = ledger.claim(RunKey(SYNC_DAG_ID, "run_a", 1, 0), decisions[0], SETTINGS)
    sent_by_a = [dict(decisions[0], outcome="to_cancel")]
    send_cancels(shopify_client(sandboxes), SETTINGS, sent_by_a, staff_note, 1)
    ledger.close_intent(row, "failed", "not confirmed within the wait")

    run_b = {o["id"]: o for o in run_cancel(sandboxes, decisions, ledger, "run_b")}
    retry_of_a = run_cancel(sandboxes, decisions[:1], ledger, "run_a", try_number=2)

    assert run_b[decisions[0]["id"]]["outcome"] == "already_cancelled"
    assert run_b[decisions[0]["id"]]["detail"] == "cancelled by run run_a (try 1)"
    assert run_b[decisions[1]["id"]]["outcome"] == "cancelled"
    assert retry_of_a[0]["outcome"] == "cancelled"
    assert retry_of_a[0]["detail"].startswith("cancelled by an earlier try at ")
    calls = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)
    assert calls == Counter({decisions[0]["gid"]: 1, decisions[1]["gid"]: 1})
    assert cancelled_rows(ledger) == sorted([("run_a", decisions[0]["gid"]), ("run_b", decisions[1]["gid"])])


def send_as(sandboxes, ledger: Ledger, key: RunKey, decision, settings=SETTINGS) -> tuple[int, dict]:
    """A try of another run (or a dead one): its claim, then its orderCancel; returns the row and the outcome."""
    row = ledger.claim(key, decision, settings)
    sent = [dict(decision, outcome="to_cancel")]
    send_cancels(shopify_client(sandboxes), settings, sent, staff_note, 1)
    assert isinstance(row, int) and sent[0]["outcome"] == "accepted"
    return row, sent[0]


def test_a_later_runs_refused_cancel_does_not_take_the_credit_from_the_accepted_one(make_sandboxes, ledger_url):
    # A's cancel was accepted and went through, unconfirmed (A recorded it failed). B, still seeing it open, sent
    # one too, which Shopify refused. The cancel is A's: A's retry counts it, B's says A did it.
    sandboxes = make_sandboxes(world=paid_world(1))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    row_a, sent_by_a = send_as(sandboxes, ledger, RunKey(SYNC_DAG_ID, "run_a", 1, 0), decisions[0])
    ledger.close_intent(row_a, "failed", "not confirmed within the wait", sent_by_a["job_id"])
    row_b = ledger.claim(RunKey(SYNC_DAG_ID, "run_b", 1, 0), decisions[0], SETTINGS)
    ledger.close_intent(row_b, "failed", "Shopify refused the cancel: the order is already cancelled")

    retry_of_b = run_cancel(sandboxes, decisions, ledger, "run_b", try_number=2)
    retry_of_a = run_cancel(sandboxes, decisions, ledger, "run_a", try_number=2)

    assert (retry_of_b[0]["outcome"], retry_of_b[0]["detail"]) == (
        "already_cancelled",
        "cancelled by run run_a (try 1)",
    )
    assert retry_of_a[0]["outcome"] == "cancelled" and retry_of_a[0]["detail"].startswith("cancelled by an earlier try")
    assert len(sandboxes.shopify.store.cancel_calls) == 1
    assert cancelled_rows(ledger) == [("run_a", decisions[0]["gid"])]


def cancel_try(sandboxes, decisions, ledger: Ledger, run_id: str, try_number: int, settings=SETTINGS):
    """A try that gives up on confirming after half a second: the scenario's give-up, not a wait for something due."""
    return cancel_batch(
        shopify_client(sandboxes),
        settings,
        decisions,
        confirm_timeout=0.5,
        ledger=ledger,
        run_key=RunKey(SYNC_DAG_ID, run_id, try_number, 0),
        read_links=lambda gids: read_linked_orders(netsuite_client(sandboxes), settings.link_field, gids),
    )


def test_a_cancel_shopify_has_not_carried_out_yet_keeps_its_claim_and_is_never_sent_again(make_sandboxes, ledger_url):
    # Shopify accepted the cancel, but its job has not run when the try gives up confirming. The next try, and
    # another run, find the job still pending: they send nothing, and fail the order (someone must know). Once
    # it has run, the retry counts it.
    sandboxes = make_sandboxes(world=paid_world(1))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    gid = decisions[0]["gid"]
    store = sandboxes.shopify.store
    store.hold_jobs()

    [first] = cancel_try(sandboxes, decisions, ledger, "run_a", 1)
    assert (first["outcome"], first["detail"]) == (
        "failed",
        "Shopify accepted the cancel but did not finish it within 0s; a retry re-checks it",
    )
    assert set(ledger.open_intents([gid])) == {gid} and ledger.open_jobs([gid]) == {gid: first["job_id"]}
    [second] = cancel_try(sandboxes, decisions, ledger, "run_a", 2)
    [other_run] = cancel_try(sandboxes, decisions, ledger, "run_b", 1)
    pending = f"Shopify has not run the cancel job {first['job_id']} of run run_a (try 1) yet; it may still cancel"
    for later in (second, other_run):  # run A's next try, and another run: A's finished try reports nothing more
        assert later["outcome"] == "failed" and later["detail"].startswith(pending), later
    assert len(store.cancel_calls) == 1 and set(ledger.open_intents([gid])) == {gid}

    store.finish_held_jobs()
    [third] = cancel_try(sandboxes, decisions, ledger, "run_a", 3)

    assert third["outcome"] == "cancelled" and third["detail"].startswith("cancelled by an earlier try")
    assert len(store.cancel_calls) == 1 and ledger.open_intents([gid]) == {}
    assert [run_id for run_id, _ in cancelled_rows(ledger)] == ["run_a", "run_a"]  # the first try's claim, the retry


PREVENTING = SyncSettings(cancel_enabled=True, prevent_refund=True)


def prevent_refund_world(make_sandboxes, ledger_url):
    """One paid order, planned with prevent-refund on: (sandboxes, ledger, decisions)."""
    sandboxes = make_sandboxes(world=paid_world(1))
    decisions = plan(sandboxes, {"settings": PREVENTING.to_dict(), "window": WINDOW})
    return sandboxes, Ledger(ledger_url), decisions


def refunded_meanwhile(store, gid: str, status: str) -> None:
    """A person or an app refunds the order in Shopify, whatever the sync asked for."""
    with store.lock:
        store.get(int(gid.rsplit("/", 1)[1])).financial_status = status


def test_a_cancel_pending_in_shopify_for_an_order_edited_since_keeps_its_claim_and_fails_loudly(
    make_sandboxes, ledger_url
):
    # Try 1's cancel is accepted, its job still pending; then the NetSuite order is reopened. Try 2 no longer
    # wants it cancelled, but Shopify may still cancel it: the claim stays, the order fails, nothing is sent.
    sandboxes = make_sandboxes(world=paid_world(1))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    store = sandboxes.shopify.store
    store.hold_jobs()
    [first] = cancel_try(sandboxes, decisions, ledger, "run_a", 1)
    sandboxes.netsuite.store.update_sales_order(decisions[0]["id"], status="B")

    [second] = cancel_try(sandboxes, decisions, ledger, "run_a", 2)

    assert second["outcome"] == "failed"
    assert "it may still cancel the order, though now: SO" in second["detail"], second["detail"]
    assert "Pending Fulfillment" in second["detail"]
    assert ledger.open_jobs([decisions[0]["gid"]]) == {decisions[0]["gid"]: first["job_id"]}
    assert len(store.cancel_calls) == 1


@pytest.mark.parametrize("closed_as", ["accepted", "failed"])
def test_another_runs_unconfirmed_cancel_that_came_back_refunded_fails_the_order(make_sandboxes, ledger_url, closed_as):
    # Run A's cancel went through unconfirmed, and A had no try left: its last try left the claim in doubt
    # (accepted), or, before claims were kept, recorded it failed. Meanwhile the order was refunded. Run B
    # (prevent-refund on) finds it: A never checked the refund, so B fails the order, loudly.
    sandboxes, ledger, decisions = prevent_refund_world(make_sandboxes, ledger_url)
    row, sent = send_as(sandboxes, ledger, RunKey(SYNC_DAG_ID, "run_a", 4, 0), decisions[0], PREVENTING)
    ledger.close_intent(row, closed_as, "Shopify accepted the cancel but did not finish it", sent["job_id"])
    store = sandboxes.shopify.store
    refunded_meanwhile(store, decisions[0]["gid"], "REFUNDED")

    [outcome] = run_cancel(sandboxes, decisions, ledger, "run_b", settings=PREVENTING)

    assert (outcome["outcome"], outcome["detail"]) == (
        "failed",
        "cancelled by run run_a (try 4), but Shopify refunded it although prevent-refund is on",
    )
    assert len(store.cancel_calls) == 1
    assert ledger.open_intents([decisions[0]["gid"]]) == {}  # A's claim is settled: the cancel went through


@pytest.mark.parametrize("refunded", ["REFUNDED", "PARTIALLY_REFUNDED"])
def test_a_refund_against_prevent_refund_fails_the_order(make_sandboxes, ledger_url, refunded):
    # Prevent-refund is on; while the cancel job runs, a person (or an app) refunds the order: the cancel went
    # through, but the money went back against the setting. The order fails, loudly, and its claim says cancelled.
    sandboxes, ledger, decisions = prevent_refund_world(make_sandboxes, ledger_url)
    store = sandboxes.shopify.store
    store.hold_jobs()
    outcomes: list = []
    worker = threading.Thread(
        target=lambda: outcomes.extend(run_cancel(sandboxes, decisions, ledger, "run_a", settings=PREVENTING))
    )
    worker.start()
    wait_until(lambda: store.cancel_calls, WAIT, "the cancel to reach Shopify")
    refunded_meanwhile(store, decisions[0]["gid"], refunded)
    store.finish_held_jobs()
    worker.join(WAIT)

    [outcome] = outcomes
    assert (outcome["outcome"], outcome["detail"]) == (
        "failed",
        "cancelled, but Shopify refunded it although prevent-refund is on",
    )
    assert [call.accepted for call in store.cancel_calls] == [True]
    with ledger.engine.connect() as db:
        rows = db.execute(sa.select(ledger_table.c.outcome, ledger_table.c.refund_requested)).all()
    assert [tuple(row) for row in rows] == [("failed", False)]  # not asked to refund; recorded as failed


@pytest.mark.parametrize("first_try", ["recorded_it_failed", "died_before_recording"])
def test_a_refund_against_prevent_refund_stays_a_failure_in_the_retry(make_sandboxes, ledger_url, first_try):
    # Prevent-refund is on; the first try's cancel went through, and the order shows refunded (a person or an
    # app refunded it meanwhile). That try failed the order for it (or died first): the retry must fail it too,
    # not report the earlier try's cancel as a success, and send nothing.
    sandboxes, ledger, decisions = prevent_refund_world(make_sandboxes, ledger_url)
    assert decisions[0]["refund"] is False and decisions[0]["financial_status"] == "PAID"
    row, _ = send_as(sandboxes, ledger, RunKey(SYNC_DAG_ID, "run_a", 1, 0), decisions[0], PREVENTING)
    store = sandboxes.shopify.store
    refunded_meanwhile(store, decisions[0]["gid"], "REFUNDED")
    if first_try == "recorded_it_failed":
        ledger.close_intent(row, "failed", "cancelled, but Shopify refunded it although prevent-refund is on")

    [retry] = run_cancel(sandboxes, decisions, ledger, "run_a", try_number=2, settings=PREVENTING)

    assert retry["outcome"] == "failed" and "although prevent-refund is on" in retry["detail"], retry
    assert (retry["financial_status"], retry["financial_status_after"]) == ("PAID", "REFUNDED")
    assert len(store.cancel_calls) == 1
    assert cancelled_rows(ledger) == ([] if first_try == "recorded_it_failed" else [("run_a", decisions[0]["gid"])])


def test_a_cancel_with_the_syncs_note_but_no_try_on_record_is_already_cancelled_not_this_runs(
    make_sandboxes, ledger_url
):
    # A sync on another ledger (an old deployment, a second Airflow) cancelled it: no run here counts it.
    sandboxes = make_sandboxes(world=paid_world(1))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    send_cancels(shopify_client(sandboxes), SETTINGS, [dict(decisions[0], outcome="to_cancel")], staff_note, 1)

    outcomes = run_cancel(sandboxes, decisions, ledger, "run_b")

    assert outcomes[0]["outcome"] == "already_cancelled"
    assert outcomes[0]["detail"].startswith("cancelled in Shopify at ")
    assert len(sandboxes.shopify.store.cancel_calls) == 1
    assert cancelled_rows(ledger) == []


def test_another_runs_claim_that_outlives_the_wait_leaves_the_order_to_that_run(make_sandboxes, ledger_url):
    sandboxes = make_sandboxes(world=paid_world(2))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    holder = ledger.claim(RunKey("netsuite_shopify_cancel_sync", "run_a", 1, 0), decisions[0], SETTINGS)
    assert isinstance(holder, int)

    outcomes = cancel_batch(
        shopify_client(sandboxes),
        SETTINGS,
        decisions,
        confirm_timeout=0.5,  # the wait this scenario gives up on: not a wait for something due
        ledger=ledger,
        run_key=RunKey("netsuite_shopify_cancel_sync", "run_b", 1, 0),
    )

    assert [o["outcome"] for o in outcomes] == ["cancelling_in_other_run", "cancelled"]
    assert outcomes[0]["detail"].startswith("being cancelled by run run_a (try 1)")
    assert [c.order_id for c in sandboxes.shopify.store.cancel_calls] == [decisions[1]["gid"]]


def test_a_claim_whose_lease_ran_out_is_settled_from_shopify_and_the_order_cancelled_once(make_sandboxes, ledger_url):
    # Run A claimed the order long ago and died before sending; no retry of A came to settle it.
    sandboxes = make_sandboxes(world=paid_world(1))
    ledger = Ledger(ledger_url)
    decisions = plan(sandboxes, RUN)
    row = ledger.claim(RunKey("netsuite_shopify_cancel_sync", "run_a", 1, 0), decisions[0], SETTINGS)
    long_ago = datetime.now(UTC) - LEASE - timedelta(minutes=1)
    with ledger.engine.begin() as db:
        db.execute(ledger_table.update().where(ledger_table.c.id == row).values(recorded_at=long_ago))

    outcomes = run_cancel(sandboxes, decisions, ledger, "run_b")

    assert [o["outcome"] for o in outcomes] == ["cancelled"]
    assert len(sandboxes.shopify.store.cancel_calls) == 1
    (stale,) = [r for r in ledger.history() if r["id"] == row]
    assert stale["outcome"] == "not_applied"  # Shopify showed it open: run A's cancel never happened
