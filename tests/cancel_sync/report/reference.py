"""The report built all at once, from outcomes in hand: what the streaming report must equal."""

from __future__ import annotations

from typing import Any

from include.cancel_sync.report.csv_file import write_csv
from include.cancel_sync.report.files import ReportFiles
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.report.rows import OrderRow, order_row, sort_key
from include.cancel_sync.report.summary import RunSummary


def build_report(
    outcomes: list[dict[str, Any]], settings: dict[str, Any], window: dict[str, str] | None, failed_batches: int = 0
) -> dict[str, Any]:
    summary = RunSummary(settings, window)
    summary.add(outcomes)
    return summary.result(failed_batches)


def order_rows(outcomes: list[dict[str, Any]], links: RecordUrls | None = None) -> list[OrderRow]:
    links = links or RecordUrls()
    return sorted((order_row(o, links) for o in outcomes), key=sort_key)


def render_csv(rows: list[OrderRow]) -> str:
    import io

    out = io.StringIO()
    write_csv(out, rows)
    return out.getvalue()


def save_report(
    location: str,
    dag_id: str,
    run_id: str,
    report: dict[str, Any],
    outcomes: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    links: RecordUrls | None = None,
) -> str:
    """All at once; returns the JSON's URI."""
    with ReportFiles(location, dag_id, run_id, links) as files:
        files.add(outcomes)
        return files.finish(report, settings or {}, dag_id, run_id)["json"]
