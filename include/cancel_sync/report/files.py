"""Keep each run's report where people can open it: a local folder or any object store.

Per run, side by side: `<run>.json` (everything, for machines), `<run>.html` (the reconciliation
page people open) and `<run>.csv` (every order, for spreadsheets).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from include.cancel_sync.report.csv_file import write_csv
from include.cancel_sync.report.html_page import MAX_HTML_ROWS, html_chunks
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.report.rows import RowTally, order_row
from include.cancel_sync.report.spool import RowSpool


def default_report_location() -> str:
    home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
    return f"file://{os.path.abspath(home)}/reports"


def safe_name(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def report_file(location: str, dag_id: str, run_id: str, kind: str):
    """The ObjectStoragePath of a run's `json`, `html` or `csv` report."""
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(location.rstrip("/")) / dag_id / f"{safe_name(run_id)}.{kind}"


class ReportFiles:
    """Writes `<location>/<dag_id>/<run_id>.{json,html,csv}` while a run's outcomes stream in, one batch at a
    time: the JSON as it goes, the rows spooled on disk and read back sorted for the CSV and the page.
    `location` is any ObjectStoragePath URL."""

    def __init__(self, location: str, dag_id: str, run_id: str, links: RecordUrls | None = None) -> None:
        self._files = {kind: report_file(location, dag_id, run_id, kind) for kind in ("json", "csv", "html")}
        self._files["json"].parent.mkdir(parents=True, exist_ok=True)
        self._links = links or RecordUrls()
        self._spool = RowSpool()
        self._tally = RowTally()
        self._json = self._files["json"].open("w", encoding="utf-8")
        self._json.write(f'{{"dag_id": {json.dumps(dag_id)}, "run_id": {json.dumps(run_id)}, "outcomes": [')
        self._separator = ""

    def add(self, outcomes: list[dict[str, Any]]) -> None:
        for outcome in outcomes:
            self._json.write(self._separator + json.dumps(outcome, default=str))
            self._separator = ", "
        rows = [order_row(outcome, self._links) for outcome in outcomes]
        for row in rows:
            self._tally.add(row)
        self._spool.add(rows)

    def finish(self, report: dict[str, Any], settings: dict[str, Any], dag_id: str, run_id: str) -> dict[str, str]:
        """Write the summary, the CSV and the page; returns where the JSON and the page are."""
        self._json.write(f'], "report": {json.dumps(report, default=str)}}}')
        self._json.close()
        # The BOM makes Excel read UTF-8.
        with self._files["csv"].open("w", encoding="utf-8-sig", newline="") as out:
            write_csv(out, self._spool.sorted_rows())
        shown = list(self._spool.sorted_rows(limit=MAX_HTML_ROWS))
        page = html_chunks(report, shown, self._tally, settings, dag_id, run_id, csv_name=self._files["csv"].name)
        with self._files["html"].open("w", encoding="utf-8") as out:
            out.writelines(page)
        return {"json": str(self._files["json"]), "html": str(self._files["html"])}

    def __enter__(self) -> ReportFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._json.closed:
            self._json.close()
        self._spool.close()
