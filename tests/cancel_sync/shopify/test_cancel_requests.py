"""One cancel per request: each order gets its own answer, and a lost reply is never re-sent."""

from __future__ import annotations

import pytest
import requests

from include.cancel_sync.cancel import cancel_batch, staff_note
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.cancel_requests import send_cancels
from include.cancel_sync.shopify.client import ShopifyClient, graphql_url
from sandbox.faults import FaultRule
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIOS
from tests.timing import HTTP_TIMEOUT

SETTINGS = SyncSettings(cancel_enabled=True)


def only(**weights):
    return {s.name: weights.get(s.name, 0) for s in SCENARIOS}


def shopify_client(sandboxes) -> ShopifyClient:
    def session() -> requests.Session:
        s = requests.Session()
        s.headers["X-Shopify-Access-Token"] = sandboxes.shopify_token
        return s

    return ShopifyClient(
        session, graphql_url(sandboxes.shopify_url, "2026-10"), backoff_max=0.1, timeout=(HTTP_TIMEOUT, HTTP_TIMEOUT)
    )


def outcomes_for(sandboxes) -> list[dict]:
    """One to-cancel entry per Shopify order, straight from the world (no re-check: the sender's view)."""
    return [
        {
            "id": 10_000 + index,
            "tranid": f"SO{10_000 + index}",
            "gid": f"gid://shopify/Order/{order.id}",
            "refund": order.financial_status == "PAID",
            "decision": "to_cancel",
        }
        for index, order in enumerate(sandboxes.world.shopify_orders)
    ]


def calls_by_order(sandboxes) -> dict[str, list]:
    calls: dict[str, list] = {}
    for call in sandboxes.shopify.store.cancel_calls:
        calls.setdefault(call.order_id, []).append(call)
    return calls


def test_each_order_gets_its_own_request_and_answer(make_sandboxes):
    sandboxes = make_sandboxes(count=12, seed=3, scenarios=only(cancel_paid=3, already_cancelled=1))
    outcomes = outcomes_for(sandboxes)
    send_cancels(shopify_client(sandboxes), SETTINGS, outcomes, staff_note, concurrency=3)

    assert sandboxes.shopify.stats["root_fields"]["orderCancel"] == len(outcomes)
    assert sandboxes.shopify.stats["operations"]["mutation"] == len(outcomes)
    calls = calls_by_order(sandboxes)
    cancelled_before = {f"gid://shopify/Order/{o.id}" for o in sandboxes.world.shopify_orders if o.cancelled_at}
    assert cancelled_before and len(cancelled_before) < len(outcomes)
    for outcome in outcomes:
        (call,) = calls[outcome["gid"]]  # one orderCancel per order, with that order's own arguments
        assert call.staff_note == staff_note(outcome["tranid"], outcome["id"])
        assert call.refund_requested == outcome["refund"]
        if outcome["gid"] in cancelled_before:
            assert outcome["outcome"] == "failed" and not call.accepted
            assert "Shopify refused the cancel" in outcome["detail"]
        else:
            assert outcome["outcome"] == "accepted" and call.accepted
            assert outcome["job_id"] == call.job_id


@pytest.mark.parametrize("fault", ["truncate", "internal_error"])
def test_a_reply_after_the_cancel_ran_that_says_nothing_of_it_leaves_it_in_doubt_confirmed_not_resent(
    make_sandboxes, fault
):
    # The second cancel ran, but its reply is cut off, or is a 200 with only INTERNAL_SERVER_ERROR: that order
    # is ambiguous, and the confirmation read (not a second orderCancel) finds it cancelled.
    options = SandboxOptions()
    options.shopify_faults.replace([FaultRule(fault, nth=(2,), body_contains="orderCancel")], seed=1)
    sandboxes = make_sandboxes(count=9, seed=4, scenarios=only(cancel_paid=1), options=options)
    decisions = [o | {"reason": "canceled in NetSuite, open in Shopify"} for o in outcomes_for(sandboxes)]
    result = cancel_batch(shopify_client(sandboxes), SETTINGS, decisions, concurrency=1)

    assert [f.kind for f in sandboxes.shopify.faults.injected] == [fault]
    assert all(len(calls) == 1 for calls in calls_by_order(sandboxes).values())
    assert len(calls_by_order(sandboxes)) == len(decisions)
    assert {o["outcome"] for o in result} == {"cancelled"}
    assert [o["gid"] for o in result if o.get("ambiguous")] == [decisions[1]["gid"]]


def test_a_refused_request_fails_its_order_and_sends_nothing_twice(make_sandboxes):
    # http_502 on a mutation: Shopify never ran it. Its order ends failed (a retry re-checks), never re-sent.
    options = SandboxOptions()
    options.shopify_faults.replace([FaultRule("http_502", nth=(1,), body_contains="orderCancel")], seed=1)
    sandboxes = make_sandboxes(count=4, seed=5, scenarios=only(cancel_paid=1), options=options)
    decisions = [o | {"reason": "open"} for o in outcomes_for(sandboxes)]
    # confirm_timeout: how long the sync gives a cancel that never shows: the scenario's, not a wait
    result = cancel_batch(shopify_client(sandboxes), SETTINGS, decisions, concurrency=1, confirm_timeout=0.5)

    assert [o["outcome"] for o in result] == ["failed"] + ["cancelled"] * (len(decisions) - 1)
    assert [c.order_id for c in sandboxes.shopify.store.cancel_calls] == [d["gid"] for d in decisions[1:]]
