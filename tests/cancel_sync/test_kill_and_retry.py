"""A cancel step killed with SIGKILL after k of n cancels, then retried, cancels exactly the other n−k.

With a cancel job delay, some of the k are still running in Shopify when the retry starts:
the ledger's open rows make the retry wait for them instead of sending a second cancel.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from include.cancel_sync.ledger import Ledger
from include.cancel_sync.settings import SyncSettings
from sandbox.runner import SandboxOptions
from tests.conftest import PROJECT_ROOT, WORLD_END, WORLD_START

SCRIPT = PROJECT_ROOT / "tests" / "cancel_sync" / "sync_steps_script.py"
RUN = {
    "settings": SyncSettings(cancel_enabled=True).to_dict(),
    "window": {"start": WORLD_START.strftime("%Y-%m-%d %H:%M:%S"), "end": WORLD_END.strftime("%Y-%m-%d %H:%M:%S")},
}


def start_step(sandboxes, step: str, decisions, ledger_url: str = "", try_number: int = 1) -> subprocess.Popen:
    env = os.environ | sandboxes.connection_env()
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), step, json.dumps(RUN), str(decisions), ledger_url, str(try_number)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def accepted_calls(sandboxes) -> list[str]:
    return [call.order_id for call in sandboxes.shopify.store.cancel_calls if call.accepted]


@pytest.mark.parametrize("job_delay", [0.0, 1.5], ids=["jobs-instant", "jobs-still-running-at-retry"])
def test_killed_cancel_task_then_retry_cancels_each_order_exactly_once(make_sandboxes, tmp_path, job_delay):
    # 40 paid orders to cancel; 30 ms per request gives time to kill mid-batch.
    sandboxes = make_sandboxes(
        count=40,
        seed=5,
        scenarios={"cancel_paid": 1} | _others_off(),
        options=SandboxOptions(latency=0.03, cancel_job_delay=job_delay),
    )
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    n = 40
    decisions = tmp_path / "decisions.json"
    plan = start_step(sandboxes, "plan", decisions)
    assert plan.wait(timeout=60) == 0, plan.stderr.read()
    step = start_step(sandboxes, "cancel", decisions, ledger_url, 1)
    deadline = time.monotonic() + 60
    while len(accepted_calls(sandboxes)) < 12 and time.monotonic() < deadline and step.poll() is None:
        time.sleep(0.005)
    step.send_signal(signal.SIGKILL)
    step.wait()
    time.sleep(0.3)  # let the server finish a request that was in flight when the client died
    k = len(accepted_calls(sandboxes))
    assert 12 <= k < n, f"kill landed after {k} cancels; the test needs it mid-batch"

    retry = start_step(sandboxes, "cancel", decisions, ledger_url, 2)
    out, err = retry.communicate(timeout=120)
    assert retry.returncode == 0, err[-2000:]
    outcomes = json.loads(out.strip().splitlines()[-1])

    calls = Counter(call.order_id for call in sandboxes.shopify.store.cancel_calls)
    assert len(calls) == n and set(calls.values()) == {1}, "an order got a second orderCancel"
    assert len(accepted_calls(sandboxes)) == n
    assert Counter(o["outcome"] for o in outcomes) == {"cancelled": n}
    earlier = [o for o in outcomes if "earlier try" in o["detail"]]
    assert len(earlier) == k  # recognised by their staff note, not re-sent
    assert len({m.order_id for m in sandboxes.shopify.store.refunds}) == n  # one refund each

    ledger = Ledger(ledger_url)
    assert ledger.open_intents(calls) == {}, "the retry left rows in doubt"
    rows = ledger.history()
    assert {r["outcome"] for r in rows} <= {"cancelled", "not_applied"}
    sent_by_retry = {r["shopify_gid"] for r in rows if r["try_number"] == 2 and r["job_id"]}
    assert len(sent_by_retry) == n - k  # the rest were sent by the retry
    earlier = {r["shopify_gid"] for r in rows if r["try_number"] == 2 and "earlier try" in (r["detail"] or "")}
    assert len(earlier) == k and not earlier & sent_by_retry


def _others_off() -> dict[str, int]:
    from sandbox.world import SCENARIOS

    return {s.name: 0 for s in SCENARIOS if s.name != "cancel_paid"}
