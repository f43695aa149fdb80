"""Every NetSuite sales order linking a Shopify order is found, whatever its status, date or spelling of the
link, and the extraction tells billed closed orders apart, under either sign NetSuite may keep billed
quantities with."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from include.cancel_sync.netsuite.extract import extract_canceled_orders
from include.cancel_sync.netsuite.linked_orders import ORDERS_PER_QUERY, read_linked_orders
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.window import Window
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import netsuite_client
from tests.conftest import WORLD_END, WORLD_START

FIELD = SyncSettings().link_field


def only(*names: str) -> dict[str, int]:
    return {s.name: int(s.name in names) for s in SCENARIOS}


def test_every_spelling_status_and_date_of_a_link_is_found(make_sandboxes):
    world = build_world(3, WORLD_START, WORLD_END, seed=4, scenarios=only("cancel_paid"))
    first = world.sales_orders[0]
    gid = f"gid://shopify/Order/{world.shopify_ids[first.id]}"
    later = first.last_modified + timedelta(days=90)
    spellings = {"A": gid, "B": f"  {world.shopify_ids[first.id]}\t", "G": f" {gid} "}
    for number, (status, link) in enumerate(spellings.items(), start=1):
        world.sales_orders.append(
            dataclasses.replace(
                first,
                id=90_000 + number,
                tranid=f"SO9000{number}",
                status=status,
                last_modified=later,
                fields={FIELD: link},
            )
        )
    sandboxes = make_sandboxes(world=world)
    other = f"gid://shopify/Order/{world.shopify_ids[world.sales_orders[1].id]}"

    linked = read_linked_orders(netsuite_client(sandboxes), FIELD, [gid, other, "gid://shopify/Order/12345"])

    assert [(o["id"], o["status"]) for o in linked[gid]] == [
        (first.id, "C"),
        (90_001, "A"),
        (90_002, "B"),
        (90_003, "G"),
    ]
    assert [o["id"] for o in linked[other]] == [world.sales_orders[1].id]
    assert linked["gid://shopify/Order/12345"] == []


@pytest.mark.parametrize(
    ("count", "queries"),
    [(ORDERS_PER_QUERY + 30, 2), (2 * ORDERS_PER_QUERY, 2), (2 * ORDERS_PER_QUERY + 1, 3)],
    ids=["a-few-over-one-query", "a-whole-batch", "one-over-two-queries"],
)
def test_a_batch_larger_than_one_query_is_read_in_several(make_sandboxes, count, queries):
    sandboxes = make_sandboxes(count=count, seed=2, scenarios=only("cancel_paid"))
    world = sandboxes.world
    gids = [f"gid://shopify/Order/{world.shopify_ids[o.id]}" for o in world.sales_orders]
    before = sandboxes.netsuite.stats["requests"]
    linked = read_linked_orders(netsuite_client(sandboxes), FIELD, gids)
    assert all(len(linked[gid]) == 1 for gid in gids)
    assert sandboxes.netsuite.stats["requests"] - before == queries


@pytest.mark.parametrize("billed_sign", [-1, 1], ids=["billed-stored-negative", "billed-stored-positive"])
def test_closed_orders_with_anything_billed_are_flagged_by_quantity_or_by_their_bills(make_sandboxes, billed_sign):
    scenarios = only(
        "closed_billed_unshipped", "closed_cash_sale_unshipped", "cancel_paid_closed_unshipped", "cancel_paid"
    )
    sandboxes = make_sandboxes(
        count=40, seed=6, scenarios=scenarios, options=SandboxOptions(netsuite_billed_sign=billed_sign)
    )
    records = extract_canceled_orders(netsuite_client(sandboxes), SyncSettings(), Window(WORLD_START, WORLD_END))
    world = sandboxes.world
    billed = {
        nid
        for nid, name in world.scenarios.items()
        if name.startswith("closed_") and "billed" in name or "cash_sale" in name
    }
    assert billed and {r["id"] for r in records} == set(world.scenarios)  # all candidates: C, or H with nothing shipped
    assert {r["id"] for r in records if r.get("billed")} == billed
