"""One step of the sync in a process of its own, as an Airflow task process runs it (used by bench_sync).

    python -m benchmarks.sync_step extract|compare|cancel|batch|report WORKDIR [--cancel-concurrency N]

Files in WORKDIR carry what Airflow would pass through XCom: `run.json` (resolve_run's result),
`batches.jsonl`, `decisions.jsonl`, `outcomes.jsonl` — one mapped task's value per line, so the
compare and cancel steps hold one batch at a time, as one mapped task instance does. The step
reads its connections from AIRFLOW_CONN_* variables through the project's hooks (Airflow is
imported, as in a task process), and writes `<step>.stats.json` with its timings, client
counters, CPU seconds (user + system: the step's work, and the whole process) and its own peak
RSS. The parent measures wall time.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from include.cancel_sync.constants import SYNC_DAG_ID

STEPS = ("extract", "compare", "cancel", "report", "batch")


def _lines(path: Path):
    with path.open() as handle:
        for line in handle:
            yield json.loads(line)


def _my_batches(path: Path, args: argparse.Namespace):
    """(map index, value) of the batches this process handles: all, or every `shards`-th from `shard`."""
    for index, value in enumerate(_lines(path)):
        if index % args.shards == args.shard:
            yield index, value


def _output(workdir: Path, name: str, args: argparse.Namespace) -> Path:
    return workdir / (f"{name}.jsonl" if args.shards == 1 else f"{name}.shard{args.shard}.jsonl")


def _write(out, index: int, text: str, args: argparse.Namespace) -> None:
    # Shards write [map index, value] so the parent can put the mapped results back in order.
    out.write((text if args.shards == 1 else f"[{index}, {text}]") + "\n")


class StepXCom:
    """XCom between the step processes, kept in WORKDIR: what extract pushes (`extract.xcom.json`), and one
    line of `outputs` per mapped task for what a mapped step pushes (the cancel step's outcomes). The report
    pulls them back in map-index order, as the DAG's report task pulls one mapped task at a time."""

    def __init__(self, workdir: Path, out=None, args: argparse.Namespace | None = None) -> None:
        self.workdir, self.out, self.args = workdir, out, args
        self.map_index = -1
        self.pushed_bytes = 0
        self._lines = None

    def push(self, key: str, value: Any) -> None:
        text = json.dumps(value)
        self.pushed_bytes += len(text.encode("utf-8"))
        if self.out is not None:  # a mapped step: its value is the line of its map index
            _write(self.out, self.map_index, text, self.args)
        else:
            path = self.workdir / "extract.xcom.json"
            pushed = json.loads(path.read_text()) if path.exists() else {}
            path.write_text(json.dumps(pushed | {key: value}))

    def pull(self, task_id: str, key: str, map_index: int | None = None) -> Any:
        from include.cancel_sync.constants import EXTRACT_TASK_ID, RESOLVE_TASK_ID

        if task_id == RESOLVE_TASK_ID:  # resolve_run's result is run.json; it never failed here
            return json.loads((self.workdir / "run.json").read_text()) if key == "return_value" else None
        if task_id == EXTRACT_TASK_ID:
            return json.loads((self.workdir / "extract.xcom.json").read_text()).get(key)
        if self._lines is None:
            self._lines = enumerate(_lines(self.workdir / "outcomes.jsonl"))
        index, value = next(self._lines)
        assert index == map_index, (index, map_index)  # the report pulls in map-index order
        return value


def _xcom_bytes(value: Any) -> int:
    # What Airflow stores: XCom.serialize_value is json.dumps with the default separators.
    return len(json.dumps(value).encode("utf-8"))


def _dict_bytes(table: dict[str, Any]) -> int:
    """The same value as a plain list of dicts (what the DAG passed before xcom_table.py), for comparison."""
    from include.cancel_sync.xcom_table import unpack

    return _xcom_bytes(unpack(table))


class ShopClients:
    """One Shopify client per store's connection, made when a batch of that store first needs it (as each
    mapped task makes its store's); their counters add up, and are kept per connection too."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}

    def __call__(self, conn_id: str):
        from include.cancel_sync.shopify.hook import ShopifyHook

        if conn_id not in self.clients:
            self.clients[conn_id] = ShopifyHook(conn_id).get_client()
        return self.clients[conn_id]

    def stats(self) -> dict[str, Any]:
        per_shop = {conn_id: _shopify_stats(client) for conn_id, client in self.clients.items()}
        total: dict[str, Any] = {}
        for stats in per_shop.values():
            for key, value in stats.items():
                total[key] = max(total.get(key, 0), value) if key.startswith("peak") else total.get(key, 0) + value
        return total | {"per_shop": per_shop}


def _shopify_stats(client) -> dict[str, Any]:
    return dict(client.stats) | {"pacer_waited_seconds": client.pacer.waited_seconds}


LONE_PAGE_PROBES = 5


def _time_pages(client) -> tuple[list[tuple[int, float, float, str]], Callable[[str, int], Any]]:
    """Record (offset, start, end, query) of every page the client fetches (instrumentation, not a change);
    returns the records and the client's own fetch."""
    pages: list[tuple[int, float, float, str]] = []
    fetch = client.fetch_page

    def timed(query: str, offset: int):
        start = time.perf_counter()
        try:
            return fetch(query, offset)
        finally:
            pages.append((offset, start, time.perf_counter(), query))

    client.fetch_page = timed
    return pages, fetch


def _lone_page_seconds(fetch: Callable[[str, int], Any], pages: list[tuple[int, float, float, str]]) -> float:
    """Median time of a full page fetched alone (a page the extraction fetched, so warm): the real per-page
    latency, the sandbox's added latency plus both sides' work. These probes are not part of the extraction."""
    full = [(offset, query) for offset, _, _, query in pages if offset > 0]
    if not full:
        return 0.0
    offset, query = full[0]
    timings = []
    for _ in range(LONE_PAGE_PROBES):
        start = time.perf_counter()
        fetch(query, offset)
        timings.append(time.perf_counter() - start)
    return sorted(timings)[len(timings) // 2]


def run_extract(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from include.cancel_sync import tasks
    from include.cancel_sync.ledger import Ledger
    from include.cancel_sync.netsuite.hook import NetSuiteHook

    client = NetSuiteHook().get_client(max_concurrency=args.netsuite_concurrency)
    pages, fetch = _time_pages(client)
    began, started_at, cpu_began = time.perf_counter(), time.time(), time.process_time()
    batches = tasks.extract(client, run, StepXCom(workdir), Ledger.from_airflow)  # the sweep reads the ledger
    seconds = time.perf_counter() - began
    # The parallel phase of each query: pages after its first, from the first request to the last reply.
    parallel = [(start, end) for offset, start, end, _ in pages if offset > 0]
    lone_page = _lone_page_seconds(fetch, pages)
    xcom = dicts = 0
    with (workdir / "batches.jsonl").open("w") as out:
        for batch in batches:
            text = json.dumps(batch)
            xcom += len(text.encode("utf-8"))
            dicts += _dict_bytes(batch)
            out.write(text + "\n")
    return {
        "work_seconds": seconds,
        "work_cpu_seconds": time.process_time() - cpu_began,
        "started_at": started_at,
        "ended_at": started_at + seconds,
        "orders": sum(batch["rows"] for batch in batches),
        "batches": len(batches),
        "largest_batch": max((batch["rows"] for batch in batches), default=0),
        "xcom_bytes": xcom,
        "xcom_dict_bytes": dicts,
        "netsuite_requests": client.requests_sent,
        "paging_pages": len(parallel),
        "paging_seconds": (max(e for _, e in parallel) - min(s for s, _ in parallel)) if parallel else 0.0,
        "page_seconds_median": sorted(e - s for _, s, e, _ in pages)[len(pages) // 2] if pages else 0.0,
        "lone_page_seconds": lone_page,
        "probe_pages": LONE_PAGE_PROBES if lone_page else 0,
        "netsuite_retries": client.retries,
        "max_concurrency": client.max_concurrency,
    }


class _Tally:
    """What one mapped step's batches added up to (its stats)."""

    def __init__(self) -> None:
        self.seconds = self.orders = self.batches = self.xcom = self.dicts = 0
        self.counts: dict[str, int] = {}

    def count(self, values: list[dict[str, Any]], key: str) -> None:
        for value in values:
            self.counts[value[key]] = self.counts.get(value[key], 0) + 1

    def stats(self, prefix: str = "") -> dict[str, Any]:
        return {
            f"{prefix}orders": self.orders,
            f"{prefix}batches": self.batches,
            f"{prefix}xcom_bytes": self.xcom,
            f"{prefix}xcom_dict_bytes": self.dicts,
        }


def _compare_batch(clients, netsuite, run: dict[str, Any], index: int, batch, out, args, tally: _Tally) -> None:
    from include.cancel_sync import tasks
    from include.cancel_sync.ledger import Ledger
    from include.cancel_sync.xcom_table import unpack

    began = time.perf_counter()
    decisions = tasks.compare(clients, netsuite, run, batch, Ledger.from_airflow)
    tally.seconds += time.perf_counter() - began
    tally.count(unpack(decisions), "decision")
    text = json.dumps(decisions)
    tally.xcom += len(text.encode("utf-8"))
    tally.dicts += _dict_bytes(decisions)
    _write(out, index, text, args)
    tally.orders += decisions["rows"]
    tally.batches += 1


def _cancel_batch(clients, netsuite, run, index: int, decisions, pushed: StepXCom, ledger, args, tally: _Tally) -> None:
    from include.cancel_sync import tasks
    from include.cancel_sync.ledger import RunKey

    options: dict[str, Any] = {} if args.cancel_concurrency is None else {"concurrency": args.cancel_concurrency}
    key = RunKey(SYNC_DAG_ID, "bench", 1, index)
    pushed.map_index = index
    before = pushed.pushed_bytes
    began = time.perf_counter()
    try:  # as the DAG's task: outcomes pushed, then a batch with a failed order raises
        outcomes = tasks.cancel(clients, netsuite, run, decisions, pushed, ledger, key, **options)
    except tasks.BatchFailed as failed:
        outcomes = failed.outcomes
    tally.seconds += time.perf_counter() - began
    tally.count(outcomes, "outcome")
    # Besides the pushed outcomes, the task returns {"orders": n}.
    tally.xcom += _xcom_bytes({"orders": len(outcomes)}) + pushed.pushed_bytes - before
    tally.dicts += _xcom_bytes(outcomes) + _xcom_bytes({"orders": len(outcomes)})
    tally.orders += len(outcomes)
    tally.batches += 1


def run_compare(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from include.cancel_sync.netsuite.hook import NetSuiteHook

    clients, netsuite = ShopClients(), NetSuiteHook().get_client()
    began, started_at, cpu_began = time.perf_counter(), time.time(), time.process_time()
    tally = _Tally()
    with _output(workdir, "decisions", args).open("w") as out:
        for index, batch in _my_batches(workdir / "batches.jsonl", args):
            _compare_batch(clients, netsuite, run, index, batch, out, args, tally)
    return {
        "work_seconds": time.perf_counter() - began,
        "work_cpu_seconds": time.process_time() - cpu_began,
        "started_at": started_at,
        "ended_at": time.time(),
        "decisions": tally.counts,
        "shopify": clients.stats(),
    } | tally.stats()


def run_cancel(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from include.cancel_sync.ledger import Ledger
    from include.cancel_sync.netsuite.hook import NetSuiteHook

    clients, netsuite = ShopClients(), NetSuiteHook().get_client()
    ledger = Ledger.from_airflow()  # as the DAG: the connection, else SQLite in $AIRFLOW_HOME
    began, started_at, cpu_began = time.perf_counter(), time.time(), time.process_time()
    tally = _Tally()
    with _output(workdir, "outcomes", args).open("w") as out:
        pushed = StepXCom(workdir, out, args)
        for index, decisions in _my_batches(workdir / "decisions.jsonl", args):
            _cancel_batch(clients, netsuite, run, index, decisions, pushed, ledger, args, tally)
    return {
        "work_seconds": time.perf_counter() - began,
        "work_cpu_seconds": time.process_time() - cpu_began,
        "started_at": started_at,
        "ended_at": time.time(),
        "outcomes": tally.counts,
        "shopify": clients.stats(),
    } | tally.stats()


def run_batch(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The DAG's task group as the pool runs it: a batch's compare, then its cancel, then the next batch's
    (each cancel outranks the next compare, dag_tasks.py's weight_rule). Compare and cancel keep Shopify
    clients of their own, as their task processes do."""
    from include.cancel_sync.ledger import Ledger
    from include.cancel_sync.netsuite.hook import NetSuiteHook

    compare_clients, cancel_clients, netsuite = ShopClients(), ShopClients(), NetSuiteHook().get_client()
    ledger = Ledger.from_airflow()
    began, started_at, cpu_began = time.perf_counter(), time.time(), time.process_time()
    compared, cancelled = _Tally(), _Tally()
    decisions_out = _output(workdir, "decisions", args).open("w")
    with decisions_out, _output(workdir, "outcomes", args).open("w") as outcomes_out:
        pushed = StepXCom(workdir, outcomes_out, args)
        for index, batch in _my_batches(workdir / "batches.jsonl", args):
            line = io.StringIO()
            _compare_batch(compare_clients, netsuite, run, index, batch, line, args, compared)
            decisions_out.write(line.getvalue())
            decisions = json.loads(line.getvalue())
            decisions = decisions if args.shards == 1 else decisions[1]
            _cancel_batch(cancel_clients, netsuite, run, index, decisions, pushed, ledger, args, cancelled)
    return (
        {
            "work_seconds": time.perf_counter() - began,
            "work_cpu_seconds": time.process_time() - cpu_began,
            "compare_work_seconds": compared.seconds,
            "cancel_work_seconds": cancelled.seconds,
            "started_at": started_at,
            "ended_at": time.time(),
            "decisions": compared.counts,
            "outcomes": cancelled.counts,
            "orders": cancelled.orders,
            "batches": cancelled.batches,
            "shopify": add_up(compare_clients.stats(), cancel_clients.stats()),
        }
        | compared.stats("compare_")
        | cancelled.stats("cancel_")
    )


def add_up(total: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Counters added, nested dicts (per shop) too."""
    out = dict(total)
    for key, value in more.items():
        out[key] = add_up(out.get(key, {}), value) if isinstance(value, dict) else out.get(key, 0) + value
    return out


def run_report(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from include.cancel_sync import tasks
    from include.cancel_sync.ledger import RunKey

    began, started_at, cpu_began = time.perf_counter(), time.time(), time.process_time()
    try:  # the DAG's report task, which fails the run after the report when orders failed
        result = tasks.report(StepXCom(workdir), RunKey(SYNC_DAG_ID, "bench"), f"file://{workdir / 'reports'}")
    except tasks.RunIncomplete as incomplete:
        result = incomplete.summary
    (workdir / "report.json").write_text(json.dumps(result))
    return {
        "work_seconds": time.perf_counter() - began,
        "work_cpu_seconds": time.process_time() - cpu_began,
        "started_at": started_at,
        "ended_at": time.time(),
        "orders": result["orders"],
        "outcomes": result["outcomes"],
        "failed": result["failed"],
        "xcom_bytes": _xcom_bytes(result),
    }


def peak_rss_kb() -> int:
    """This process's own high-water RSS (VmHWM). Not getrusage/wait4: on Linux a child's ru_maxrss
    starts from its parent's RSS at fork, so it would report the benchmark's sandboxes too."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--cancel-concurrency", type=int, default=None)
    parser.add_argument("--shard", type=int, default=0, help="with --shards: which share of the batches")
    parser.add_argument("--shards", type=int, default=1, help="processes sharing the compare/cancel batches")
    parser.add_argument("--netsuite-concurrency", type=int, default=None)
    args = parser.parse_args()
    run = json.loads((args.workdir / "run.json").read_text())
    steps = {"extract": run_extract, "compare": run_compare, "cancel": run_cancel, "batch": run_batch}
    step = steps.get(args.step, run_report)
    stats = step(args.workdir, run, args)
    stats["peak_rss_kb"] = peak_rss_kb()
    stats["cpu_seconds"] = time.process_time()  # the whole process: user + system, imports and connections included
    suffix = "" if args.shards == 1 else f".shard{args.shard}"
    (args.workdir / f"{args.step}.stats{suffix}.json").write_text(json.dumps(stats))


if __name__ == "__main__":
    main()
