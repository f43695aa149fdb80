"""The DAG file loads cleanly, cheaply, and declares what operators rely on."""

import ast
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.conftest import PROJECT_ROOT
from tests.dag_runs import DAG_ID, load_dag

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))
ALLOWED_MODULE_IMPORTS = {
    "__future__",
    "os",
    "datetime",
    "pendulum",
    "airflow.sdk",
    "include.cancel_sync.constants",
    "include.cancel_sync.dag_tasks",  # the tasks' wiring: light itself, everything heavy imported in the tasks
}


@pytest.fixture(scope="module")
def dag():
    return load_dag()


def test_dag_has_tags_doc_retries_and_schedule(dag):
    assert dag.dag_id == DAG_ID
    assert {"netsuite", "shopify"} <= set(dag.tags)
    assert "cancel_enabled" in dag.doc_md
    assert dag.max_active_runs == 1
    assert dag.timetable.__class__.__name__ == "DeltaDataIntervalTimetable"
    assert dag.timetable.delta == timedelta(minutes=15)  # a data interval per run: the window
    for task in dag.tasks:
        if task.task_id != "report":
            assert task.retries >= 2, task.task_id
            assert task.retry_exponential_backoff, task.task_id
        assert task.pool == "netsuite_shopify"


def test_manual_run_params(dag):
    assert set(dag.params) == {"window_start", "window_end", "dry_run", "netsuite_order_ids"}
    assert dag.params["dry_run"] is False


def test_there_are_the_two_dags():
    assert [path.stem for path in DAG_FILES] == ["netsuite_shopify_cancel_sweep", "netsuite_shopify_cancel_sync"]


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda path: path.stem)
def test_module_level_imports_are_light(dag_file):
    tree = ast.parse(dag_file.read_text())
    top_level = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_level |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            top_level.add(node.module)
    assert top_level <= ALLOWED_MODULE_IMPORTS, top_level - ALLOWED_MODULE_IMPORTS


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda path: path.stem)
def test_parsing_touches_no_variable_connection_or_network(dag_file):
    """Import the DAG file with Variables, Connections and sockets booby-trapped."""
    probe = f"""
import socket, sys
def refuse(*a, **k):
    raise SystemExit("network used at parse time")
socket.socket.connect = refuse
socket.create_connection = refuse
import airflow.sdk
def trap(*a, **k):
    raise SystemExit("Variable/Connection read at parse time")
airflow.sdk.Variable.get = staticmethod(trap)
airflow.sdk.BaseHook.get_connection = classmethod(trap)
import importlib.util
spec = importlib.util.spec_from_file_location("dagfile", {str(dag_file)!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
heavy = [m for m in ("pandas", "requests", "include.cancel_sync.tasks", "graphql") if m in sys.modules]
if heavy:
    raise SystemExit(f"heavy modules imported at parse time: {{heavy}}")
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_the_tasks_carry_the_ids_the_core_pulls_xcom_from(dag):
    from include.cancel_sync.constants import CANCEL_TASK_ID, EXTRACT_TASK_ID, POOL, SYNC_DAG_ID

    assert dag.dag_id == SYNC_DAG_ID
    assert {EXTRACT_TASK_ID, CANCEL_TASK_ID} <= set(dag.task_ids)
    assert {task.pool for task in dag.tasks} == {POOL}


def test_the_pool_runs_a_batch_s_cancel_before_the_next_batch_s_compare():
    from include.cancel_sync.constants import CANCEL_TASK_ID, SWEEP_DAG_ID

    compare_task_id = "compare_with_shopify"
    for dag_id in (DAG_ID, SWEEP_DAG_ID):
        tasks = load_dag(dag_id).task_dict
        compare, cancel = tasks[compare_task_id], tasks[CANCEL_TASK_ID]
        assert {str(getattr(t.weight_rule, "value", t.weight_rule)) for t in tasks.values()} == {"upstream"}
        # Upstream weights: a task's own plus its upstream tasks' (all 1), so cancel outranks compare.
        upstream = {t.task_id: len(t.get_flat_relatives(upstream=True)) for t in (compare, cancel)}
        assert upstream[CANCEL_TASK_ID] > upstream[compare_task_id], upstream


def test_the_sweep_runs_the_same_tasks_daily_with_its_own_params():
    from include.cancel_sync.constants import SWEEP_DAG_ID

    sweep, sync = load_dag(SWEEP_DAG_ID), load_dag()
    assert sweep.task_ids == sync.task_ids  # the same five tasks
    assert {"netsuite", "shopify", "reconciliation"} <= set(
        sweep.tags
    ) and "netsuite_shopify_sweep_days" in sweep.doc_md
    assert sweep.timetable.__class__.__name__ == "CronTriggerTimetable" and sweep.max_active_runs == 1
    assert set(sweep.params) == {"days", "dry_run"} and sweep.params["days"] is None
    for task in sweep.tasks:
        assert task.pool == "netsuite_shopify"  # shared with the sync
        if task.task_id != "report":
            assert task.retries >= 2 and task.retry_exponential_backoff, task.task_id
