"""A cancel task obeys the merchant's settings as they are when it runs, where they are stricter than the run's.

A run's settings are read once, at its start. A cancel task retried minutes later, or cleared by hand days
later, may run after the merchant switched the sync off or switched prevent-refund on: it must obey that.
"""

from __future__ import annotations

import functools

import pytest

from include.cancel_sync import tasks
from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE, PREVENT_REFUND_VARIABLE
from include.cancel_sync.settings import SyncSettings, as_strict_as
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import WINDOW, netsuite_client, plan, shopify_client
from tests.conftest import WORLD_END, WORLD_START

PAID = {s.name: int(s.name == "cancel_paid") for s in SCENARIOS}


def cancel_with_variables_now(sandboxes, run_settings: SyncSettings, variables: dict[str, str]):
    run = {"settings": run_settings.to_dict(), "window": WINDOW}
    decisions = plan(sandboxes, run)
    assert len(decisions) == 3 and all(d["decision"] == "to_cancel" for d in decisions)
    assert all(d["refund"] is not run_settings.prevent_refund for d in decisions)  # as the run's settings said
    now = functools.partial(tasks.current_settings, lambda name, default: variables.get(name, default), None)
    return tasks.cancel(shopify_client(sandboxes), netsuite_client(sandboxes), run, decisions, settings_now=now)


def test_a_retry_after_prevent_refund_was_switched_on_refunds_nothing(make_sandboxes):
    sandboxes = make_sandboxes(world=build_world(3, WORLD_START, WORLD_END, seed=3, scenarios=PAID))
    variables = {CANCEL_ENABLED_VARIABLE: "true", PREVENT_REFUND_VARIABLE: "true"}

    outcomes = cancel_with_variables_now(sandboxes, SyncSettings(cancel_enabled=True), variables)

    assert [(o["outcome"], o["refund"]) for o in outcomes] == [("cancelled", False)] * 3
    calls = sandboxes.shopify.store.cancel_calls
    assert len(calls) == 3 and not any(call.refund_requested for call in calls)
    assert sandboxes.shopify.store.refunds == []


def test_a_retry_after_the_sync_was_switched_off_sends_nothing(make_sandboxes):
    sandboxes = make_sandboxes(world=build_world(3, WORLD_START, WORLD_END, seed=3, scenarios=PAID))

    outcomes = cancel_with_variables_now(
        sandboxes, SyncSettings(cancel_enabled=True), {CANCEL_ENABLED_VARIABLE: "false"}
    )

    assert {o["outcome"] for o in outcomes} == {"would_cancel"}
    assert all("netsuite_shopify_cancel_enabled" in o["detail"] for o in outcomes)
    assert sandboxes.shopify.store.cancel_calls == []


@pytest.mark.parametrize(
    ("run", "now", "expected"),
    [
        ((True, True), (True, False), (True, True)),  # prevent-refund switched off since: still prevented
        ((False, False), (True, False), (False, False)),  # switched on since: the run stays off
        ((True, False), (False, True), (False, True)),
    ],
)
def test_the_run_is_made_as_strict_as_now_never_looser(run, now, expected):
    def settings(pair):
        return SyncSettings(cancel_enabled=pair[0], prevent_refund=pair[1])

    strict = as_strict_as(settings(run), settings(now))
    assert (strict.cancel_enabled, strict.prevent_refund) == expected
