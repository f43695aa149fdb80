"""Benchmark the whole sync against the sandboxes: throughput against Shopify's cost ceiling, NetSuite paging, memory, XCom.

    python -m benchmarks.bench_sync [--orders 10000] [--preset standard|plus] [--latency 0.05] [--slots 4]
    python -m benchmarks.bench_sync --latency 0.3                  # closer to orderCancel on real Shopify
    python -m benchmarks.bench_sync --scaling [--preset plus]       # idle, 1,000 / 10,000 / 100,000, oversized window
    python -m benchmarks.bench_sync --dag-test --orders 1000       # the real DAG once, via `airflow dags test`
    python -m benchmarks.bench_sync --extract-only --orders 100000 # extract step only, 3 runs: NetSuite page rate
    make bench BENCH_ARGS="--orders 1000 --preset standard"

Every step runs as a process of its own, the way Airflow runs task processes, with the previous step's
XCom in a file (benchmarks/sync_step.py). By default the mapped work runs in the DAG's order: the `batch`
step takes each batch's compare, then its cancel, then the next batch (the pool runs a batch's cancel
before the next compare: dag_tasks.py's weight_rule); `--breadth-first` runs every compare (step
`compare`), then every cancel (`cancel`), as Airflow's default priority would. Each sandbox runs in a
process of its own (sandbox/processes.py; what they saw is read over their /_sandbox/ endpoints), over
loopback HTTP with
`--latency` per request: NetSuite's whole response time (its own work done within it, as a real
service's time includes its work), Shopify's added before its work (which is small beside the cost wait).

Besides speed, the run prints its CPU: the compare and cancel processes' user + system seconds per
cancelled order, each sandbox's CPU as a share of a core, the load average; and what limited it
(benchmarks/run_limits.py): the bucket, or the seconds its restore was lost while something else —
a sandbox, the client, the machine, or round trips — held the run back.

`--orders` is the number of NetSuite orders that qualify (canceled in the window); the scenario mix is
the world builder's default among qualifying scenarios (about 70% end up cancelled in Shopify).

The Shopify ceiling: the sync spends P points in compare + cancel for n cancelled orders (state read
at compare, re-check read, orderCancel, confirmation read — and the compare reads of orders that are
not cancelled). Shopify restores R points/s into a bucket of B points that is full when the compare
step starts, so the run cannot take less than (P - B) / R seconds: the ceiling is n·R / (P - B)
cancels/s (R·n/P in steady state). Achieved is shown two ways: n / (first Shopify request of the compare
step → end of the cancel step), and n / the two steps' wall time (their process starts included; while
the compare process starts the bucket is full, so that time is lost to any client).

`--preset` defaults to plus (10,000 orders: ~2.5 minutes); standard at 10,000 orders takes ~17 minutes,
the bucket allowing ~7.6 cancels/s. `--slots N` runs the mapped steps as N processes side by side, as
the DAG's pool can, each taking every N-th batch. `--stores eu:connector,us:celigo,b2b:subsidiary` runs
several stores, a shop each (their batches take turns, so with `--slots` at least the number of stores
each store's batches have a process), and prints each store's figures against its own bucket.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.run_limits import client_cpu, cost_rows, sandbox_core_share, what_limited  # noqa: E402
from benchmarks.sync_step import add_up  # noqa: E402
from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE, STORES_VARIABLE, SYNC_DAG_ID  # noqa: E402
from sandbox.processes import SandboxControl, SandboxProcesses  # noqa: E402
from sandbox.runner import Sandboxes, SandboxOptions  # noqa: E402
from sandbox.stores import StoreSpec, store_list_argument  # noqa: E402
from sandbox.world import SCENARIOS, build_world  # noqa: E402

WORLD_START = datetime(2026, 1, 15, 0, 0, 0)
WORLD_END = datetime(2026, 1, 16, 0, 0, 0)
STEPS = ("extract", "compare", "cancel", "report")  # breadth-first: every compare, then every cancel
DEPTH_FIRST_STEPS = ("extract", "batch", "report")  # the DAG's shape: a batch's compare, then its cancel
SHOPIFY_STEP_NAMES = ("compare", "cancel", "batch")  # the steps that talk to Shopify
QUALIFYING = {s.name: s.weight if s.extracted else 0 for s in SCENARIOS}
NOT_QUALIFYING = {s.name: 0 if s.extracted else s.weight for s in SCENARIOS}
MAX_MAP_LENGTH = 1024  # Airflow's [core] max_map_length


@dataclass
class StepResult:
    name: str
    wall: float
    rss_mb: float
    stats: dict[str, Any]
    shopify: dict[str, float] = field(default_factory=dict)  # sandbox counters spent in this step
    netsuite: dict[str, int] = field(default_factory=dict)
    sandbox_cpu: dict[str, float] = field(default_factory=dict)  # sandbox → CPU seconds its process used
    load: float = 0.0  # the machine's 1-minute load average, the higher of the step's start and end
    bucket_after: float = 0.0  # points left in the Shopify bucket when the step ended
    startup: float = 0.0  # seconds from launching the step's processes to the last one starting its work


@dataclass(frozen=True)
class StoreResult:
    """One store's shop over the run (`--stores`): what it spent and cancelled, against its own ceiling."""

    name: str
    restore_rate: float
    bucket: float
    cancelled: int  # distinct orders its shop accepted a cancel for
    points_spent: float
    requests: int
    throttled: int
    restore_lost: float
    active_seconds: float  # the compare step's start → the shop's last orderCancel

    @property
    def ceiling(self) -> float | None:
        """n·R/(P − B) of this shop's own bucket; None when its bucket covered its share (not cost-bound)."""
        if not self.cancelled or self.points_spent <= self.bucket:
            return None
        return self.cancelled * self.restore_rate / (self.points_spent - self.bucket)

    @property
    def achieved(self) -> float:
        return self.cancelled / self.active_seconds if self.active_seconds > 0 else 0.0

    @property
    def throttled_share(self) -> float:
        return self.throttled / self.requests if self.requests else 0.0


