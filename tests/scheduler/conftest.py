"""One real Airflow (scheduler, DAG processor, API server) per session, and sandboxes it reaches over loopback.

Airflow runs in its own processes with its own home; the sandboxes run here, in the test
process, so tests read the Shopify sandbox's record (and steer it: sandbox/hold.py) directly.
Each test points the connections at its own sandboxes and its own ledger through the REST API,
once no run is active, and whatever run it leaves unfinished (it failed half-way) is marked failed
when it ends: a failing test never holds up the next one.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devtools.airflow_settings import read_settings
from devtools.local_airflow import AirflowApi, LocalAirflow, wait_until
from include.cancel_sync.constants import LEDGER_CONN_ID, SYNC_DAG_ID
from include.cancel_sync.report.files import safe_name
from include.cancel_sync.window import Window
from sandbox.runner import Sandboxes, SandboxOptions
from sandbox.world import World, build_world
from tests.conftest import PROJECT_ROOT
from tests.dag_runs import ledger_connection
from tests.timing import AIRFLOW_TIMINGS, HTTP_TIMEOUT, scaled

DAG_ID = SYNC_DAG_ID
INTERVAL = timedelta(minutes=60)  # one scheduled run at unpause, the next one an hour later
RETRY_DELAY_SECONDS = 2  # > 1 s, so a retry never shares a second with the try before it
SETTINGS = read_settings(PROJECT_ROOT / "airflow_settings.yaml")
OVERLAP = timedelta(minutes=int(SETTINGS["variables"]["netsuite_shopify_window_overlap_minutes"]))
ACTIVE_STATES = ["queued", "running"]
# Waits (tests/timing.py scales them); none of them is a claim about speed.
AIRFLOW_STARTUP = scaled(120)  # db migrate → every component healthy
DAG_PARSED = scaled(60)
RUN_FINISHED = scaled(120)  # one run of a test world, triggered → finished (retries included)

TIMINGS = AIRFLOW_TIMINGS  # printed at the end of the session (tests/conftest.py)


@pytest.fixture(scope="session")
def live_airflow(tmp_path_factory) -> Iterator[LocalAirflow]:
    airflow = LocalAirflow(
        tmp_path_factory.mktemp("live-airflow"),
        env={
            "NETSUITE_SHOPIFY_SYNC_INTERVAL_MINUTES": str(int(INTERVAL.total_seconds() // 60)),
            "NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS": str(RETRY_DELAY_SECONDS),
        },
    )
    airflow.start(timeout=AIRFLOW_STARTUP)
    TIMINGS["Airflow startup (db migrate → healthy)"] = airflow.startup_seconds
    try:
        yield airflow
    finally:
        airflow.stop()
        assert not airflow.running_pids(), "Airflow processes outlived the session"


@pytest.fixture(scope="session")
def airflow_api(live_airflow) -> AirflowApi:
    """REST client, with airflow_settings.yaml applied and the cancel sync switched on."""
    api = live_airflow.api(http_timeout=HTTP_TIMEOUT)
    api.wait_for_dag(DAG_ID, timeout=DAG_PARSED)
    settings = copy.deepcopy(SETTINGS)
    settings["variables"]["netsuite_shopify_cancel_enabled"] = "true"
    api.apply_settings(settings)
    return api


@dataclass
class ScheduledRuns:
    world: World
    runs: list[dict[str, Any]]
    task_instances: dict[str, list[dict[str, Any]]]
    cancel_calls: list  # the Shopify sandbox's record, taken once the runs finished


@pytest.fixture(scope="session")
def scheduled_runs(airflow_api, tmp_path_factory) -> ScheduledRuns:
    """Unpause the DAG over a world modified in the latest interval; collect the run(s) the scheduler makes.

    With catchup off the scheduler runs the latest complete interval at once. Every test needs
    the DAG unpaused (paused DAGs' runs never start), so all of them come through here first.
    """
    interval_end = _latest_interval_end()
    # Two intervals of orders: the run must take the latest one (and the overlap) and leave the rest.
    world = build_world(63, interval_end - 2 * INTERVAL, interval_end, seed=23, every_scenario=True)
    ledger = tmp_path_factory.mktemp("scheduled-runs") / "ledger.sqlite"
    with Sandboxes(world) as sandboxes:
        airflow_api.set_connections(sandboxes.connections() | ledger_connections(ledger))
        airflow_api.set_paused(DAG_ID, False)
        started = time.monotonic()
        runs = wait_until(lambda: _scheduling_settled(airflow_api), RUN_FINISHED, "the scheduled run(s) to finish")
        TIMINGS["first scheduled run (unpause → finished)"] = time.monotonic() - started
        task_instances = {run["dag_run_id"]: airflow_api.task_instances(DAG_ID, run["dag_run_id"]) for run in runs}
        return ScheduledRuns(world, runs, task_instances, list(sandboxes.shopify.store.cancel_calls))


def _latest_interval_end() -> datetime:
    """End of the latest complete interval (naive UTC); waits out a boundary too close for the scheduler to
    create the run before it passes."""
    step = INTERVAL.total_seconds()
    now = time.time()
    if step - now % step < scaled(30):
        time.sleep(step - now % step + 1)
        now = time.time()
    return datetime.fromtimestamp(now - now % step, UTC).replace(tzinfo=None)


def _scheduling_settled(api: AirflowApi) -> list[dict[str, Any]] | None:
    """Scheduled runs, once at least one exists, all finished, and the next one is in the future."""
    dag = api.get(f"/dags/{DAG_ID}")
    next_run = dag.get("next_dagrun_run_after")
    if next_run is None or parse_utc(next_run) <= datetime.now(UTC).replace(tzinfo=None):
        return None
    runs = api.runs(DAG_ID, run_type="scheduled")
    if runs and all(run["state"] in ("success", "failed") for run in runs):
        return runs
    return None


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    """This test's own ledger (other tests' worlds reuse the same Shopify ids)."""
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def use_sandboxes(airflow_api, scheduled_runs, ledger_path):
    """Factory: start sandboxes over `world`, point Airflow's connections at them and at this test's ledger.

    Waits for every earlier run to finish first, so no stray task talks to the new sandboxes; at the
    end, fails whatever run is still active, so a test that failed half-way leaves nothing behind.
    """
    started: list[Sandboxes] = []

    def use(world: World, options: SandboxOptions | None = None) -> Sandboxes:
        _wait_for_no_active_run(airflow_api)
        sandboxes = Sandboxes(world, options).start()
        started.append(sandboxes)
        airflow_api.set_connections(sandboxes.connections() | ledger_connections(ledger_path))
        return sandboxes

    yield use
    try:
        for run in airflow_api.runs(DAG_ID, state=ACTIVE_STATES):
            airflow_api.set_run_state(DAG_ID, run["dag_run_id"], "failed")
        _wait_for_no_active_run(airflow_api)
    finally:
        for sandboxes in started:
            sandboxes.stop()


def _wait_for_no_active_run(api: AirflowApi) -> None:
    wait_until(lambda: not api.runs(DAG_ID, state=ACTIVE_STATES), RUN_FINISHED, "no active run")


def ledger_connections(path: Path) -> dict[str, dict[str, Any]]:
    return {LEDGER_CONN_ID: ledger_connection(f"sqlite:///{path}")}


@contextmanager
def variables(api: AirflowApi, **values: str) -> Iterator[None]:
    """Set Variables for one test; put the settings file's values back afterwards."""
    api.set_variables(values)
    try:
        yield
    finally:
        api.set_variables({name: SETTINGS["variables"].get(name, "") for name in values})


