"""Benchmark the sweep: a week of canceled orders, all settled by the windows, or with a share they missed.

    python -m benchmarks.bench_sweep [--orders 50000] [--missed 0.01] [--latency 0.05]
    make bench BENCH_ARGS="--sweep"            # 50,000 settled, then the same with 1% missed

The world: `--orders` canceled NetSuite orders over the last seven days. The ledger (the sweep's source of
what is settled) holds a `cancelled` row for each Shopify order already cancelled; the `--missed` share was
never handled by any run and is still open in Shopify. Each step runs as a process of its own, as in
bench_sync (benchmarks/sync_step.py), against the sandboxes with `--latency` per request. Printed: wall time
per step and in all, NetSuite requests, Shopify points spent and requests, orders left out as settled,
orders caught and cancelled. Targets (issue 16): a settled week ≤ 1,000 Shopify points and ≤ 60 s at 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_sync import SHOPIFY_COUNTERS, STEPS, _airflow_env, _run_step
from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.settings import SyncSettings
from sandbox.processes import SandboxControl
from sandbox.runner import Sandboxes, SandboxOptions
from sandbox.world import SCENARIOS, build_world

NOW = datetime(2026, 1, 20, 12, 0)  # the sweep's "now": its window is the seven days before
DAYS = 7
ONLY_PAID = {scenario.name: int(scenario.name == "cancel_paid") for scenario in SCENARIOS}


@dataclass
class SweepResult:
    orders: int
    missed: int
    steps: dict[str, float]  # wall seconds per step
    stats: dict[str, dict[str, Any]]
    netsuite_requests: int
    shopify: dict[str, int]
    report: dict[str, Any]

    @property
    def wall(self) -> float:
        return sum(self.steps.values())


def sweep_world(orders: int, missed_share: float, seed: int):
    """The week's orders; all but the missed share already cancelled in Shopify."""
    world = build_world(orders, NOW - timedelta(days=DAYS) + timedelta(hours=1), NOW, seed=seed, scenarios=ONLY_PAID)
    missed = set(range(0, orders, round(1 / missed_share))) if missed_share else set()
    for index, order in enumerate(world.shopify_orders):
        if index not in missed:
            order.cancelled_at, order.cancel_reason, order.closed = order.created_at + timedelta(hours=2), "OTHER", True
            order.financial_status = "REFUNDED"
    return world, {world.sales_orders[index].id for index in missed}


def seed_ledger(url: str, world, missed: set[int]) -> None:
    """What the sync's windows left in the ledger: a cancelled row for every order but the missed ones."""
    ledger = Ledger(url)
    settings = SyncSettings(cancel_enabled=True)
    rows = [
        {
            "id": order.id,
            "tranid": order.tranid,
            "gid": f"gid://shopify/Order/{world.shopify_ids[order.id]}",
            "decision": "to_cancel",
            "outcome": "cancelled",
            "detail": "cancelled by a window run",
            "refund": True,
        }
        for order in world.sales_orders
        if order.id not in missed
    ]
    for start in range(0, len(rows), 5000):
        ledger.record_outcomes(
            RunKey("netsuite_shopify_cancel_sync", "window-runs"), rows[start : start + 5000], settings
        )
    ledger.engine.dispose()


def run_sweep(orders: int, missed_share: float, latency: float, preset: str, seed: int = 5) -> SweepResult:
    from include.cancel_sync import tasks

    world, missed = sweep_world(orders, missed_share, seed)
    options = SandboxOptions(latency=latency, shopify_preset=preset, netsuite_concurrency_limit=5)
    with Sandboxes(world, options) as sandboxes, tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        workdir = Path(tmp)
        env = os.environ | sandboxes.connection_env() | _airflow_env(workdir)
        seed_ledger(f"sqlite:///{workdir / 'airflow' / 'netsuite_shopify_ledger.sqlite'}", world, missed)
        variables = {CANCEL_ENABLED_VARIABLE: "true"}
        run = tasks.resolve_run(
            lambda name, default: variables.get(name, default), {"days": DAYS}, None, None, NOW, sweep=True
        )
        (workdir / "run.json").write_text(json.dumps(run))
        before_shopify, before_netsuite = _shopify_counters(sandboxes), sandboxes.netsuite.stats["requests"]
        walls: dict[str, float] = {}
        stats: dict[str, dict[str, Any]] = {}
        for step in STEPS:
            wall, code, stderr, step_stats = _run_step(step, workdir, env, ["--netsuite-concurrency", "4"])
            if code != 0:
                raise SystemExit(f"step {step} exited {code}:\n{stderr[-4000:]}")
            walls[step], stats[step] = wall, step_stats
        shopify = {k: v - before_shopify[k] for k, v in _shopify_counters(sandboxes).items()}
        netsuite_requests = sandboxes.netsuite.stats["requests"] - before_netsuite
        report = json.loads((workdir / "report.json").read_text())
        cancelled = {call.order_id for call in sandboxes.shopify.store.cancel_calls if call.accepted}
        expected = {f"gid://shopify/Order/{world.shopify_ids[nid]}" for nid in missed}
        if cancelled != expected:
            raise SystemExit(f"the sweep cancelled {len(cancelled)} orders, {len(expected)} were missed")
    return SweepResult(orders, len(missed), walls, stats, netsuite_requests, shopify, report)


def print_sweep(result: SweepResult, latency: float) -> None:
    report = result.report
    print(f"\n=== sweep of {DAYS} days: {result.orders:,} canceled orders, {result.missed:,} missed by the windows ===")
    print(f"latency {latency * 1000:.0f} ms per request; load average {os.getloadavg()[0]:.2f}")
    rows = [
        ("left out as settled (not read from Shopify)", f"{report.get('settled_earlier', 0):,}"),
        (
            "caught by the sweep / cancelled",
            f"{report.get('caught_by_sweep', 0):,} / {report['outcomes'].get('cancelled', 0):,}",
        ),
        ("Shopify points spent / requests", f"{result.shopify['points_spent']:,} / {result.shopify['requests']:,}"),
        ("NetSuite requests", f"{result.netsuite_requests:,}"),
        ("wall: " + " / ".join(STEPS), " / ".join(f"{result.steps[s]:.1f}s" for s in STEPS)),
        ("wall in all", f"{result.wall:.1f}s"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def _shopify_counters(sandboxes: Sandboxes) -> dict[str, float]:
    stats = SandboxControl.of(sandboxes).shopify_stats()  # as bench_sync reads them
    return {key: stats[key] for key in SHOPIFY_COUNTERS}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument(
        "--missed", type=float, default=None, help="share missed by the windows (default: 0, then 0.01)"
    )
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--preset", default="plus")
    args = parser.parse_args(argv)
    for share in [args.missed] if args.missed is not None else [0.0, 0.01]:
        began = time.perf_counter()
        result = run_sweep(args.orders, share, args.latency, args.preset)
        print_sweep(result, args.latency)
        print(f"  (benchmark with setup: {time.perf_counter() - began:.1f}s)")


if __name__ == "__main__":
    main()