@dataclass
class SyncResult:
    label: str
    orders: int
    preset: str
    latency: float
    restore_rate: float
    bucket: float
    netsuite_cap: int
    netsuite_concurrency: int
    steps: dict[str, StepResult]
    expected_cancelled: int
    cancel_calls: int
    cancelled_orders: int
    problems: list[str]
    slots: int = 1
    sandboxes_apart: bool = True  # each sandbox served by a process of its own (else one process serves both)
    load_before: float = 0.0  # the machine's 1-minute load average when the run started
    stores: list[StoreResult] = field(default_factory=list)  # with several stores: each shop's own figures

    # -- derived figures ------------------------------------------------------------------------

    @property
    def extracted(self) -> int:
        return self.steps["extract"].stats["orders"]

    @property
    def cancelled(self) -> int:
        return self.steps["report"].stats["outcomes"].get("cancelled", 0)

    def shopify_total(self, key: str) -> int:
        return sum(step.shopify.get(key, 0) for step in self.steps.values())

    @property
    def shopify_steps(self) -> list[str]:
        """compare and cancel (breadth-first), or batch (depth-first)."""
        return [name for name in SHOPIFY_STEP_NAMES if name in self.steps]

    @property
    def shopify_seconds(self) -> float:
        return sum(self.steps[name].wall for name in self.shopify_steps)

    @property
    def achieved(self) -> float:
        """Cancels/s over the compare and cancel steps' wall time, process starts included."""
        return self.cancelled / self.shopify_seconds if self.shopify_seconds else 0.0

    @property
    def active_seconds(self) -> float:
        """From the compare step's first Shopify request to the cancel step's end. Leaves out only the
        compare process's start, when the bucket is full and nothing can be sent anyway."""
        first, last = self.steps[self.shopify_steps[0]], self.steps[self.shopify_steps[-1]]
        return last.stats["ended_at"] - first.stats["started_at"]

    @property
    def achieved_active(self) -> float:
        return self.cancelled / self.active_seconds if self.active_seconds > 0 else 0.0

    @property
    def points_per_cancel(self) -> float:
        return self.shopify_total("points_spent") / self.cancelled if self.cancelled else 0.0

    @property
    def steady_ceiling(self) -> float:
        return self.restore_rate / self.points_per_cancel if self.cancelled else 0.0

    @property
    def run_ceiling(self) -> float | None:
        """n·R/(P − B); None when the bucket alone covers the run (not cost-bound)."""
        spent = self.shopify_total("points_spent")
        if not self.cancelled or spent <= self.bucket:
            return None
        return self.cancelled * self.restore_rate / (spent - self.bucket)

    @property
    def throttled_share(self) -> float:
        requests = self.shopify_total("requests")
        return self.shopify_total("throttled") / requests if requests else 0.0

    def xcom_per_order(self, step: str, key: str = "xcom_bytes") -> float:
        """XCom bytes per extracted order a step sent (compare's and cancel's within batch, depth-first)."""
        orders = max(self.extracted, 1)
        if step not in self.steps and step in ("compare", "cancel"):
            return self.steps["batch"].stats.get(f"{step}_{key}", 0) / orders
        return self.steps[step].stats.get(key, 0) / orders

    @property
    def pages(self) -> int:
        extract = self.steps["extract"]
        return extract.netsuite.get("pages_served", 0) - extract.stats.get("probe_pages", 0)

    @property
    def extraction_seconds(self) -> float:
        """From the first NetSuite request of the extract step to its last page answered, as the NetSuite
        sandbox saw them (the lone-page probes after the extraction are left out)."""
        netsuite = self.steps["extract"].netsuite
        return netsuite.get("last_page_at", 0.0) - netsuite.get("first_request_at", 0.0)

    @property
    def whole_page_rate(self) -> float:
        """Pages/s over the whole extraction: every page NetSuite served (first pages, and the check of a query
        reading exactly 100,000 rows, included) ÷ first request → last page."""
        return self.pages / self.extraction_seconds if self.extraction_seconds > 0 else 0.0

    @property
    def page_rate(self) -> float:
        """Pages/s while pages are fetched in parallel (every page after a query's first)."""
        stats = self.steps["extract"].stats
        return stats["paging_pages"] / stats["paging_seconds"] if stats.get("paging_seconds") else 0.0

    @property
    def extract_page_rate(self) -> float:
        """Pages/s over the extract step's own time (first page included, and the step's work after the last page)."""
        seconds = self.steps["extract"].stats.get("work_seconds", 0.0)
        return self.pages / seconds if seconds else 0.0

    @property
    def ideal_page_rate(self) -> float:
        """Allowed concurrency ÷ the sandbox's added latency (pages cost nothing else)."""
        return self.netsuite_concurrency / self.latency if self.latency else float("inf")

    @property
    def ideal_page_rate_measured(self) -> float:
        """Allowed concurrency ÷ the measured time of one page fetched alone."""
        lone = self.steps["extract"].stats.get("lone_page_seconds") or 0.0
        return self.netsuite_concurrency / lone if lone else float("inf")


def sync_world(orders: int, seed: int, idle: bool, stores: tuple[StoreSpec, ...] | None = None):
    """`stores` (None: the one default store) share the orders by weight, each in a shop of its own."""
    scenarios = NOT_QUALIFYING if idle else QUALIFYING  # idle: nothing canceled in the window (a quiet 15 min)
    return build_world(max(orders, 1), WORLD_START, WORLD_END, seed=seed, scenarios=scenarios, stores=stores)


