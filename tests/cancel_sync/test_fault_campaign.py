"""Faults at every step: each run completes correctly, or fails clearly and a retry completes it.

Correct means: every extracted order has an outcome, exactly the cancellable orders are
cancelled, none twice, refunds only where asked, and the ledger has nothing left in doubt.
"""

from __future__ import annotations

from collections import Counter

import pytest

from include.cancel_sync.ledger import Ledger
from include.cancel_sync.settings import SyncSettings
from sandbox.faults import FaultRule
from sandbox.runner import SandboxOptions
from tests.cancel_sync.step_runner import SLOW_REPLY, run_like_airflow
from tests.conftest import PROJECT_ROOT
from tests.world_expectations import expected_outcomes, shopify_gid

# Where each step's requests can be told apart: path for NetSuite, GraphQL operation name for Shopify.
STEPS = {
    # No COUNT query: request 1 is the first page, whose totalResults sizes the paging (42 orders: one page).
    "netsuite-paging": ("netsuite", {"path_contains": "/suiteql"}, 1),
    "shopify-read": ("shopify", {"body_contains": "OrderStates"}, 1),  # the compare step's read
    "recheck": ("shopify", {"body_contains": "OrderRecheck"}, 1),
    "cancel": ("shopify", {"body_contains": "CancelOrder"}, 3),  # the third orderCancel
    "confirmation": ("shopify", {"body_contains": "OrderStates"}, 2),  # first read after the cancels
}
KINDS = ["http_500", "http_502", "http_429", "throttled", "slow", "drop", "truncate"]
ARTIFACTS = PROJECT_ROOT / "artifacts"
CLIENT_ATTEMPTS = 8  # a fault repeated this often outlasts the clients' own retries: the try fails


def world_sandboxes(make_sandboxes, system: str, rule: FaultRule):
    options = SandboxOptions()
    getattr(options, f"{system}_faults").replace([rule], seed=1)
    return make_sandboxes(count=42, seed=11, every_scenario=True, options=options)


def record_for_the_table(step: str, kind: str, result) -> None:
    """Append this case's outcome to artifacts/fault_campaign.tsv (the fault × step table)."""
    ARTIFACTS.mkdir(exist_ok=True)
    outcome = "failed-then-retried-ok" if result.failed_tries else "completed"
    with (ARTIFACTS / "fault_campaign.tsv").open("a") as table:
        table.write(f"{step}\t{kind}\t{outcome}\t{sum(result.failed_tries.values())}\n")


def check_final_state(sandboxes, result, ledger: Ledger) -> None:
    world = sandboxes.world
    expected = expected_outcomes(world)
    assert {o["id"]: o["outcome"] for o in result.outcomes} == expected
    calls = Counter(c.order_id for c in sandboxes.shopify.store.cancel_calls if c.accepted)
    assert max(calls.values()) == 1, "an order was cancelled twice"
    assert set(calls) == {shopify_gid(world, nid) for nid, o in expected.items() if o == "cancelled"}
    refunded = {m.order_id for m in sandboxes.shopify.store.refunds if m.kind == "refund"}
    asked = {c.order_id for c in sandboxes.shopify.store.cancel_calls if c.refund_requested}
    assert refunded <= asked
    assert ledger.open_intents(calls) == {}


# NetSuite has no THROTTLED reply (its rate limit is http_429), so that pair is not a case.
CASES = [(step, kind) for step in STEPS for kind in KINDS if not (STEPS[step][0] == "netsuite" and kind == "throttled")]


@pytest.mark.parametrize(("step", "kind"), CASES)
def test_one_fault_is_absorbed(make_sandboxes, tmp_path, step, kind):
    system, where, nth = STEPS[step]
    sandboxes = world_sandboxes(make_sandboxes, system, FaultRule(kind, nth=(nth,), delay=SLOW_REPLY, **where))
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    result = run_like_airflow(sandboxes, SyncSettings(cancel_enabled=True), ledger)
    faults = getattr(sandboxes, system).faults.injected
    assert [f.kind for f in faults] == [kind], "the fault was not injected where intended"
    check_final_state(sandboxes, result, ledger)
    record_for_the_table(step, kind, result)
    if step != "cancel" or kind in ("http_429", "throttled"):
        assert result.failed_tries == {}, result.errors  # absorbed by the client's own retries
    else:
        # A lost reply to a mutation is never re-sent blindly: the order is re-read; what Shopify
        # never saw fails its try, and the retry cancels it.
        assert result.failed_tries in ({}, {"cancel": 1}), result.errors


@pytest.mark.parametrize("step", list(STEPS))
def test_a_persistent_fault_fails_the_try_clearly_and_the_retry_completes(make_sandboxes, tmp_path, step):
    system, where, nth = STEPS[step]
    rule = FaultRule("http_503", nth=tuple(range(nth, nth + CLIENT_ATTEMPTS)), **where)
    sandboxes = world_sandboxes(make_sandboxes, system, rule)
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    result = run_like_airflow(sandboxes, SyncSettings(cancel_enabled=True), ledger)
    check_final_state(sandboxes, result, ledger)
    record_for_the_table(step, "http_503 x8 (persistent)", result)
    step_name = {"netsuite-paging": "extract", "shopify-read": "compare"}.get(step, "cancel")
    assert result.failed_tries == {step_name: 1}, result.errors
    assert "503" in result.errors[0] or "did not answer" in result.errors[0] or "reply" in result.errors[0], (
        result.errors
    )
