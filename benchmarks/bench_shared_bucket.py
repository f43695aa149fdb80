"""Several cancel processes on one Shopify bucket: throughput and THROTTLED, with the bucket's own trace.

    python -m benchmarks.bench_shared_bucket --preset standard --orders 2000 --slots 4 [--repeat 2]

Runs benchmarks.bench_sync's whole sync (`run_sync`, unchanged: every step a process of its own, compare
and cancel as `--slots` processes side by side) and records, inside the sandbox, every reservation the
bucket is asked for (when, requested points, granted or THROTTLED, points left). Prints one row per run:
cancels/s from the first Shopify request, the run's cost ceiling n·R/(P−B) and the share of it reached,
THROTTLED replies as a share of Shopify requests, split by kind (10-point cancels vs reads), and the load
average while it ran (the machine is shared: repeat when it is high).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks import bench_sync  # noqa: E402
from sandbox.shopify import throttle  # noqa: E402

_trace: list[tuple[float, int, bool, float]] = []  # (time, requested, granted, available after)
_trace_lock = threading.Lock()


def _install_trace() -> None:
    original = throttle.LeakyBucket.try_reserve

    def traced(self, cost):
        granted, status = original(self, cost)
        with _trace_lock:
            _trace.append((time.monotonic(), int(cost), granted, status.currently_available))
        return granted, status

    throttle.LeakyBucket.try_reserve = traced


def one_run(args: argparse.Namespace) -> dict:
    _trace.clear()
    load_before = os.getloadavg()[0]
    result = bench_sync.run_sync(
        args.orders,
        args.preset,
        args.latency,
        netsuite_cap=5,
        netsuite_concurrency=4,
        cancel_concurrency=args.cancel_concurrency,
        seed=args.seed,
        quiet=True,
        slots=args.slots,
        in_process=True,  # the trace is taken inside the sandbox's bucket, in this process
    )
    load_after = os.getloadavg()[0]
    ceiling = result.run_ceiling
    refused = [t for t in _trace if not t[2]]
    return {
        "result": result,
        "ceiling": ceiling,
        "share": result.achieved_active / ceiling if ceiling else None,
        "throttled_cancels": sum(1 for t in refused if t[1] <= 10),
        "throttled_reads": sum(1 for t in refused if t[1] > 10),
        "load": (load_before, load_after),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--preset", choices=("standard", "advanced", "plus", "enterprise"), default="standard")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--cancel-concurrency", type=int, default=None)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--trace", type=Path, default=None, help="write the bucket's trace of the last run here (CSV)")
    args = parser.parse_args()
    _install_trace()
    print(
        "| preset | orders | slots | cancelled | cancels/s | ceiling | % of ceiling | requests | THROTTLED "
        "(cancels / reads) | % THROTTLED | load 1-min before→after | problems |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for _ in range(args.repeat):
        run = one_run(args)
        r = run["result"]
        share = f"{run['share']:.1%}" if run["share"] is not None else "not cost-bound"
        ceiling = f"{run['ceiling']:.2f}" if run["ceiling"] else "–"
        print(
            f"| {r.preset} | {r.orders:,} | {r.slots} | {r.cancelled:,} | {r.achieved_active:.2f} | {ceiling} | {share} | "
            f"{r.shopify_total('requests'):,} | {r.shopify_total('throttled')} ({run['throttled_cancels']} / "
            f"{run['throttled_reads']}) | {r.throttled_share:.2%} | {run['load'][0]:.2f}→{run['load'][1]:.2f} | "
            f"{'; '.join(r.problems) or 'none'} |",
            flush=True,
        )
    if args.trace:
        start = _trace[0][0] if _trace else 0.0
        with args.trace.open("w") as out:
            out.write("seconds,requested,granted,available\n")
            for when, cost, granted, available in _trace:
                out.write(f"{when - start:.4f},{cost},{int(granted)},{available:.1f}\n")


if __name__ == "__main__":
    main()