def run_sync(
    orders: int,
    preset: str,
    latency: float,
    netsuite_cap: int,
    netsuite_concurrency: int,
    cancel_concurrency: int | None = None,
    seed: int = 11,
    idle: bool = False,
    label: str | None = None,
    bucket_size: float | None = None,
    restore_rate: float | None = None,
    steps: tuple[str, ...] | None = None,
    quiet: bool = False,
    keep: Path | None = None,
    slots: int = 1,
    in_process: bool = False,
    stores: tuple[StoreSpec, ...] | None = None,
    depth_first: bool = True,
) -> SyncResult:
    """`in_process`: the sandboxes in this process (sandbox/runner.py) instead of one process each
    (sandbox/processes.py); what they saw is read over their control endpoints either way. `stores`: several
    stores, a shop each, in the netsuite_shopify_stores Variable; the run's Shopify figures add up every shop
    (bucket and restore rate too) and each store's own are in `SyncResult.stores`. `depth_first` (the DAG's
    shape, default): each batch's compare then its cancel (the `batch` step); else every compare, then every
    cancel. `steps`: only these (default: all of the shape)."""
    load_before = os.getloadavg()[0]
    world = sync_world(orders, seed, idle, stores)
    steps = steps or (DEPTH_FIRST_STEPS if depth_first else STEPS)
    expected_cancelled = len(world.ids_with(lambda s: s.cancellable)) if not idle else 0
    expected_extracted = len(world.ids_with(lambda s: s.extracted)) if not idle else 0
    options = SandboxOptions(
        latency=latency,
        shopify_preset=preset,
        netsuite_concurrency_limit=netsuite_cap,
        shopify_bucket_size=bucket_size,
        shopify_restore_rate=restore_rate,
    )
    results: dict[str, StepResult] = {}
    problems: list[str] = []
    runner = Sandboxes if in_process else SandboxProcesses
    with runner(world, options) as sandboxes, tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        del world  # the sandboxes hold their own copies; keep this process small
        control = SandboxControl.of(sandboxes)
        shops = {name: SandboxControl.of(sandboxes, name) for name in sandboxes.shop_urls}
        workdir = Path(tmp)
        stores_variable = sandboxes.stores_variable() if stores else None
        (workdir / "run.json").write_text(json.dumps(_run(stores_variable), default=str))
        env = os.environ | sandboxes.connection_env() | _airflow_env(workdir)
        shop_start = {name: shop.shopify_stats() for name, shop in shops.items()}
        limits = {
            key: sum(stats["throttle_status"][key] for stats in shop_start.values())
            for key in ("restoreRate", "maximumAvailable")
        }
        for step in steps:
            before = _SandboxCounters.read(control, shops.values())
            arguments = ["--netsuite-concurrency", str(netsuite_concurrency)]
            if cancel_concurrency is not None:
                arguments += ["--cancel-concurrency", str(cancel_concurrency)]
            load, launched = os.getloadavg()[0], time.time()
            wall, code, stderr, stats = _run_step(step, workdir, env, arguments, slots)
            if code != 0:
                raise SystemExit(f"step {step} exited {code}:\n{stderr[-4000:]}")
            rss_mb = stats["peak_rss_kb"] / 1024
            after = _SandboxCounters.read(control, shops.values())
            results[step] = StepResult(
                step,
                wall,
                rss_mb,
                stats,
                shopify={k: after.shopify[k] - before.shopify[k] for k in after.shopify},
                netsuite={
                    k: (after.netsuite[k] - before.netsuite[k]) if k != "peak_concurrency" else after.netsuite[k]
                    for k in ("requests", "pages_served", "concurrency_rejections", "peak_concurrency")
                }
                | _netsuite_span(after.timeline[len(before.timeline) :], stats.get("probe_pages", 0)),
                sandbox_cpu=after.cpu_since(before),
                load=max(load, os.getloadavg()[0]),
                bucket_after=after.level,
                startup=stats.get("last_started_at", stats.get("started_at", launched)) - launched,
            )
            if not quiet:
                print(f"  … {step}: {wall:.1f}s, {rss_mb:.0f} MB", file=sys.stderr, flush=True)
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("run.json", "batches.jsonl", "decisions.jsonl", "outcomes.jsonl", "report.json"):
                if (workdir / name).exists():
                    shutil.copy(workdir / name, keep / name)
        shop_calls = {name: shop.cancel_calls() for name, shop in shops.items()}
        calls = [call for name in shops for call in shop_calls[name]]
        accepted = [call["order_id"] for call in calls if call["accepted"]]
        store_results = (
            _store_results(
                shop_start, {name: shop.shopify_stats() for name, shop in shops.items()}, shop_calls, results
            )
            if stores and {"cancel", "batch"} & set(results)
            else []
        )
        if len(set(accepted)) != len(accepted):
            problems.append(f"an order was cancelled twice ({len(accepted) - len(set(accepted))} extra cancels)")
        result = SyncResult(
            label=label or f"{orders:,} orders",
            orders=orders,
            preset=preset,
            latency=latency,
            restore_rate=limits["restoreRate"],
            bucket=limits["maximumAvailable"],
            netsuite_cap=netsuite_cap,
            netsuite_concurrency=netsuite_concurrency,
            steps=results,
            expected_cancelled=expected_cancelled,
            cancel_calls=len(calls),
            cancelled_orders=len(set(accepted)),
            problems=problems,
            slots=slots,
            sandboxes_apart=not in_process,
            load_before=load_before,
            stores=store_results,
        )
    if "extract" in results and result.extracted != expected_extracted:
        problems.append(f"extracted {result.extracted}, expected {expected_extracted}")
    if "report" in results:
        if result.cancelled != expected_cancelled:
            problems.append(f"cancelled {result.cancelled}, expected {expected_cancelled}")
        if result.steps["report"].stats["failed"]:
            problems.append(f"{result.steps['report'].stats['failed']} orders failed")
    if results.get("extract") and results["extract"].netsuite["concurrency_rejections"]:
        problems.append("NetSuite refused requests over its concurrency limit")
    return result


