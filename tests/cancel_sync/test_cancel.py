"""The cancel step against the sandboxes: one cancel per Shopify order, the re-check reads NetSuite's links
again, and a cancel that Shopify accepted but did not carry out fails at once with what Shopify said."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from include.cancel_sync.cancel import JOB_ENDED_OPEN, cancel_batch
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.linked_orders import read_linked_orders
from include.cancel_sync.settings import SyncSettings
from sandbox.runner import SandboxOptions
from sandbox.world import JOB_FAILURE, SCENARIOS, build_world
from tests.cancel_sync.step_runner import CONFIRM_TIMEOUT, WINDOW, netsuite_client, plan, shopify_client
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import scaled

SETTINGS = SyncSettings(cancel_enabled=True)
RUN = {"settings": SETTINGS.to_dict(), "window": WINDOW}


def world_of(*names: str, count: int = 6, seed: int = 3):
    return build_world(
        count, WORLD_START, WORLD_END, seed=seed, scenarios={s.name: int(s.name in names) for s in SCENARIOS}
    )


def cancel(sandboxes, decisions, api_version: str = "2026-10", ledger: Ledger | None = None, timeout=CONFIRM_TIMEOUT):
    key = RunKey("cancel-tests", "run", 1, 0) if ledger else None
    links = lambda gids: read_linked_orders(netsuite_client(sandboxes), SETTINGS.link_field, gids)  # noqa: E731
    return cancel_batch(
        shopify_client(sandboxes, api_version),
        SETTINGS,
        decisions,
        confirm_timeout=timeout,
        ledger=ledger,
        run_key=key,
        read_links=links,
    )


def test_canceled_orders_sharing_a_shopify_order_get_one_cancel_and_both_are_reported(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(world=world_of("reentered_all_canceled", count=3))
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    outcomes = cancel(sandboxes, plan(sandboxes, RUN), ledger=ledger)

    calls = sandboxes.shopify.store.cancel_calls
    assert len(calls) == 3 and len({c.order_id for c in calls}) == 3  # one per Shopify order, six NetSuite orders
    by_outcome = {}
    for outcome in outcomes:
        by_outcome.setdefault(outcome["outcome"], []).append(outcome)
    assert {k: len(v) for k, v in by_outcome.items()} == {"cancelled": 3, "cancelled_with_other_order": 3}
    carriers = {o["gid"]: o for o in by_outcome["cancelled"]}
    for rider in by_outcome["cancelled_with_other_order"]:
        carrier = carriers[rider["gid"]]
        assert carrier["id"] < rider["id"] and rider["refund"] is False
        assert rider["detail"].startswith(f"cancelled with {carrier['tranid']}, which links the same Shopify order")
    rows = ledger.history()
    assert sorted(r["outcome"] for r in rows) == ["cancelled"] * 3 + ["cancelled_with_other_order"] * 3
    assert ledger.open_intents(carriers) == {}


def test_an_order_re_entered_after_the_compare_step_stops_the_cancel(make_sandboxes):
    sandboxes = make_sandboxes(world=world_of("cancel_paid", count=2))
    decisions = plan(sandboxes, RUN)
    assert [d["decision"] for d in decisions] == ["to_cancel", "to_cancel"]
    # Between compare and cancel a merchant enters a new order for the first Shopify order.
    first = sandboxes.world.sales_order(decisions[0]["id"])
    replacement = dataclasses.replace(
        first, id=99_001, tranid="SO99001", status="B", last_modified=first.last_modified + timedelta(days=2)
    )
    sandboxes.netsuite.load_sales_orders([replacement])

    outcomes = cancel(sandboxes, decisions)

    assert [o["outcome"] for o in outcomes] == ["linked_to_open_order", "cancelled"]
    assert outcomes[0]["detail"] == "SO99001 (Pending Fulfillment) still holds this Shopify order"
    assert [c.order_id for c in sandboxes.shopify.store.cancel_calls] == [decisions[1]["gid"]]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"status": "B"}, "linked_to_open_order"),  # reopened: Pending Fulfillment again
        ({"quantity_billed": {1: 1}, "status": "H"}, "billed_in_netsuite"),
        ({"fields": {SETTINGS.link_field: "5899999999999"}}, "invalid_link"),  # now links another Shopify order
    ],
    ids=["reopened", "billed", "relinked"],
)
def test_an_order_edited_in_netsuite_between_compare_and_cancel_is_left_alone(make_sandboxes, edit, expected):
    sandboxes = make_sandboxes(world=world_of("cancel_paid", count=2))
    decisions = plan(sandboxes, RUN)
    assert [d["decision"] for d in decisions] == ["to_cancel", "to_cancel"]
    sandboxes.netsuite.store.update_sales_order(decisions[0]["id"], **edit)

    outcomes = cancel(sandboxes, decisions)

    assert [o["outcome"] for o in outcomes] == [expected, "cancelled"]
    assert [c.order_id for c in sandboxes.shopify.store.cancel_calls] == [decisions[1]["gid"]]


@pytest.mark.parametrize("api_version", ["2026-01", "2026-10"])
def test_a_cancel_job_that_ends_without_cancelling_fails_at_once(make_sandboxes, api_version):
    # Jobs take a moment, so the first look finds the order open with its job still running; the next looks
    # find the job run and the order open: failed then, not after the whole confirm timeout.
    sandboxes = make_sandboxes(
        world=world_of("cancel_job_fails", "cancel_paid", count=6), options=SandboxOptions(cancel_job_delay=0.3)
    )
    decisions = plan(sandboxes, RUN)
    failing = {o.gid for o in sandboxes.world.shopify_orders if o.cancel_job_error}
    assert failing and len(failing) < len(decisions)

    outcomes = cancel(sandboxes, decisions, api_version, timeout=scaled(30))

    for outcome in outcomes:
        if outcome["gid"] in failing:
            assert outcome["outcome"] == "failed" and outcome["detail"] == JOB_ENDED_OPEN
        else:
            assert outcome["outcome"] == "cancelled"
    assert len(sandboxes.shopify.store.cancel_calls) == len(decisions)  # nothing sent twice


def test_a_cancel_result_that_says_failed_fails_the_order_with_shopifys_errors(make_sandboxes):
    # From 2026-10 the reply carries the cancel's result; here the job runs before the reply, so it says FAILED.
    options = SandboxOptions(shopify_cancel_job_inline=True)
    sandboxes = make_sandboxes(world=world_of("cancel_job_fails", count=2), options=options)
    outcomes = cancel(sandboxes, plan(sandboxes, RUN), "2026-10")
    assert [o["outcome"] for o in outcomes] == ["failed", "failed"]
    assert all(JOB_FAILURE in o["detail"] and o["detail"].startswith("Shopify's cancel failed") for o in outcomes)


def test_an_endpoint_without_job_results_is_asked_again_without_them_and_nothing_runs_twice(make_sandboxes):
    sandboxes = make_sandboxes(world=world_of("cancel_paid", count=3))
    client = shopify_client(sandboxes, "2026-01")
    client.cancel_job_result = True  # as if the version said 2026-10 but the endpoint lacks the field
    decisions = plan(sandboxes, RUN)
    links = lambda gids: read_linked_orders(netsuite_client(sandboxes), SETTINGS.link_field, gids)  # noqa: E731
    outcomes = cancel_batch(client, SETTINGS, decisions, concurrency=1, read_links=links)
    assert [o["outcome"] for o in outcomes] == ["cancelled"] * 3
    assert client.cancel_job_result is False  # learnt once
    calls = sandboxes.shopify.store.cancel_calls
    assert len(calls) == 3 and all(c.accepted for c in calls)
