"""Many cancellations with a share of injected faults; every order must be accounted for.

    python -m tests.cancel_sync.load_with_faults --orders 20000 --fault-rate 0.02

Prints one table: orders, faults injected, failed tries retried, duplicates (must be 0),
unwanted refunds (must be 0), orders without a final ledger row (must be 0), peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from include.cancel_sync.ledger import Ledger
from include.cancel_sync.settings import SyncSettings
from sandbox.faults import FaultRule
from sandbox.runner import Sandboxes, SandboxOptions
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import run_like_airflow
from tests.conftest import WORLD_END, WORLD_START

FAULT_KINDS = ("http_500", "http_502", "http_429", "throttled", "drop", "truncate", "internal_error")
SHOPIFY_ONLY = ("throttled", "internal_error")  # Shopify's GraphQL replies; NetSuite has no such thing


def fault_rules(rate: float) -> list[FaultRule]:
    return [FaultRule(kind, probability=rate / len(FAULT_KINDS)) for kind in FAULT_KINDS]


def run_load(orders: int, fault_rate: float, prevent_refund: bool, workdir: Path, seed: int = 1) -> dict:
    weights = {s.name: int(s.cancellable and s.weight > 0) for s in SCENARIOS}  # issue 12's opt-in ones left out
    world = build_world(orders, WORLD_START, WORLD_END, seed=seed, scenarios=weights)
    options = SandboxOptions(shopify_bucket_size=1e9, shopify_restore_rate=1e9)  # cost is not what this measures
    options.shopify_faults.replace(fault_rules(fault_rate), seed=seed)
    options.netsuite_faults.replace([r for r in fault_rules(fault_rate) if r.kind not in SHOPIFY_ONLY], seed=seed)
    ledger = Ledger(f"sqlite:///{workdir / 'ledger.sqlite'}")
    started = time.perf_counter()
    with Sandboxes(world, options) as sandboxes:
        result = run_like_airflow(
            sandboxes, SyncSettings(cancel_enabled=True, prevent_refund=prevent_refund), ledger, retries=5
        )
        calls = Counter(c.order_id for c in sandboxes.shopify.store.cancel_calls if c.accepted)
        refunds = [m for m in sandboxes.shopify.store.refunds if m.kind == "refund"]
        asked = {c.order_id for c in sandboxes.shopify.store.cancel_calls if c.refund_requested}
        faults = len(sandboxes.shopify.faults.injected) + len(sandboxes.netsuite.faults.injected)
        requests_sent = sandboxes.shopify.stats["requests"] + sandboxes.netsuite.stats["requests"]
    final_rows = {r["netsuite_id"] for r in ledger.history() if r["outcome"] not in (None, "accepted")}
    return {
        "orders": orders,
        "cancelled": sum(1 for o in result.outcomes if o["outcome"] == "cancelled"),
        "requests": requests_sent,
        "faults injected": faults,
        "failed tries retried": sum(result.failed_tries.values()),
        "duplicates": sum(n - 1 for n in calls.values() if n > 1),
        "unwanted refunds": len([m for m in refunds if prevent_refund or m.order_id not in asked]),
        "orders without final ledger row": len(set(world.scenarios) - final_rows),
        "open ledger rows": len(ledger.open_intents(calls)),
        "seconds": round(time.perf_counter() - started, 1),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--fault-rate", type=float, default=0.02)
    parser.add_argument("--prevent-refund", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        figures = run_load(args.orders, args.fault_rate, args.prevent_refund, Path(workdir))
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
