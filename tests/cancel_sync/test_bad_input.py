"""Bad or changing input: each order gets a clear outcome, the batch survives, the wrong order is never cancelled."""

from __future__ import annotations

import requests

from include.cancel_sync import tasks
from include.cancel_sync.cancel import STAFF_NOTE_LIMIT
from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.settings import SyncSettings
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import CONFIRM_TIMEOUT, WINDOW, netsuite_client, plan, shopify_client
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import HTTP_TIMEOUT

RUN = {"settings": SyncSettings(cancel_enabled=True).to_dict(), "window": WINDOW}


def paid_world(count: int):
    return build_world(
        count, WORLD_START, WORLD_END, seed=2, scenarios={s.name: int(s.name == "cancel_paid") for s in SCENARIOS}
    )


def cancel(sandboxes, decisions, tmp_path) -> dict[int, dict]:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    key = RunKey(SYNC_DAG_ID, "bad-input", 1, 0)
    shopify, netsuite = shopify_client(sandboxes), netsuite_client(sandboxes)
    try:
        outcomes = tasks.cancel(
            shopify, netsuite, RUN, decisions, ledger=ledger, run_key=key, confirm_timeout=CONFIRM_TIMEOUT
        )
    except tasks.BatchFailed as failed:
        outcomes = failed.outcomes
    return {o["id"]: o for o in outcomes}


def change_in_shopify(sandboxes, order_id: int, **fields) -> None:
    reply = requests.post(f"{sandboxes.shopify_url}/_sandbox/orders/{order_id}", json=fields, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 200, reply.text


def test_orders_changed_in_shopify_between_compare_and_cancel(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(world=paid_world(4))
    decisions = plan(sandboxes, RUN)
    assert [d["decision"] for d in decisions] == ["to_cancel"] * 4
    fulfilled, deleted, returned, untouched = (o.id for o in sandboxes.world.shopify_orders)
    change_in_shopify(sandboxes, fulfilled, fulfillment_status="FULFILLED")
    change_in_shopify(sandboxes, deleted, deleted=True)
    change_in_shopify(sandboxes, returned, return_status="RETURN_REQUESTED")
    outcomes = cancel(sandboxes, decisions, tmp_path)
    by_gid = {o["gid"]: o for o in outcomes.values()}
    assert by_gid[f"gid://shopify/Order/{fulfilled}"]["outcome"] == "cannot_cancel"
    assert by_gid[f"gid://shopify/Order/{deleted}"]["outcome"] == "not_found"
    assert by_gid[f"gid://shopify/Order/{returned}"]["outcome"] == "cannot_cancel"
    assert by_gid[f"gid://shopify/Order/{untouched}"]["outcome"] == "cancelled"
    assert [c.order_id for c in sandboxes.shopify.store.cancel_calls] == [f"gid://shopify/Order/{untouched}"]


def test_long_and_non_ascii_tranids_fit_the_staff_note(make_sandboxes, tmp_path):
    world = paid_world(3)
    world.sales_orders[0].tranid = "SO-" + "Ü" * 300
    world.sales_orders[1].tranid = "注文-<b>&'\"-Ωμέγα-🚚"
    world.sales_orders[2].tranid = "SO 123 ; DROP TABLE transaction; --"
    sandboxes = make_sandboxes(world=world)
    outcomes = cancel(sandboxes, plan(sandboxes, RUN), tmp_path)
    assert {o["outcome"] for o in outcomes.values()} == {"cancelled"}
    notes = [c.staff_note for c in sandboxes.shopify.store.cancel_calls]
    assert len(notes) == 3 and all(len(n) <= STAFF_NOTE_LIMIT for n in notes)
    assert any("注文-<b>&'\"-Ωμέγα-🚚" in n for n in notes)
    assert all(c.accepted for c in sandboxes.shopify.store.cancel_calls)


def test_messy_links_get_their_own_outcome_and_spare_the_batch(make_sandboxes, tmp_path):
    world = paid_world(8)
    field = world.link_field
    orders = world.sales_orders
    shopify_ids = [o.id for o in world.shopify_orders]
    links = {
        0: f"  {shopify_ids[0]}\t",  # padded: fine
        1: "",  # empty
        2: "１２３",  # full-width digits
        3: "-42",  # negative
        4: f"gid://shopify/Customer/{shopify_ids[4]}",  # a GID of another type
        5: "99999999999999",  # a well-formed id no order has (another shop's)
        6: f"gid://shopify/Order/{shopify_ids[6]}",
        7: str(shopify_ids[6]),  # two canceled NetSuite orders on one Shopify order
    }
    for index, link in links.items():
        orders[index].fields[field] = link
    sandboxes = make_sandboxes(world=world)
    outcomes = cancel(sandboxes, plan(sandboxes, RUN), tmp_path)
    got = {index: outcomes[orders[index].id]["outcome"] for index in links}
    assert got == {
        0: "cancelled",
        1: "invalid_link",
        2: "invalid_link",
        3: "invalid_link",
        4: "invalid_link",
        5: "not_found",
        6: "cancelled",  # both canceled in NetSuite: one cancel for the two
        7: "cancelled_with_other_order",
    }
    assert sorted(c.order_id for c in sandboxes.shopify.store.cancel_calls) == sorted(
        [f"gid://shopify/Order/{shopify_ids[0]}", f"gid://shopify/Order/{shopify_ids[6]}"]
    )
    assert outcomes[orders[7].id]["detail"].startswith(f"cancelled with {orders[6].tranid}, which links the same")
    assert "Customer id" in outcomes[orders[4].id]["detail"]
