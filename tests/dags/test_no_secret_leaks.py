"""After a full run, no secret appears anywhere the run wrote: logs, XCom, ledger, reports, Airflow's database."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.conftest import WORLD_END, WORLD_START
from tests.dag_runs import run_sync, whole_world_window

pytestmark = pytest.mark.usefixtures("airflow_db")

# The connection file hands the secrets to Airflow by design; everything else must be clean.
EXPECTED_HOLDERS = {"dag_test_connections.json"}


def files_under(*roots: Path):
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.name not in EXPECTED_HOLDERS:
                yield path


class KeepRecords(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)  # Airflow task logs run at INFO
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_secrets_never_reach_logs_xcom_ledger_or_reports(make_sandboxes, tmp_path, capfd):
    sandboxes = make_sandboxes(count=42, seed=11, every_scenario=True)
    records = KeepRecords()
    logging.getLogger().addHandler(records)
    try:
        run = run_sync(
            sandboxes, tmp_path, {"netsuite_shopify_cancel_enabled": "true"}, whole_world_window(WORLD_START, WORLD_END)
        )
    finally:
        logging.getLogger().removeHandler(records)
    assert run.state == "success" and run.report["outcomes"]["cancelled"] > 0
    captured = capfd.readouterr()
    texts = {"stdout": captured.out, "stderr": captured.err, "log records": "\n".join(records.lines)}
    home = Path(os.environ["AIRFLOW_HOME"])  # metadata DB (XCom, task instances), task logs
    for path in files_under(home, tmp_path):  # + ledger, reports
        texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    assert any("cancel_in_shopify" in text for text in texts.values())  # the search does see the run
    assert "Compared" in texts["stdout"] + texts["stderr"] + texts["log records"]  # and the task logs
    for secret in sandboxes.secrets():
        leaks = [where for where, text in texts.items() if secret in text]
        assert leaks == [], f"a secret leaked into {leaks}"