@dataclass(frozen=True)
class _SandboxCounters:
    """What the sandboxes had counted at one moment (a step's figures are the differences)."""

    shopify: dict[str, float]
    netsuite: dict[str, int]
    timeline: list[tuple[float, float, int]]
    cpu: dict[str, float]  # "netsuite", "shopify:<pid>" (a shop's process) → its user + system CPU seconds
    level: float  # points in the Shopify bucket

    def cpu_since(self, before: _SandboxCounters) -> dict[str, float]:
        """CPU seconds the sandboxes used since `before`: NetSuite's process, the busiest shop process (each
        process runs on one core at most, so a share of a core is judged per process) and all shops together."""
        used = {name: seconds - before.cpu.get(name, 0.0) for name, seconds in self.cpu.items()}
        shops = [seconds for name, seconds in used.items() if name.startswith("shopify:")]
        return {"netsuite": used["netsuite"], "shopify": max(shops, default=0.0), "shops": sum(shops)}

    @classmethod
    def read(cls, control: SandboxControl, shops: Iterable[SandboxControl]) -> _SandboxCounters:
        """NetSuite's counters, and every shop's added up (one shop unless the run has several stores)."""
        shops = list(shops)
        shopify = [shop.shopify_stats() for shop in shops]
        # A process's CPU once, however many shops it serves (in-process sandboxes share one).
        shop_cpu = {times["pid"]: times for times in (shop.shopify_cpu() for shop in shops)}
        return cls(
            shopify={key: sum(stats[key] for stats in shopify) for key in SHOPIFY_COUNTERS},
            netsuite=control.netsuite_stats(),
            timeline=control.netsuite_timeline(),
            cpu={
                "netsuite": _cpu_seconds(control.netsuite_cpu()),
                **{f"shopify:{pid}": _cpu_seconds(times) for pid, times in shop_cpu.items()},
            },
            level=sum(stats["throttle_status"]["currentlyAvailable"] for stats in shopify),
        )


def _cpu_seconds(times: dict[str, float]) -> float:
    return times["user"] + times["system"]


def _store_results(
    start: dict[str, dict[str, Any]],
    end: dict[str, dict[str, Any]],
    calls: dict[str, list[dict[str, Any]]],
    steps: dict[str, StepResult],
) -> list[StoreResult]:
    """Each shop's figures from its counters before the first step and after the last."""
    began = steps["batch" if "batch" in steps else "compare"].stats["started_at"]
    results = []
    for name in start:
        accepted = [call for call in calls[name] if call["accepted"]]
        last = max((datetime.fromisoformat(c["received_at"].replace("Z", "+00:00")) for c in calls[name]), default=None)
        limits = start[name]["throttle_status"]
        results.append(
            StoreResult(
                name=name,
                restore_rate=limits["restoreRate"],
                bucket=limits["maximumAvailable"],
                cancelled=len({call["order_id"] for call in accepted}),
                points_spent=end[name]["points_spent"] - start[name]["points_spent"],
                requests=end[name]["requests"] - start[name]["requests"],
                throttled=end[name]["throttled"] - start[name]["throttled"],
                restore_lost=end[name]["restore_lost"] - start[name]["restore_lost"],
                active_seconds=(last.timestamp() - began) if last else 0.0,
            )
        )
    return results


def _netsuite_span(timeline: list[tuple[float, float, int]], probes: int) -> dict[str, float]:
    """First request's arrival and last page's answer of a step, leaving out the `probes` requests
    sync_step sends after the extraction to time a lone page (the last ones answered)."""
    requests = sorted(timeline, key=lambda entry: entry[1])[: len(timeline) - probes]
    if not requests:
        return {}
    return {
        "first_request_at": min(arrived for arrived, _, _ in requests),
        "last_page_at": max((answered for _, answered, status in requests if status == 200), default=0.0),
    }


def _run(stores_variable: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    from include.cancel_sync import tasks

    variables = {CANCEL_ENABLED_VARIABLE: "true"}
    if stores_variable:
        variables[STORES_VARIABLE] = json.dumps(stores_variable)
    params = {"window_start": WORLD_START.isoformat(), "window_end": WORLD_END.isoformat()}
    return tasks.resolve_run(
        lambda name, default: variables.get(name, default), params, None, None, datetime(2026, 1, 16, 1)
    )


def _airflow_env(workdir: Path) -> dict[str, str]:
    home = workdir / "airflow"
    home.mkdir(exist_ok=True)
    _create_ledger(home)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }


def _create_ledger(home: Path) -> None:
    """The steps' default ledger (SQLite in AIRFLOW_HOME), made before they start: cancel processes starting
    together on a fresh database race to create its table, and all but one fail (Ledger.__init__)."""
    from include.cancel_sync.ledger import Ledger, default_ledger_url

    previous = os.environ.get("AIRFLOW_HOME")
    os.environ["AIRFLOW_HOME"] = str(home)
    try:
        Ledger(default_ledger_url()).engine.dispose()
    finally:
        if previous is None:
            del os.environ["AIRFLOW_HOME"]
        else:
            os.environ["AIRFLOW_HOME"] = previous


# mapped steps and the XCom they write
SHARDED = {"compare": ("decisions",), "cancel": ("outcomes",), "batch": ("decisions", "outcomes")}
# Shopify sandbox counters a step's figures are taken from; restore_lost: points restored into a full bucket
SHOPIFY_COUNTERS = ("requests", "throttled", "points_spent", "points_requested", "executed", "restore_lost")


