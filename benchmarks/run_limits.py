"""What a benchmark run cost in CPU, and what held it below Shopify's cost ceiling (used by bench_sync).

A run that starts with a full bucket of B points and spends P points in T seconds while Shopify restores
R points/s obeys R·T = (P − B) + lost + left: `lost` the restore that fell into a full bucket (the Shopify
sandbox counts it), `left` what was still in the bucket at the end. So whatever kept a run from the
ceiling (P − B) / R shows as seconds of restore lost — in the compare step or in the cancel step (or in
the batch step, which runs each batch's compare then its cancel, as the DAG does) — or left over. For each step that lost more than a second the verdict names what was busy meanwhile: a
sandbox process near a whole core (one Python process runs on one core at a time), the client's step
processes near a core, the cores full with this run's work or with others' (the load average beyond
what this run used), NetSuite refusing requests over its concurrency limit, or else nobody: the requests
were waiting on their round trips (too few in flight, or round trips one after another).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.bench_sync import StepResult, SyncResult

BUSY = 0.8  # share of one core at which a process counts as CPU-bound
LOST_NOTABLE = 1.0  # seconds of restore lost in a step before the verdict looks for a cause
CORES = os.cpu_count() or 1


def client_cpu(result: SyncResult) -> tuple[float, float]:
    """CPU seconds (user + system) of the compare and cancel step processes: in their work, and in all."""
    steps = [result.steps[name] for name in result.shopify_steps]
    work = sum(step.stats.get("work_cpu_seconds", 0.0) for step in steps)
    whole = sum(step.stats.get("cpu_seconds", 0.0) for step in steps)
    return work, whole


def client_core_share(step: StepResult) -> float:
    """The step's processes' CPU over their work time: the average share of one core each process used."""
    seconds = step.stats.get("work_seconds", 0.0)
    return step.stats.get("work_cpu_seconds", 0.0) / seconds if seconds else 0.0


def sandbox_core_share(step: StepResult, name: str) -> float:
    return step.sandbox_cpu.get(name, 0.0) / step.wall if step.wall else 0.0


def restore_lost_seconds(result: SyncResult, name: str) -> float:
    return result.steps[name].shopify.get("restore_lost", 0.0) / result.restore_rate if result.restore_rate else 0.0


def cost_rows(result: SyncResult) -> list[tuple[str, str]]:
    """Rows for the run's table: client and sandbox CPU, the load, and what limited the run."""
    rows = []
    work, whole = client_cpu(result)
    per_order = f"{work * 1000 / result.cancelled:.2f} ms" if result.cancelled else "–"
    shares = ", ".join(f"{name} {client_core_share(result.steps[name]):.0%}" for name in result.shopify_steps)
    rows.append(
        (
            "client CPU, compare + cancel processes",
            f"{work:.1f}s in their work = {per_order} per cancelled order ({whole:.1f}s with process start-up); "
            f"share of a core per process: {shares}",
        )
    )
    if result.shopify_steps:
        shopify = result.steps[result.shopify_steps[-1]].stats.get("shopify", {})
        rows.append(
            (
                "cancel requests in flight",
                f"peak {shopify.get('peak_in_flight', 0)} (summed over the cancel processes; the window: "
                "include/cancel_sync/shopify/in_flight.py); "
                f"{shopify.get('overloaded', 0)} THROTTLED/429/5xx replies seen by the client",
            )
        )
    for name in result.shopify_steps:
        step = result.steps[name]
        if result.sandboxes_apart:
            text = ", ".join(
                f"{sandbox} {step.sandbox_cpu.get(sandbox, 0.0):.1f}s = {sandbox_core_share(step, sandbox):.0%} of a core"
                for sandbox in ("shopify", "netsuite")
            )
            if result.stores:
                text += f" (shopify: the busiest shop's process; all shops {step.sandbox_cpu.get('shops', 0.0):.1f}s)"
        else:
            text = f"both in the benchmark's process: {step.sandbox_cpu.get('shopify', 0.0):.1f}s"
        rows.append((f"sandbox CPU during {name}", text))
    loads = ", ".join(f"{name} {step.load:.2f}" for name, step in result.steps.items())
    rows.append(
        (
            "machine load (1-min average)",
            f"{result.load_before:.2f} before the run (others' work); then, with this run's own threads: {loads}; "
            f"{CORES} cores",
        )
    )
    rows.append(("what limited it", what_limited(result)))
    return rows