def parse_utc(text: str) -> datetime:
    """An API timestamp → naive UTC, the sandboxes' and the world builder's convention."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def run_window(run: dict[str, Any], overlap: timedelta) -> tuple[datetime, datetime]:
    """The lastmodifieddate window a scheduled or backfill run reads: its data interval, widened backwards."""
    return parse_utc(run["data_interval_start"]) - overlap, parse_utc(run["data_interval_end"])


def saved_report(airflow: LocalAirflow, run_id: str) -> dict[str, Any]:
    """The JSON report the run's `report` task wrote (default location: $AIRFLOW_HOME/reports)."""
    path = Path(airflow.home) / "reports" / DAG_ID / f"{safe_name(run_id)}.json"
    return json.loads(path.read_text())


def reported_window(airflow: LocalAirflow, run_id: str) -> tuple[datetime, datetime]:
    """The window the run actually read, as its report states it (Variables applied)."""
    window = Window.from_dict(saved_report(airflow, run_id)["report"]["window"])
    return window.start, window.end


def cancelled_in_report(airflow: LocalAirflow, run_id: str) -> set[int]:
    return {o["id"] for o in saved_report(airflow, run_id)["outcomes"] if o["outcome"] == "cancelled"}


def received_during(call, start: str, end: str) -> bool:
    """Whether the sandbox received `call` between two API timestamps.

    The sandbox stamps calls to the whole second, so both ends are floored to the second too:
    exact for one stretch, ambiguous only for two stretches less than a second apart.
    """
    received = parse_utc(call.received_at)
    return parse_utc(start).replace(microsecond=0) <= received <= parse_utc(end).replace(microsecond=0)