def _run_step(
    step: str, workdir: Path, env: dict[str, str], arguments: list[str], slots: int = 1
) -> tuple[float, int, str, dict[str, Any]]:
    """Run one step: one process, or for a mapped step `slots` processes at once, each taking every
    `slots`-th batch (Airflow's pool slots running mapped task instances side by side). Returns wall
    seconds, exit code, stderr, and the step's stats (shards added up; RSS and times their extremes)."""
    shards = slots if step in SHARDED and slots > 1 else 1
    began = time.perf_counter()
    processes = []
    for shard in range(shards):
        extra = ["--shard", str(shard), "--shards", str(shards)] if shards > 1 else []
        stderr = (workdir / f"{step}.{shard}.stderr").open("w")
        command = [sys.executable, "-m", "benchmarks.sync_step", step, str(workdir), *arguments, *extra]
        processes.append((subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=stderr), stderr))
    code = 0
    for process, stderr in processes:
        code = process.wait() or code
        stderr.close()
    wall = time.perf_counter() - began
    errors = "".join((workdir / f"{step}.{shard}.stderr").read_text() for shard in range(shards))
    if code:
        return wall, code, errors, {}
    if shards == 1:
        return wall, 0, errors, json.loads((workdir / f"{step}.stats.json").read_text())
    return wall, 0, errors, _merge_shards(workdir, step, shards)


def _merge_shards(workdir: Path, step: str, shards: int) -> dict[str, Any]:
    """Mapped results back in map-index order, as the next step (like Airflow) sees them; stats combined."""
    for name in SHARDED[step]:
        rows: list[tuple[int, str]] = []
        for shard in range(shards):
            with (workdir / f"{name}.shard{shard}.jsonl").open() as handle:
                for line in handle:
                    index, value = json.loads(line)
                    rows.append((index, json.dumps(value)))
        with (workdir / f"{name}.jsonl").open("w") as out:
            for _, text in sorted(rows):
                out.write(text + "\n")
    parts = [json.loads((workdir / f"{step}.stats.shard{shard}.json").read_text()) for shard in range(shards)]
    merged: dict[str, Any] = {"shards": shards}
    for part in parts:
        for key, value in part.items():
            if key in ("peak_rss_kb", "ended_at"):
                merged[key] = max(merged.get(key, value), value)
            elif key == "started_at":
                merged[key] = min(merged.get(key, value), value)
                merged["last_started_at"] = max(merged.get("last_started_at", value), value)
            elif isinstance(value, dict):
                merged[key] = add_up(merged.get(key, {}), value)
            elif isinstance(value, int | float):
                merged[key] = merged.get(key, 0) + value
    return merged


# -- printing ----------------------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value:.0f} MB"