def what_limited(result: SyncResult) -> str:
    ceiling = result.run_ceiling
    if ceiling is None:
        return "not cost-bound: the bucket covers the whole run, so latency and CPU set its pace"
    names = result.shopify_steps
    if names not in (["compare", "cancel"], ["batch"]):
        return "–"
    share = result.achieved_active / ceiling
    lost = {name: restore_lost_seconds(result, name) for name in names}
    left = result.steps[names[-1]].bucket_after / result.restore_rate
    account = (
        "restore lost to a full bucket: "
        + ", ".join(f"{seconds:.1f}s in {name}" for name, seconds in lost.items())
        + f"; {left:.1f}s of points left at the end"
    )
    busy = (
        f"; the machine was already busy (load {result.load_before:.1f} on {CORES} cores before the run)"
        if result.load_before >= BUSY * CORES
        else ""
    )
    if share >= 0.9:
        return f"the bucket ({share:.0%} of the ceiling); {account}{busy}"
    # Points left at the end are the last step's too: it ended before spending them.
    short = lost | {names[-1]: lost[names[-1]] + left}
    causes = [_cause(result, name, short[name]) for name in names if short[name] >= LOST_NOTABLE]
    return f"not the bucket ({share:.0%} of the ceiling): " + "; ".join(causes) + f" ({account}){busy}"


def _cause(result: SyncResult, name: str, seconds: float) -> str:
    step = result.steps[name]
    shopify, netsuite = sandbox_core_share(step, "shopify"), sandbox_core_share(step, "netsuite")
    client = client_core_share(step)
    # Everyone's CPU over the step, the client's process start-ups included (Airflow's imports: seconds each).
    sandboxes = step.sandbox_cpu.get("shops", step.sandbox_cpu.get("shopify", 0.0)) + step.sandbox_cpu.get(
        "netsuite", 0.0
    )
    everyone = (sandboxes + step.stats.get("cpu_seconds", 0.0)) / step.wall
    refused = step.netsuite.get("concurrency_rejections", 0)
    short = f"{name} {seconds:.1f}s short"
    if step.startup >= LOST_NOTABLE:  # Airflow's imports: the bucket fills while the processes start
        short += f" (its processes took {step.startup:.1f}s to start)"
    if result.sandboxes_apart and shopify >= BUSY:
        return f"{short}: the Shopify sandbox ({shopify:.0%} of a core) while the bucket had points to spend"
    if result.sandboxes_apart and netsuite >= BUSY:
        return f"{short}: the NetSuite sandbox ({netsuite:.0%} of a core) while the bucket had points to spend"
    if not result.sandboxes_apart and shopify >= BUSY:
        return f"{short}: the sandboxes, one process with the benchmark ({shopify:.0%} of a core)"
    if client >= BUSY:
        return f"{short}: the client ({client:.0%} of a core per process) while the bucket had points to spend"
    if everyone >= BUSY * CORES:
        return f"{short}: the machine's {CORES} cores (client and sandboxes {everyone:.1f} cores together)"
    if step.load - everyone >= BUSY * CORES:  # the load counts threads wanting a core: beyond ours, others'
        return (
            f"{short}: the machine — load {step.load:.1f} on {CORES} cores while this run used {everyone:.1f}: "
            "other work had the cores"
        )
    if refused:
        return (
            f"{short}: NetSuite refused {refused} requests over its account's concurrency limit (the processes' "
            "clients together ask for more), each retried after a back-off"
        )
    waiting = {
        "compare": "each batch's reads wait their round trips, one batch after another",
        "cancel": "requests in flight × round trip, and each batch's re-check and confirmation reads",
        "batch": "each batch's compare reads, re-check and confirmation reads wait their round trips, and the "
        "requests in flight × round trip",
    }[name]
    return f"{short}: latency — {waiting}; no process near a core"
