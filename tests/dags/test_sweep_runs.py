"""The sweep catches what the sync's windows missed, once each, and tells a person.

Window runs (the sync DAG, run in-process with explicit windows) miss orders for each reason the issue
names; then the sweep DAG runs over the last days. Ground truth is how the world and its runs were set
up, not the sync's logic; the Shopify sandbox's record says what was sent.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests

from include.cancel_sync.constants import NETSUITE_CONN_ID, SWEEP_DAG_ID
from include.cancel_sync.ledger import Ledger
from sandbox.world import SCENARIOS, build_world
from tests.dag_runs import run_sync, whole_world_window
from tests.timing import HTTP_TIMEOUT

pytestmark = pytest.mark.usefixtures("airflow_db")

ON = {"netsuite_shopify_cancel_enabled": "true"}
PAID_OR_AUTHORIZED = {s.name: int(s.name in ("cancel_paid", "cancel_authorized")) for s in SCENARIOS}
HOUR = timedelta(hours=1)


def stretch(start: datetime, count: int, seed: int):
    """`count` canceled orders (paid or only authorized) modified within [start, start + 1 h)."""
    return build_world(count, start, start + HOUR, seed=seed, scenarios=PAID_OR_AUTHORIZED)


def combined(*worlds):
    """One world of several stretches, with NetSuite and Shopify ids made unique across them."""
    world = copy.deepcopy(worlds[0])
    for offset, other in enumerate(worlds[1:], start=1):
        other = copy.deepcopy(other)
        for order in other.sales_orders:
            old_shopify = other.shopify_ids[order.id]
            order.id += 1000 * offset
            order.tranid = f"SO{order.id}"
            order.fields[other.link_field] = str(old_shopify + 1000 * offset)
            world.sales_orders.append(order)
            world.scenarios[order.id] = other.scenarios[order.id - 1000 * offset]
            world.shopify_ids[order.id] = old_shopify + 1000 * offset
        for shopify_order in other.shopify_orders:
            shopify_order.id += 1000 * offset
            shopify_order.name = f"#{shopify_order.id}"
            world.shopify_orders.append(shopify_order)
    return world


def gid(world, netsuite_id: int) -> str:
    return f"gid://shopify/Order/{world.shopify_ids[netsuite_id]}"


def window(start: datetime, end: datetime) -> dict:
    return whole_world_window(start, end)


def test_the_sweep_catches_exactly_what_the_windows_missed_once_each(make_sandboxes, tmp_path):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    t = now - timedelta(days=3)
    # Stretches of one hour, hours apart (a window read 8 hours off by a wrong time zone finds nothing).
    wrong_zone, outage, gap, failed, fine, edited = (t + i * 10 * HOUR for i in range(6))
    still_open = build_world(
        1, edited, edited + HOUR, seed=6, scenarios={s.name: int(s.name == "pending_fulfillment") for s in SCENARIOS}
    )
    world = combined(
        stretch(wrong_zone, 6, 1),
        stretch(outage, 6, 2),
        stretch(gap, 6, 3),
        stretch(failed, 6, 4),
        stretch(fine, 6, 5),
        still_open,
    )
    late = world.sales_orders[-1]  # open in NetSuite until after the fine window ran
    # Clock skew between windows: two orders changed in the 5 minutes the gap's two windows leave between them.
    gap_orders = [o for o in world.sales_orders if gap <= o.last_modified < gap + HOUR][:2]
    for order in gap_orders:
        order.last_modified = gap + timedelta(minutes=31)
    sandboxes = make_sandboxes(world=world)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ids_in = lambda start: {o.id for o in world.sales_orders if start <= o.last_modified < start + HOUR}  # noqa: E731

    def sync(name: str, start: datetime, end: datetime, connections=None):
        run = run_sync(sandboxes, tmp_path / name, ON, window(start, end), ledger_url, connections)
        return run

    # 1. The token user's zone set wrongly (UTC for a Pacific account): the run reads 8 hours off, finds nothing.
    wrong = copy.deepcopy(sandboxes.connections())
    wrong[NETSUITE_CONN_ID]["extra"]["timezone"] = "UTC"
    assert sync("wrong-zone", wrong_zone, wrong_zone + HOUR, wrong).outcomes == []
    # 2. The scheduler was down longer than its catch-up: no run over `outage` at all.
    # 3. Clock skew: two windows with five minutes between them.
    gap_runs = [sync("gap-1", gap, gap + timedelta(minutes=30)), sync("gap-2", gap + timedelta(minutes=35), gap + HOUR)]
    assert not {o["id"] for run in gap_runs for o in run.outcomes} & {o.id for o in gap_orders}
    # 4. A run that failed and was never cleared: Shopify refused its cancels (a payment authorization pending).
    refused = sorted(ids_in(failed))
    for netsuite_id in refused:
        change_shopify(sandboxes, world.shopify_ids[netsuite_id], has_pending_authorization=True)
    assert sync("failed", failed, failed + HOUR).state == "failed"
    for netsuite_id in refused:
        change_shopify(sandboxes, world.shopify_ids[netsuite_id], has_pending_authorization=False)
    # 5. A window that did its job, and an order canceled afterwards with its change dated inside that window.
    fine_run = sync("fine", fine, fine + HOUR)
    assert {o["outcome"] for o in fine_run.outcomes} == {"cancelled"}
    change_netsuite(sandboxes, late.id, status="C", last_modified=fine + timedelta(minutes=20))
    calls_before = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)

    sweep = run_sync(
        sandboxes,
        tmp_path / "sweep",
        ON | {"netsuite_shopify_prevent_refund": "true"},
        {},
        ledger_url,
        dag_id=SWEEP_DAG_ID,
    )

    missed = ids_in(wrong_zone) | ids_in(outage) | {o.id for o in gap_orders} | set(refused) | {late.id}
    assert sweep.state == "success", sweep.task_states
    caught = {o["id"] for o in sweep.outcomes if o.get("caught")}
    assert caught == missed
    assert {o["id"]: o["outcome"] for o in sweep.outcomes if o["id"] in missed} == dict.fromkeys(missed, "cancelled")
    # Once each: the sweep sent one cancel for each missed order and none for what was settled.
    sent = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls) - calls_before
    assert sent == Counter({gid(world, nid): 1 for nid in missed})
    cancelled_by_windows = {
        o["id"] for run in [*gap_runs, fine_run] for o in run.outcomes if o["outcome"] == "cancelled"
    }
    assert cancelled_by_windows >= ids_in(fine)  # ... and they were not read from Shopify again:
    assert sweep.report["settled_earlier"] == len(cancelled_by_windows)
    assert not cancelled_by_windows & {o["id"] for o in sweep.outcomes}
    assert sweep.report["caught_by_sweep"] == len(caught)
    # Prevent-refund held for the sweep's cancels: nothing refunded (authorizations voided, as Shopify does).
    new_calls = sandboxes.shopify.store.cancel_calls[sum(calls_before.values()) :]
    assert all(call.arguments["refundMethod"] == {"originalPaymentMethodsRefund": False} for call in new_calls)
    # Each catch names the window run that should have had it, or says none did.
    by_id = {o["id"]: o for o in sweep.outcomes}
    for netsuite_id in refused:
        assert "should have handled it" in by_id[netsuite_id]["caught"]
    assert f"window run {fine_run.run_id} should have handled it" in by_id[late.id]["caught"]
    for netsuite_id in ids_in(outage) | {o.id for o in gap_orders}:
        assert "no window run covered its last change" in by_id[netsuite_id]["caught"]
    # The ledger keeps the catch with the outcome, and the sweep's run is on record.
    rows = [r for r in Ledger(ledger_url).history() if r["dag_id"] == SWEEP_DAG_ID and r["outcome"] == "cancelled"]
    assert {r["netsuite_id"] for r in rows} == missed and all("[caught by the sweep: " in r["detail"] for r in rows)
    assert [r["state"] for r in Ledger(ledger_url).runs([SWEEP_DAG_ID])] == ["success"]


def change_shopify(sandboxes, order_id: int, **fields) -> None:
    reply = requests.post(f"{sandboxes.shopify_url}/_sandbox/orders/{order_id}", json=fields, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 200, reply.text


def change_netsuite(sandboxes, order_id: int, status: str, last_modified: datetime) -> None:
    sandboxes.netsuite.store.update_sales_order(order_id, status=status, last_modified=last_modified)
