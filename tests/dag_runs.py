"""Run the real DAG in-process (dag.test) against the sandboxes, and read back what it reported."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from include.cancel_sync.constants import SYNC_DAG_ID
from tests.conftest import PROJECT_ROOT

DAG_ID = SYNC_DAG_ID


@dataclass
class SyncRun:
    state: str
    run_id: str
    report: dict[str, Any] | None
    outcomes: list[dict[str, Any]]
    task_states: dict[str, list[str]]
    ledger_url: str

    def outcome_of(self, netsuite_id: int) -> dict[str, Any]:
        return next(o for o in self.outcomes if o["id"] == netsuite_id)


def load_dag(dag_id: str = DAG_ID):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / f"{dag_id}.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag_id]


def ledger_connection(url: str) -> dict[str, Any]:
    """Airflow connection definition for a ledger URL (sqlite file or PostgreSQL)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"conn_type": "sqlite", "host": parsed.database}
    return {
        "conn_type": "postgres",
        "host": parsed.host,
        "port": parsed.port,
        "login": parsed.username,
        "password": parsed.password,
        "schema": parsed.database,
    }


def run_sync(
    sandboxes,
    tmp_path: Path,
    variables: dict[str, str] | None = None,
    conf: dict | None = None,
    ledger_url: str | None = None,
    connections: dict[str, dict] | None = None,
    dag_id: str = DAG_ID,
) -> SyncRun:
    """`connections`: definitions to use instead of the sandboxes' own (the ledger's is added); `dag_id`: the
    sync (default) or the sweep."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    # Airflow caches the secrets backend of the first dag.test() in a process, so every run
    # must use the same file paths; the backend re-reads the files on each lookup.
    home = Path(os.environ["AIRFLOW_HOME"])
    connection_file = home / "dag_test_connections.json"
    ledger_url = ledger_url or f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ledger = {"netsuite_shopify_ledger": ledger_connection(ledger_url)}
    connection_file.write_text(json.dumps((connections or sandboxes.connections()) | ledger))
    reports = tmp_path / "reports"
    values = {"netsuite_shopify_report_location": f"file://{reports}"} | (variables or {})
    variable_file = home / "dag_test_variables.json"
    variable_file.write_text(json.dumps(values))
    dag_run = load_dag(dag_id).test(
        run_conf=conf or {}, conn_file_path=str(connection_file), variable_file_path=str(variable_file)
    )
    files = sorted(reports.glob(f"{dag_id}/*.json"), key=lambda p: p.stat().st_mtime)
    saved = json.loads(files[-1].read_text()) if files else None
    if saved and saved["run_id"] != dag_run.run_id:
        saved = None
    task_states: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        task_states.setdefault(ti.task_id, []).append(str(ti.state))
    return SyncRun(
        state=str(dag_run.state),
        run_id=dag_run.run_id,
        report=saved["report"] if saved else None,
        outcomes=saved["outcomes"] if saved else [],
        task_states=task_states,
        ledger_url=ledger_url,
    )


def xcom_bytes(run_id: str) -> dict[tuple[str, str], int]:
    """Bytes each task pushed through XCom in a run, per (task_id, key), map indexes added up — as stored:
    Airflow keeps XCom values as JSON with json.dumps' default separators."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    sizes: dict[tuple[str, str], int] = {}
    with create_session() as session:
        rows = session.query(XComModel.task_id, XComModel.key, XComModel.value).filter(XComModel.run_id == run_id)
        for task_id, key, value in rows:
            stored = value if isinstance(value, str) else json.dumps(value)
            sizes[(task_id, key)] = sizes.get((task_id, key), 0) + len(stored.encode("utf-8"))
    return sizes


def whole_world_window(start, end) -> dict[str, str]:
    return {"window_start": start.isoformat(), "window_end": end.isoformat()}
