"""Several cancel task processes on one Shopify bucket, over real HTTP against the sandbox.

Each client has its own pacer, as each mapped `cancel_in_shopify` task process does; they run
cancel_batch (re-check read, 10 cancels in flight, confirmation read) side by side. The bucket is
scaled so a cancel is as large against the restore rate and the round trip as at Standard with
50 ms latency (about half a cancel restored per round trip), and small enough that the run is
cost-bound within a second. The test counts THROTTLED replies; how close the processes come to the
bucket's rate is what `python -m benchmarks.bench_shared_bucket` measures (a speed, not for a test).
"""

from __future__ import annotations

import threading

from include.cancel_sync.cancel import cancel_batch
from include.cancel_sync.shopify.cost_pacer import HEADROOM
from sandbox.runner import SandboxOptions
from tests.cancel_sync.shopify.test_cancel_requests import SETTINGS, only, outcomes_for, shopify_client

PROCESSES = 4  # the pool's slots
ORDERS_EACH = 40
RESTORE_RATE = 400.0  # points/s
BUCKET = 1000.0
LATENCY = 0.0125  # s: 5 points restored per round trip, as 100 points/s × 50 ms


def test_cancel_processes_sharing_one_bucket_are_rarely_throttled(make_sandboxes):
    options = SandboxOptions(latency=LATENCY, shopify_bucket_size=BUCKET, shopify_restore_rate=RESTORE_RATE)
    sandboxes = make_sandboxes(count=PROCESSES * ORDERS_EACH, seed=21, scenarios=only(cancel_paid=1), options=options)
    decisions = [o | {"reason": "open in Shopify"} for o in outcomes_for(sandboxes)]
    shares = [decisions[i::PROCESSES] for i in range(PROCESSES)]
    results: list[list[dict]] = [[] for _ in range(PROCESSES)]

    def process(index: int) -> None:
        results[index] = cancel_batch(shopify_client(sandboxes), SETTINGS, shares[index], concurrency=10)

    workers = [threading.Thread(target=process, args=(i,)) for i in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    stats = sandboxes.shopify.stats
    assert all(o["outcome"] == "cancelled" for result in results for o in result)
    assert len(sandboxes.shopify.store.cancel_calls) == len(decisions)  # none twice
    assert stats["throttled"] <= 0.02 * stats["requests"], (stats["throttled"], stats["requests"])
    # Cost-bound: more was spent than the bucket (less the headroom the pacers keep while shared) held,
    # so the processes had to wait for its restore. The old pacer (no headroom, no shared rate): 7-23% THROTTLED.
    restored_seconds = (stats["points_spent"] - (BUCKET - HEADROOM)) / RESTORE_RATE
    assert restored_seconds > 2.0, "the run must be cost-bound to say anything about pacing"
