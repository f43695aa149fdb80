"""The ledger, shaped for the pages: counts per run and an order's rows."""

from __future__ import annotations

from typing import Any

from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.records import NEEDS_A_PERSON, Outcome
from include.cancel_sync.ui.urls import report_page_path


def run_rows(ledger: Ledger, limit: int) -> list[dict[str, Any]]:
    rows = []
    for summary in ledger.run_summaries(limit=limit):
        counts = summary["outcomes"]
        report_url = report_page_path(SYNC_DAG_ID, summary["run_id"])
        rows.append(
            {
                "run_id": summary["run_id"],
                "last_seen": _when(summary["last_seen"]),
                "orders": sum(counts.values()),
                "cancelled": counts.get(Outcome.CANCELLED, 0),
                "would_cancel": counts.get(Outcome.WOULD_CANCEL, 0),
                "already_cancelled": counts.get(Outcome.ALREADY_CANCELLED, 0),
                "attention": sum(counts.get(outcome, 0) for outcome in NEEDS_A_PERSON),
                "failed": counts.get(Outcome.FAILED, 0),
                "report_url": report_url,
                "csv_url": f"{report_url}.csv",
            }
        )
    return rows


def history_rows(ledger: Ledger, query: str) -> list[dict[str, Any]]:
    """Rows for a tranid or a Shopify order name; `1042` also finds `#1042`."""
    names = [query] + ([f"#{query}"] if query.isdigit() else [])
    seen: dict[int, dict[str, Any]] = {}
    for name in names:
        for row in ledger.history(tranid=query, shopify_name=name):
            seen[row["id"]] = row
    return [
        row | {"recorded_at": _when(row["recorded_at"]), "report_url": report_page_path(SYNC_DAG_ID, row["run_id"])}
        for _, row in sorted(seen.items())
    ]


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else str(value or "")
