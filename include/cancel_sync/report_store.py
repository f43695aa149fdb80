"""Keep each run's report where people can open it: a local folder or any object store."""

from __future__ import annotations

import json
import os
import re
from typing import Any

REPORT_LOCATION_VARIABLE = "netsuite_shopify_report_location"


def default_report_location() -> str:
    home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
    return f"file://{os.path.abspath(home)}/reports"


def safe_name(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def save_report(location: str, dag_id: str, run_id: str, report: dict[str, Any], outcomes: list[dict[str, Any]]) -> str:
    """Write `<location>/<dag_id>/<run_id>.json`; returns its URI. `location` is any ObjectStoragePath URL."""
    from airflow.sdk import ObjectStoragePath

    folder = ObjectStoragePath(location.rstrip("/")) / dag_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{safe_name(run_id)}.json"
    target.write_text(
        json.dumps({"dag_id": dag_id, "run_id": run_id, "report": report, "outcomes": outcomes}, default=str)
    )
    return str(target)