def print_run(result: SyncResult, idle: SyncResult | None = None) -> None:
    s = result.steps
    spent = result.shopify_total("points_spent")
    rows: list[tuple[str, str]] = [
        (
            "orders extracted / cancelled",
            f"{result.extracted:,} / {result.cancelled:,} (expected {result.expected_cancelled:,})",
        ),
        (f"wall time {' / '.join(s)}", " / ".join(f"{step.wall:.1f}s" for step in s.values())),
        *(
            [
                (
                    "  of which compare / cancel work (summed over the batch processes)",
                    f"{s['batch'].stats['compare_work_seconds']:.1f}s / {s['batch'].stats['cancel_work_seconds']:.1f}s",
                )
            ]
            if "batch" in s
            else []
        ),
        ("Shopify points spent (compare + cancel)", f"{spent:,} ({result.points_per_cancel:.2f} per cancelled order)"),
        *(
            [
                (
                    f"  of which {' / '.join(result.shopify_steps)}",
                    " / ".join(f"{s[name].shopify['points_spent']:,}" for name in result.shopify_steps),
                )
            ]
            if len(result.shopify_steps) > 1
            else []
        ),
        ("Shopify requests sent (sandbox count)", f"{result.shopify_total('requests'):,}"),
        (
            "THROTTLED replies",
            f"{result.shopify_total('throttled'):,} ({result.throttled_share:.2%} of requests; target ≤ 2%)",
        ),
        ("bucket: restore rate / size", f"{result.restore_rate:.0f} points/s / {result.bucket:.0f} points"),
        (
            "achieved cancels/s",
            f"{result.achieved_active:.2f} from the first Shopify request ({result.active_seconds:.1f}s); "
            f"{result.achieved:.2f} over the {' + '.join(result.shopify_steps)} steps' wall ({result.shopify_seconds:.1f}s)",
        ),
        ("ceiling, steady state R / points-per-cancel", f"{result.steady_ceiling:.2f} cancels/s"),
    ]
    ceiling = result.run_ceiling
    if ceiling is None:
        rows.append(("ceiling with a full bucket n·R/(P−B)", "not cost-bound: the bucket covers the whole run"))
    else:
        rows.append(
            (
                "ceiling with a full bucket n·R/(P−B)",
                f"{ceiling:.2f} cancels/s → achieved {result.achieved_active / ceiling:.1%} from the first request, "
                f"{result.achieved / ceiling:.1%} over the steps' wall (target ≥ 90%)",
            )
        )
    rows += [_store_row(store) for store in result.stores]
    rows += cost_rows(result)
    rows += [
        (
            "NetSuite pages (all requests)",
            f"{result.pages:,} in {s['extract'].stats['work_seconds']:.2f}s ({result.extract_page_rate:.1f}/s overall); "
            f"median page {s['extract'].stats['page_seconds_median'] * 1000:.0f} ms",
        ),
        ("NetSuite page rate, whole extraction, vs ideal", _whole_rate_text(result)),
        (
            "NetSuite page rate, parallel phase, vs ideal",
            f"{s['extract'].stats['paging_pages']} pages at {result.page_rate:.1f}/s vs "
            f"{result.ideal_page_rate:.1f}/s (concurrency {result.netsuite_concurrency} ÷ {result.latency * 1000:.0f} ms "
            f"added latency) → {result.page_rate / result.ideal_page_rate:.0%}; vs {result.ideal_page_rate_measured:.1f}/s "
            f"(÷ {s['extract'].stats['lone_page_seconds'] * 1000:.0f} ms, one page measured alone) → "
            f"{result.page_rate / result.ideal_page_rate_measured:.0%} (target ≥ 80%)"
            if result.latency and s["extract"].stats["paging_pages"]
            else "one page: no parallel phase",
        ),
        (
            "NetSuite requests refused (its concurrency limit) per step",
            ", ".join(f"{name} {step.netsuite['concurrency_rejections']}" for name, step in s.items()),
        ),
        (
            "peak concurrent NetSuite requests vs cap",
            f"{s['extract'].netsuite['peak_concurrency']} (client limit {result.netsuite_concurrency}) vs cap {result.netsuite_cap}; "
            f"{s['extract'].netsuite['concurrency_rejections']} refused",
        ),
    ]
    for name in s:
        note = (
            f" (idle run {_mb(idle.steps[name].rss_mb)}; +{result.steps[name].rss_mb - idle.steps[name].rss_mb:.0f} MB, target ≤ +100)"
            if idle
            else ""
        )
        rows.append((f"peak RSS {name}", _mb(s[name].rss_mb) + note))
    for name, what in (("extract", "batches"), ("compare", "decisions"), ("cancel", "outcomes")):
        rows.append(
            (
                f"XCom bytes/order {name} ({what})",
                f"{result.xcom_per_order(name):.0f} as sent (xcom_table; target ≤ 150); "
                f"{result.xcom_per_order(name, 'xcom_dict_bytes'):.0f} as plain dicts",
            )
        )
    summary = s["report"].stats.get("xcom_bytes", 0)
    rows.append(
        (
            "XCom bytes/order report (its summary)",
            f"{result.xcom_per_order('report'):.0f} ({summary:,} bytes)" if result.extracted else f"{summary:,} bytes",
        )
    )
    rows.append(
        (
            "batches (mapped tasks)",
            f"{s['extract'].stats['batches']} of at most {MAX_MAP_LENGTH}, largest {s['extract'].stats['largest_batch']}",
        )
    )
    rows.append(
        ("orderCancel calls / distinct orders cancelled", f"{result.cancel_calls:,} / {result.cancelled_orders:,}")
    )
    rows.append(("checks", "; ".join(result.problems) or "all counts as expected, no order cancelled twice"))
    title = (
        f"Sync benchmark: {result.label}, preset {result.preset}, latency {result.latency * 1000:.0f} ms/request, "
        f"NetSuite cap {result.netsuite_cap}"
        + (f", {result.slots} compare/cancel processes at once" if result.slots > 1 else "")
        + (", each batch's compare then its cancel (the DAG's order)" if "batch" in s else ", every compare first")
    )
    print(title)
    width = max(len(label) for label, _ in rows)
    print(f"| {'figure':<{width}} | value")
    print(f"|{'-' * (width + 2)}|------")
    for label, value in rows:
        print(f"| {label:<{width}} | {value}")


def _store_row(store: StoreResult) -> tuple[str, str]:
    ceiling = store.ceiling
    versus = (
        f"{store.achieved / ceiling:.1%} of its ceiling n·R/(P−B) {ceiling:.2f}/s (target ≥ 90%)"
        if ceiling
        else "not cost-bound (its bucket covered its share)"
    )
    return (
        f"store {store.name}: its own shop",
        f"{store.cancelled:,} cancelled at {store.achieved:.2f}/s (compare start → its last orderCancel, "
        f"{store.active_seconds:.1f}s) = {versus}; {store.throttled:,} THROTTLED of {store.requests:,} requests "
        f"({store.throttled_share:.2%}; target ≤ 2%); {store.points_spent:,.0f} points; "
        f"{store.restore_lost:,.0f} points of restore lost into its full bucket",
    )


def _whole_rate_text(result: SyncResult) -> str:
    if not result.latency:
        return f"{result.pages} pages at {result.whole_page_rate:.1f}/s (no added latency: no ideal)"
    return (
        f"{result.pages} pages in {result.extraction_seconds:.3f}s (first NetSuite request → last page) = "
        f"{result.whole_page_rate:.1f}/s vs {result.ideal_page_rate:.1f}/s (concurrency {result.netsuite_concurrency} "
        f"÷ {result.latency * 1000:.0f} ms) → {result.whole_page_rate / result.ideal_page_rate:.0%} (target ≥ 80%)"
    )


