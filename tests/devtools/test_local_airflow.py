"""`make airflow`'s banner points the airflow CLI at the very Airflow it started."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime

from devtools.local_airflow import LocalAirflow, cli_instructions
from include.cancel_sync.constants import SYNC_DAG_ID

PROBE = """
airflow config get-value core dags_folder
airflow config get-value database sql_alchemy_conn
airflow config get-value core load_examples
command -v airflow
python -c 'import include.cancel_sync.constants'
"""


def test_the_exported_lines_give_the_cli_the_local_airflows_home_database_and_dags(tmp_path):
    home = tmp_path / "with space" / "local_airflow"  # quoting matters
    airflow = LocalAirflow(home)
    # A shell as a person opens it: none of the test run's own Airflow settings, only what the banner says.
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW") and key != "PYTHONPATH"}
    clean["PATH"] = "/usr/bin:/bin"
    script = "\n".join(airflow.cli_exports()) + "\nset -e\n" + PROBE
    result = subprocess.run(["bash", "-c", script], env=clean, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    dags_folder, database, load_examples, cli = result.stdout.splitlines()[:4]
    assert dags_folder == airflow.env["AIRFLOW__CORE__DAGS_FOLDER"]
    assert database == airflow.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home}/airflow.db"
    assert load_examples == "False"
    assert cli == airflow.env["PATH"].split(os.pathsep)[0] + "/airflow"  # the venv's, as the components use


def test_the_banner_says_the_dag_waits_paused_and_shows_a_one_run_at_a_time_backfill(tmp_path):
    airflow = LocalAirflow(tmp_path / "local_airflow")
    lines = cli_instructions(airflow, datetime(2026, 11, 30, 23, 52, 10))
    text = "\n".join(lines)
    assert f"  export AIRFLOW_HOME={airflow.home}" in lines
    assert "starts paused" in text and "waits as queued" in text
    assert (
        f"airflow backfill create --dag-id {SYNC_DAG_ID} --from-date 2026-11-30T21:45:00 "
        "--to-date 2026-11-30T22:30:00 --max-active-runs 1"
    ) in text
    assert (airflow.home / "cli.env").read_text().splitlines() == airflow.cli_exports()
