"""A cancel step killed with SIGKILL after k of n cancels, then retried, cancels each order exactly once.

The kill lands at an exact request, through the Shopify sandbox's hold (sandbox/hold.py): Shopify runs
the first k orderCancel requests and holds the next one, so the step (one request in flight) is
stuck with its intent committed and its request at Shopify when it dies. What Shopify then does with
a request whose client died is not documented, so both readings are tested:
- "run": Shopify runs it, and its cancel job is still running when the retry re-checks the order
  (held until the retry has read it): the ledger's open row makes the retry wait for it instead of
  sending a second cancel;
- "dropped": it never ran; the retry waits its confirm timeout for it, finds the order still open,
  closes the intent as not applied and sends the cancel itself.
"""

import json
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from devtools.local_airflow import wait_until
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.settings import SyncSettings
from sandbox.world import SCENARIOS
from tests.cancel_sync.step_runner import WINDOW, plan
from tests.conftest import PROJECT_ROOT
from tests.timing import HTTP_TIMEOUT, PROCESS_EXIT, scaled

SCRIPT = PROJECT_ROOT / "tests" / "cancel_sync" / "cancel_step_script.py"
RUN = {"settings": SyncSettings(cancel_enabled=True).to_dict(), "window": WINDOW}
N = 40  # paid orders to cancel
K = 12  # orderCancel requests Shopify runs before it holds the next
STEP_FINISHED = scaled(60)  # a step process, started → exited
# How long the retry waits for a cancel in doubt: a wait for Shopify's word when the held cancel ran; when it
# was dropped, the time the sync gives a cancel that will never show (part of the scenario, not scaled).
CONFIRM_TIMEOUT = {"run": scaled(30), "dropped": 1.0}


def start_cancel_step(
    sandboxes, decisions, ledger_url: str, try_number: int, confirm_timeout: float
) -> subprocess.Popen:
    """One try of the cancel task, as a process of its own (it is killed)."""
    env = os.environ | sandboxes.connection_env()
    arguments = [json.dumps(RUN), str(decisions), ledger_url, str(try_number), str(confirm_timeout)]
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *arguments],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def accepted_calls(sandboxes) -> list[str]:
    return [call.order_id for call in sandboxes.shopify.store.cancel_calls if call.accepted]


@pytest.mark.parametrize("held_request", ["run", "dropped"])
def test_killed_cancel_task_then_retry_cancels_each_order_exactly_once(make_sandboxes, tmp_path, held_request):
    sandboxes = make_sandboxes(count=N, seed=5, scenarios={s.name: int(s.name == "cancel_paid") for s in SCENARIOS})
    shopify = sandboxes.shopify
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ledger = Ledger(ledger_url)
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps(plan(sandboxes, RUN)))

    shopify.hold.arm(after=K, body_contains="orderCancel")
    confirm_timeout = CONFIRM_TIMEOUT[held_request]
    step = start_cancel_step(sandboxes, decisions, ledger_url, 1, confirm_timeout)
    [held_body] = shopify.hold.wait_held(1, STEP_FINISHED)
    held = json.loads(held_body)["variables"]["orderId"]
    done = accepted_calls(sandboxes)
    assert len(done) == K
    assert set(ledger.open_intents(done + [held])) == {*done, held}  # every intent's request reached Shopify
    reads_before_kill = shopify.stats["root_fields"]["nodes"]

    if held_request == "run":
        shopify.store.hold_jobs()
    step.send_signal(signal.SIGKILL)
    step.wait(timeout=PROCESS_EXIT)
    assert shopify.hold.release(drop=held_request == "dropped") == 1
    k = K + 1 if held_request == "run" else K  # cancels the dead step got to Shopify
    wait_until(lambda: len(shopify.store.cancel_calls) == k, HTTP_TIMEOUT, "the held cancel to run or go")

    retry = start_cancel_step(sandboxes, decisions, ledger_url, 2, confirm_timeout)
    if held_request == "run":  # the retry re-checks while the held cancel is still running; then it may finish
        wait_until(lambda: shopify.stats["root_fields"]["nodes"] > reads_before_kill, STEP_FINISHED, "the re-check")
        assert [job.order_id for job in shopify.store.finish_held_jobs()] == [int(held.rsplit("/", 1)[1])]
    out, err = retry.communicate(timeout=STEP_FINISHED)
    assert retry.returncode == 0, err[-2000:]
    outcomes = json.loads(out.strip().splitlines()[-1])

    calls = Counter(call.order_id for call in shopify.store.cancel_calls)
    assert len(calls) == N and set(calls.values()) == {1}, "an order got a second orderCancel"
    assert len(accepted_calls(sandboxes)) == N
    assert Counter(o["outcome"] for o in outcomes) == {"cancelled": N}
    earlier = {o["gid"] for o in outcomes if "earlier try" in o["detail"]}
    assert earlier == set(done) | ({held} if held_request == "run" else set())  # recognised, not re-sent
    assert len({m.order_id for m in shopify.store.refunds}) == N  # one refund each

    assert ledger.open_intents(calls) == {}, "the retry left rows in doubt"
    rows = ledger.history()
    dead_try = {r["shopify_gid"]: r["outcome"] for r in rows if r["try_number"] == 1}
    assert dead_try == dict.fromkeys(done, "cancelled") | {
        held: "cancelled" if held_request == "run" else "not_applied"
    }
    sent_by_retry = {r["shopify_gid"] for r in rows if r["try_number"] == 2 and r["job_id"]}
    assert sent_by_retry == set(calls) - earlier  # the rest were sent by the retry
    assert {r["shopify_gid"] for r in rows if r["try_number"] == 2 and "earlier try" in (r["detail"] or "")} == earlier
