"""What ships to Airflow (dags/, plugins/, include/, requirements.txt) is only what runs there."""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.packaging.conftest import BUILT

SHIPPED = ("dags", "plugins", "include")
DEV_ONLY_CODE = {"sandbox", "devtools", "benchmarks", "tests"}
DEV_ONLY_LIBRARIES = {"graphql", "sqlglot", "pytest", "hypothesis", "gql", "aiosmtpd", "playwright", "ruff"}


def _shipped_python_files() -> list[Path]:
    return sorted(path for folder in SHIPPED for path in (PROJECT_ROOT / folder).rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_shipped_code_never_imports_development_code_or_libraries():
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(roots & (DEV_ONLY_CODE | DEV_ONLY_LIBRARIES))
        for path in _shipped_python_files()
        if (roots := _imported_roots(path)) & (DEV_ONLY_CODE | DEV_ONLY_LIBRARIES)
    }
    assert not offenders, offenders


def test_include_holds_only_the_core_package():
    listed = subprocess.run(
        ["git", "ls-files", "include"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed, "git lists nothing under include/"
    assert all(name.startswith("include/cancel_sync/") or name == "include/__init__.py" for name in listed), listed


def test_runtime_requirements_name_no_development_library():
    names = {
        line.split("#")[0].strip().split("[")[0].split("=")[0].split(">")[0].split("<")[0].lower()
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
    } - {""}
    assert not names & {
        "graphql-core",
        "sqlglot",
        "pytest",
        "pytest-timeout",
        "hypothesis",
        "gql",
        "aiosmtpd",
        "playwright",
        "ruff",
    }, names


# Imports every module of the core and the plugin, and parses the DAG files, in the fresh environment.
_RUNTIME_PROBE = """
import importlib, pkgutil, sys
from pathlib import Path
import include.cancel_sync as core
modules = [m.name for m in pkgutil.walk_packages(core.__path__, "include.cancel_sync.")]
for name in modules:
    importlib.import_module(name)
spec = importlib.util.spec_from_file_location("plugin", "plugins/netsuite_shopify_cancel_sync_plugin.py")
importlib.util.module_from_spec(spec).__loader__.exec_module(importlib.util.module_from_spec(spec))
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder="dags")
assert not bag.import_errors, bag.import_errors
assert bag.dags, "no DAG parsed"
leaked = sorted(m for m in sys.modules if m.split(".")[0] in {"sandbox", "devtools", "graphql", "sqlglot", "pytest"})
assert not leaked, leaked
print("runtime ok:", len(modules), "modules,", sorted(bag.dags))
"""


@pytest.mark.timeout(BUILT)  # the install (tests/packaging/conftest.py) may still be running
def test_requirements_txt_alone_runs_the_dag_core_and_plugin(runtime_venv, tmp_path):
    """A fresh virtualenv with only requirements.txt (and the lock) parses the DAGs and imports the core and plugin."""
    venv, python = runtime_venv, runtime_venv / "bin" / "python"
    home = tmp_path / "airflow-home"
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(PROJECT_ROOT),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    }
    probe = subprocess.run(
        [str(python), "-c", _RUNTIME_PROBE], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert probe.returncode == 0 and "runtime ok" in probe.stdout, probe.stdout[-3000:] + probe.stderr[-3000:]
