"""Test-wide setup: a private Airflow home, and the sandboxes as fixtures.

Airflow reads its configuration at import, so the environment is set here,
before any test module imports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.timing import AIRFLOW_TIMINGS, PROCESS_EXIT, TEST_TIMEOUT

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHOPIFY_SCHEMA = PROJECT_ROOT.parent / "shared" / "shopify-schema" / "admin_schema_2026-01_public.graphql"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airflow-home-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS": "1",
    }
)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

# A 2-core CI machine running servers beside the tests is slow at times: timing is not what
# the property tests check, so no deadline and no too-slow health check.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")


# Tests sharing one heavy fixture per process run in one pytest-xdist worker (`make test` runs three): the
# real-Airflow tests share that worker's Airflow, the browser tests one deployment. They go first, so the
# longest share starts at once. Any other test is a share of its own.
_TOGETHER = {"tests/scheduler/": "airflow", "tests/cancel_sync/ui/": "browser"}


def _share(nodeid: str) -> str:
    return next((name for prefix, name in _TOGETHER.items() if nodeid.startswith(prefix)), nodeid)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """pytest-timeout's limit, from the one scale factor (tests/timing.py), for every test that sets none;
    the tests that run together first (every worker collects the same order)."""
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))
    together = list(_TOGETHER.values())
    items.sort(
        key=lambda item: together.index(_share(item.nodeid)) if _share(item.nodeid) in together else len(together)
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Hands out the tests in shares (_share). pytest-xdist's own `--dist loadgroup` cannot: it renames test
    ids through an attribute pytest 9 no longer reads."""
    from xdist.scheduler import LoadScopeScheduling

    class Shares(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _share(nodeid)

    return Shares(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: hand the timings to the main process
        session.config.workeroutput["airflow_timings"] = json.dumps(AIRFLOW_TIMINGS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    AIRFLOW_TIMINGS.update(json.loads(getattr(node, "workeroutput", {}).get("airflow_timings", "{}")))


def pytest_terminal_summary(terminalreporter) -> None:
    if AIRFLOW_TIMINGS:
        terminalreporter.section("real Airflow timings")
        for name, seconds in AIRFLOW_TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.1f}s")


# A fixed stretch of time for seeded worlds; windows in tests are cut from it.
WORLD_START = datetime(2026, 1, 15, 0, 0, 0)
WORLD_END = datetime(2026, 1, 15, 6, 0, 0)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the private metadata database once per session (dag.test needs it)."""
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stdout + result.stderr
    return _AIRFLOW_HOME


@pytest.fixture
def make_sandboxes():
    """Factory: `make_sandboxes(count=40, seed=3, scenarios={...}, options=SandboxOptions(...))`."""
    from sandbox.runner import Sandboxes
    from sandbox.world import build_world

    started = []

    def make(count=60, seed=7, scenarios=None, options=None, world=None, every_scenario=False):
        world = world or build_world(
            count, WORLD_START, WORLD_END, seed=seed, scenarios=scenarios, every_scenario=every_scenario
        )
        sandboxes = Sandboxes(world, options).start()
        started.append(sandboxes)
        return sandboxes

    yield make
    for sandboxes in started:
        sandboxes.stop()


@pytest.fixture(scope="session")
def official_shopify_schema():
    """Shopify's published 2026-01 Admin schema, built once (about 2 s)."""
    if not SHOPIFY_SCHEMA.exists():
        pytest.skip(f"official Shopify schema not found at {SHOPIFY_SCHEMA} (it lives in ../shared/, beside the repo)")
    import graphql

    schema = graphql.build_schema(SHOPIFY_SCHEMA.read_text())
    schema._validation_errors = []  # the published SDL trips graphql-core's strict interface check
    return schema


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request, tmp_path) -> str:
    """A fresh ledger database: a SQLite file, and PostgreSQL when the suite has one (`make test` starts it)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    url = os.environ.get("LEDGER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but LEDGER_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL: set LEDGER_TEST_POSTGRES_URL (make test starts one)")
    import sqlalchemy as sa

    url = _worker_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as db:
        for table in ("cancel_sync_ledger", "cancel_sync_runs"):
            db.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return url


def _worker_database(url: str) -> str:
    """Under pytest-xdist, a database of the worker's own beside the one given (tests drop its tables)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import sqlalchemy as sa

    given = sa.engine.make_url(url)
    name = f"{given.database}_{worker}"
    admin = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            if not db.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
                db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def sandbox_process(tmp_path):
    """The sandboxes as a separate process (`python -m sandbox serve`), stopped at teardown."""
    import json
    import signal

    processes = []

    def start(*args: str) -> dict:
        connections = tmp_path / f"connections-{len(processes)}.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "serve", "--connections-file", str(connections), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
        processes.append(process)
        line = process.stdout.readline()
        assert line, process.stderr.read()
        return json.loads(line) | {"connections": json.loads(connections.read_text()), "process": process}

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=PROCESS_EXIT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
