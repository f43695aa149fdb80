"""The ledger, shaped for the pages: the runs of a period with their totals, and an order's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from include.cancel_sync.labels import decision_label, next_step, outcome_label
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.records import NEEDS_A_PERSON, Outcome
from include.cancel_sync.ui.period import Period
from include.cancel_sync.ui.urls import report_page_path

# The counts a run's row and the period's cards show, from the run's counts (outcome → orders).
COUNTED = ("orders", "cancelled", "would_cancel", "already_cancelled", "attention", "failed")


def airflow_run_path(dag_id: str, run_id: str) -> str:
    """The run's page in Airflow's UI (its route `dags/:dagId/runs/:runId`)."""
    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def run_row(run: dict[str, Any], store: str | None = None) -> dict[str, Any]:
    """A run's row; with `store`, that store's counts only (the report's store section)."""
    counts = run["counts"] or {}
    orders = int(run["orders"] or 0)
    if store:
        part = (run.get("stores") or {}).get(store) or {}
        counts, orders = part.get("outcomes") or {}, int(part.get("orders") or 0)
    report_url = report_page_path(run["dag_id"], run["run_id"])
    return {
        "dag_id": run["dag_id"],
        "run_id": run["run_id"],
        "airflow_url": airflow_run_path(run["dag_id"], run["run_id"]),
        "finished": _when(run["finished_at"]),
        "state": run["state"],
        "mode": run["mode"] or "",
        "window": f"{run['window_start']} → {run['window_end']}" if run["window_start"] else "",
        "orders": orders,
        "cancelled": counts.get(Outcome.CANCELLED, 0),
        "would_cancel": counts.get(Outcome.WOULD_CANCEL, 0),
        "already_cancelled": counts.get(Outcome.ALREADY_CANCELLED, 0),
        "attention": sum(counts.get(outcome, 0) for outcome in NEEDS_A_PERSON),
        "failed": counts.get(Outcome.FAILED, 0),
        "why": why_failed(run),
        "report_url": report_url if run["report_uri"] else None,
        "csv_url": f"{report_url}.csv" if run["report_uri"] else None,
    }


def why_failed(run: dict[str, Any]) -> str:
    """A failed run's reason in a line ("" for a run that succeeded)."""
    if run["state"] != "failed":
        return ""
    if run["failed_step"]:
        return f"Stopped at {run['failed_step']}: {run['reason'] or 'no reason recorded'}"
    failed = (run["counts"] or {}).get(Outcome.FAILED, 0)
    if failed:
        return f"{failed} order(s) failed; the report names each, a retry re-checks them"
    return run["reason"] or "some batches did not finish; see the report"


@dataclass
class PeriodRuns:
    period: Period
    rows: list[dict[str, Any]]  # the newest `shown` runs of the period
    total_runs: int  # every run of the period (up to the cap)
    failed_runs: int
    totals: dict[str, int] = field(default_factory=dict)  # COUNTED summed over every run of the period
    capped: bool = False  # the period has more runs than the page adds up
    newest: str = ""  # when the newest run of any period finished (for an empty period)


def period_runs(
    ledger: Ledger, dag_ids: tuple[str, ...], period: Period, shown: int, cap: int, store: str | None = None
) -> PeriodRuns:
    """The period's runs; with `store`, the runs that had orders of that store, counting those only."""
    runs = ledger.runs(dag_ids, since=period.since, until=period.until, limit=cap)
    if store:
        runs = [run for run in runs if store in (run.get("stores") or {})]
    rows = [run_row(run, store) for run in runs]
    totals = {key: sum(row[key] for row in rows) for key in COUNTED}
    result = PeriodRuns(
        period, rows[:shown], len(rows), sum(row["state"] == "failed" for row in rows), totals, len(rows) >= cap
    )
    if not rows:
        latest = ledger.runs(dag_ids, limit=1)
        result.newest = _when(latest[0]["finished_at"]) if latest else ""
    return result


def history_rows(ledger: Ledger, query: str, store: str | None = None) -> list[dict[str, Any]]:
    """Rows for a tranid or a Shopify order name (order names repeat across stores: `store` keeps one's);
    `1042` also finds `#1042`."""
    names = [query] + ([f"#{query}"] if query.isdigit() else [])
    seen: dict[int, dict[str, Any]] = {}
    for name in names:
        for row in ledger.history(tranid=query, shopify_name=name, store=store or None):
            seen[row["id"]] = row
    latest = {row["netsuite_id"]: row_id for row_id, row in sorted(seen.items())}  # each order's newest row
    return [
        row
        | {
            "recorded_at": _when(row["recorded_at"]),
            "report_url": report_page_path(row["dag_id"], row["run_id"]),
            "decision_label": decision_label(row["decision"]),
            "outcome_label": outcome_label(row["outcome"]),
            # What to do is about where the order stands now: only its newest row says it.
            "next_step": next_step(row["outcome"]) if latest[row["netsuite_id"]] == row_id else "",
        }
        for row_id, row in sorted(seen.items())
    ]


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else str(value or "")
