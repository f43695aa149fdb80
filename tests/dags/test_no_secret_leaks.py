"""After a full run, no secret appears anywhere the run wrote: logs, XCom, ledger, reports, Airflow's database."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.runner import SandboxOptions
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


# Files are searched from another process: opening and closing a SQLite file (or its -wal/-shm)
# in this process would drop this process's SQLite locks on it (POSIX lock semantics) and let
# another process reset the shared memory under our feet.
SEARCH_FILES = """
import json, sys
secrets, paths = json.loads(sys.stdin.read())
leaks = {s: [p for p in paths if s.encode() in open(p, "rb").read()] for s in secrets}
print(json.dumps(leaks))
"""


def files_holding(secrets: list[str], paths: list[Path]) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", SEARCH_FILES],
        input=json.dumps([secrets, [str(p) for p in paths]]),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


class KeepRecords(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)  # Airflow task logs run at INFO
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("netsuite_auth", ["tba", "m2m"])
def test_secrets_never_reach_logs_xcom_ledger_or_reports(make_sandboxes, tmp_path, capfd, netsuite_auth):
    """M2M adds the private key (whole, and single lines of it), each access token issued and each assertion."""
    options = SandboxOptions(netsuite_auth=netsuite_auth)
    sandboxes = make_sandboxes(count=42, seed=11, every_scenario=True, options=options)
    records = KeepRecords()
    logging.getLogger().addHandler(records)
    try:
        run = run_sync(
            sandboxes, tmp_path, {"netsuite_shopify_cancel_enabled": "true"}, whole_world_window(WORLD_START, WORLD_END)
        )
    finally:
        logging.getLogger().removeHandler(records)
    assert run.state == "success" and run.report["outcomes"]["cancelled"] > 0
    if netsuite_auth == "m2m":  # the secrets searched for include what the run was handed
        assert sandboxes.netsuite.oauth2.issued_tokens() and sandboxes.netsuite.oauth2.assertions
    captured = capfd.readouterr()
    texts = {"stdout": captured.out, "stderr": captured.err, "log records": "\n".join(records.lines)}
    assert "Compared" in texts["stdout"] + texts["stderr"] + texts["log records"]  # the search sees the task logs
    home = Path(os.environ["AIRFLOW_HOME"])  # metadata DB (XCom, task instances), task logs
    files = list(files_under(home, tmp_path))  # + ledger, reports
    assert any(p.name.endswith(".html") for p in files) and any("ledger" in p.name for p in files)
    assert files_holding(["cancel_in_shopify"], files)["cancel_in_shopify"]  # and the run's records
    in_files = files_holding(sandboxes.secrets(), files)
    for secret in sandboxes.secrets():
        leaks = [where for where, text in texts.items() if secret in text] + in_files[secret]
        assert leaks == [], f"a secret leaked into {leaks}"
