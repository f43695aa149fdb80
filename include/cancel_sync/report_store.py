"""Keep each run's report where people can open it: a local folder or any object store.

Per run, side by side: `<run>.json` (everything, for machines), `<run>.html` (the reconciliation
page people open) and `<run>.csv` (every order, for spreadsheets).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from include.cancel_sync.record_links import RecordLinks
from include.cancel_sync.report_csv import render_csv
from include.cancel_sync.report_html import render_html
from include.cancel_sync.report_rows import order_rows

REPORT_LOCATION_VARIABLE = "netsuite_shopify_report_location"


def default_report_location() -> str:
    home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
    return f"file://{os.path.abspath(home)}/reports"


def safe_name(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def report_file(location: str, dag_id: str, run_id: str, kind: str):
    """The ObjectStoragePath of a run's `json`, `html` or `csv` report."""
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(location.rstrip("/")) / dag_id / f"{safe_name(run_id)}.{kind}"


def save_report(
    location: str,
    dag_id: str,
    run_id: str,
    report: dict[str, Any],
    outcomes: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    links: RecordLinks | None = None,
) -> str:
    """Write `<location>/<dag_id>/<run_id>.{json,html,csv}`; returns the JSON's URI. `location` is any ObjectStoragePath URL."""
    target = report_file(location, dag_id, run_id, "json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps({"dag_id": dag_id, "run_id": run_id, "report": report, "outcomes": outcomes}, default=str)
    )
    rows = order_rows(outcomes, links)
    csv_file = report_file(location, dag_id, run_id, "csv")
    csv_file.write_text(render_csv(rows), encoding="utf-8-sig")  # the BOM makes Excel read UTF-8
    page = render_html(report, rows, settings or {}, dag_id, run_id, csv_name=csv_file.name)
    report_file(location, dag_id, run_id, "html").write_text(page, encoding="utf-8")
    return str(target)