def print_scaling(results: list[SyncResult], idle: SyncResult) -> None:
    names = list(idle.steps)  # every run has the same steps
    last = idle.shopify_steps[-1]
    header = (
        "| run | extracted | cancelled | " + " | ".join(f"{name} s" for name in names) + " | points | points/cancel | "
        "requests | throttled | cancels/s from 1st request (steps' wall) | ceiling | % | client CPU ms/cancel | "
        f"Shopify sandbox % of a core in {last} | load | pages | pages/s whole extraction (% of c÷50 ms) | "
        f"pages/s parallel (% of c÷50 ms; % of c÷lone page) | peak NS | RSS {'/'.join(names)} (max Δ vs idle) | "
        "XCom B/order extract/compare/cancel as sent (as plain dicts) |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in [idle, *results]:
        s = r.steps
        ceiling = r.run_ceiling
        delta = max(s[n].rss_mb - idle.steps[n].rss_mb for n in names) if r is not idle else 0.0
        print(
            f"| {r.label} | {r.extracted:,} | {r.cancelled:,} | "
            + " | ".join(f"{s[n].wall:.1f}" for n in names)
            + f" | {r.shopify_total('points_spent'):,} | {r.points_per_cancel:.2f} | {r.shopify_total('requests'):,} | "
            f"{r.shopify_total('throttled')} ({r.throttled_share:.1%}) | {r.achieved_active:.2f} ({r.achieved:.2f}) | "
            + (
                f"{ceiling:.2f} | {r.achieved_active / ceiling:.0%} ({r.achieved / ceiling:.0%})"
                if ceiling
                else "not cost-bound | –"
            )
            + (f" | {client_cpu(r)[0] * 1000 / r.cancelled:.2f}" if r.cancelled else " | –")
            + f" | {sandbox_core_share(s[last], 'shopify'):.0%} | {max(step.load for step in s.values()):.2f}"
            + f" | {r.pages} | {r.whole_page_rate:.0f} ({r.whole_page_rate / r.ideal_page_rate:.0%})"
            + f" | {r.page_rate:.0f} ({r.page_rate / r.ideal_page_rate:.0%}; "
            f"{r.page_rate / r.ideal_page_rate_measured:.0%}) | {s['extract'].netsuite['peak_concurrency']}/{r.netsuite_cap} | "
            + "/".join(f"{s[n].rss_mb:.0f}" for n in names)
            + f" MB (+{delta:.0f}) | "
            + "/".join(f"{r.xcom_per_order(n):.0f}" for n in ("extract", "compare", "cancel"))
            + " ("
            + "/".join(f"{r.xcom_per_order(n, 'xcom_dict_bytes'):.0f}" for n in ("extract", "compare", "cancel"))
            + ") |"
            + (f" PROBLEMS: {'; '.join(r.problems)}" if r.problems else "")
        )
    for r in results:
        print(f"- {r.label}: {what_limited(r)}")


def extract_only(
    orders: int, runs: int, latency: float, netsuite_cap: int, netsuite_concurrency: int, seed: int
) -> bool:
    """The extract step alone, `runs` times (a fresh sandbox each time): the whole extraction's page rate
    against the ideal, with the machine's load average when each run started. True when all checks passed."""
    print(
        f"Extraction only: {orders:,} qualifying orders, latency {latency * 1000:.0f} ms/request, client concurrency "
        f"{netsuite_concurrency}, NetSuite cap {netsuite_cap}; ideal {netsuite_concurrency / latency:.1f} pages/s"
        if latency
        else f"Extraction only: {orders:,} qualifying orders, no added latency"
    )
    print(
        "| run | load 1/5 min | extracted | pages | requests | first request → last page | pages/s whole | % of ideal "
        "| pages/s parallel phase | lone page | peak NS / cap | refused | step wall | checks |"
    )
    print("|" + "---|" * 14)
    ok = True
    for run in range(1, runs + 1):
        load = os.getloadavg()
        r = run_sync(
            orders,
            "plus",
            latency,
            netsuite_cap,
            netsuite_concurrency,
            seed=seed,
            steps=("extract",),
            quiet=True,
            label=f"{orders:,} orders, extract only",
        )
        s = r.steps["extract"]
        share = f"{r.whole_page_rate / r.ideal_page_rate:.0%}" if latency else "–"
        ok = ok and not r.problems
        print(
            f"| {run} | {load[0]:.2f} / {load[1]:.2f} | {r.extracted:,} | {r.pages} | {s.netsuite['requests'] - s.stats.get('probe_pages', 0)} "
            f"| {r.extraction_seconds:.3f}s | {r.whole_page_rate:.1f} | {share} | {r.page_rate:.1f} "
            f"| {s.stats['lone_page_seconds'] * 1000:.0f} ms | {s.netsuite['peak_concurrency']} / {netsuite_cap} "
            f"| {s.netsuite['concurrency_rejections']} | {s.wall:.1f}s | {'; '.join(r.problems) or 'ok'} |",
            flush=True,
        )
    return ok


def oversized_window_check(orders: int, latency: float, netsuite_cap: int, netsuite_concurrency: int) -> None:
    """Extract only, from a window holding more than NetSuite serves per query (100,000 rows)."""
    result = run_sync(
        orders,
        "plus",
        latency,
        netsuite_cap,
        netsuite_concurrency,
        steps=("extract",),
        label=f"oversized window, {orders:,} orders, extract only",
    )
    s = result.steps["extract"]
    print(
        f"Oversized window: {orders:,} qualifying orders → extracted {s.stats['orders']:,} once each "
        f"in {s.wall:.1f}s ({s.netsuite['pages_served']} pages, {s.netsuite['requests']} requests incl. the split windows' first pages), "
        f"{s.stats['batches']} batches (≤ {MAX_MAP_LENGTH}: {s.stats['batches'] <= MAX_MAP_LENGTH}), largest batch "
        f"{s.stats['largest_batch']}, peak NetSuite concurrency {s.netsuite['peak_concurrency']}/{netsuite_cap}, "
        f"peak RSS {s.rss_mb:.0f} MB, XCom {s.stats['xcom_bytes'] / max(s.stats['orders'], 1):.0f} B/order. "
        + ("; ".join(result.problems) or "Checks passed.")
    )


def dag_test(orders: int, preset: str, latency: float, netsuite_cap: int, seed: int = 11) -> None:
    """The real DAG once, through `airflow dags test` (every task in one process, mapped tasks one after
    the other, as dag.test runs them) against the sandboxes; prints one line of figures."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    world = sync_world(orders, seed, idle=False)
    expected = len(world.ids_with(lambda s: s.cancellable))
    options = SandboxOptions(latency=latency, shopify_preset=preset, netsuite_concurrency_limit=netsuite_cap)
    with SandboxProcesses(world, options) as sandboxes, tempfile.TemporaryDirectory(prefix="bench-dag-") as tmp:
        del world
        env = (
            os.environ
            | sandboxes.connection_env()
            | _airflow_env(Path(tmp))
            | {
                "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
                "AIRFLOW_VAR_NETSUITE_SHOPIFY_CANCEL_ENABLED": "true",
                "AIRFLOW_VAR_NETSUITE_SHOPIFY_REPORT_LOCATION": f"file://{tmp}/reports",
            }
        )
        subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
        conf = {"window_start": WORLD_START.isoformat(), "window_end": WORLD_END.isoformat()}
        began = time.perf_counter()
        with (Path(tmp) / "dag_test.log").open("w") as log:
            done = subprocess.run(
                [airflow, "dags", "test", SYNC_DAG_ID, "--conf", json.dumps(conf)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wall = time.perf_counter() - began
        control = SandboxControl.of(sandboxes)
        stats = control.shopify_stats()
        accepted = [call["order_id"] for call in control.cancel_calls() if call["accepted"]]
        spent, bucket = stats["points_spent"], stats["throttle_status"]
        size, rate = bucket["maximumAvailable"], bucket["restoreRate"]
        ceiling = len(accepted) * rate / (spent - size) if spent > size else None
        print(
            f"dag test, {orders:,} orders, preset {preset}, latency {latency * 1000:.0f} ms: exit {done.returncode}, "
            f"{wall:.1f}s wall for the whole DAG; {len(set(accepted)):,} orders cancelled (expected {expected:,}, "
            f"{len(accepted) - len(set(accepted))} twice); Shopify {stats['requests']:,} requests, "
            f"{stats['throttled']} THROTTLED, {spent:,} points; {len(accepted) / wall:.2f} cancels/s over the whole "
            "DAG"
            + (f" vs ceiling {ceiling:.2f} ({len(accepted) / wall / ceiling:.0%})" if ceiling else " (not cost-bound)")
            + f"; NetSuite peak concurrency {control.netsuite_stats()['peak_concurrency']}/{netsuite_cap}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="qualifying NetSuite orders (default 10,000)")
    parser.add_argument("--preset", choices=("standard", "advanced", "plus", "enterprise"), default="plus")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds per sandbox request (NetSuite: response time; Shopify: added)",
    )
    parser.add_argument("--netsuite-cap", type=int, default=5, help="NetSuite account concurrency limit")
    parser.add_argument("--netsuite-concurrency", type=int, default=4, help="the client's allowed concurrency")
    parser.add_argument("--cancel-concurrency", type=int, default=None, help="cancel_batch(concurrency=...)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--slots", type=int, default=1, help="compare/cancel processes at once (the pool's slots); default 1"
    )
    parser.add_argument("--keep", type=Path, default=None, help="copy the XCom files of the last run here")
    parser.add_argument("--no-idle", action="store_true", help="skip the idle run (no RSS baseline)")
    parser.add_argument(
        "--scaling", action="store_true", help="idle, then the sizes of --sizes, then an oversized window"
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--dag-test", action="store_true", help="run the real DAG once via `airflow dags test`")
    parser.add_argument("--oversized", type=int, default=260_000, help="orders in the oversized-window check (0: skip)")
    parser.add_argument(
        "--extract-only",
        action="store_true",
        help="only the extract step, --runs times: NetSuite page rate over the whole extraction vs the ideal",
    )
    parser.add_argument("--runs", type=int, default=3, help="with --extract-only: how many runs (default 3)")
    parser.add_argument("--sweep", action="store_true", help="the sweep instead (benchmarks/bench_sweep.py)")
    parser.add_argument(
        "--breadth-first",
        action="store_true",
        help="every compare, then every cancel (Airflow's default order) instead of the DAG's batch by batch",
    )
    parser.add_argument(
        "--stores",
        type=store_list_argument,
        default=None,
        help="several stores in one run, a shop each, e.g. eu:connector,us:celigo,b2b:subsidiary "
        "(sandbox serve's syntax); give --slots at least the number of stores",
    )
    args, rest = parser.parse_known_args()
    if args.sweep:
        from benchmarks.bench_sweep import main as sweep_main

        sweep_main(rest + [f"--latency={args.latency}"])
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    common = dict(
        latency=args.latency,
        netsuite_cap=args.netsuite_cap,
        netsuite_concurrency=args.netsuite_concurrency,
        cancel_concurrency=args.cancel_concurrency,
        seed=args.seed,
        slots=args.slots,
        stores=args.stores,
        depth_first=not args.breadth_first,
    )
    if args.dag_test:
        dag_test(args.orders, args.preset, args.latency, args.netsuite_cap, args.seed)
        return
    if args.extract_only:
        ok = extract_only(args.orders, args.runs, args.latency, args.netsuite_cap, args.netsuite_concurrency, args.seed)
        raise SystemExit(0 if ok else 1)
    idle = None
    if not args.no_idle or args.scaling:
        idle = run_sync(1000, args.preset, idle=True, label="idle (0 canceled in window)", **common)
    if not args.scaling:
        result = run_sync(args.orders, args.preset, keep=args.keep, **common)
        print_run(result, idle)
        if idle:
            print()
            print_run(idle)
        raise SystemExit(1 if result.problems else 0)
    results = []
    for size in (int(text) for text in args.sizes.split(",")):
        results.append(run_sync(size, args.preset, **common))
    print(
        f"Scaling, preset {args.preset}, latency {args.latency * 1000:.0f} ms/request, NetSuite cap {args.netsuite_cap}"
    )
    print_scaling(results, idle)
    if args.oversized:
        oversized_window_check(args.oversized, args.latency, args.netsuite_cap, args.netsuite_concurrency)
    raise SystemExit(1 if any(r.problems for r in results) else 0)


if __name__ == "__main__":
    main()
