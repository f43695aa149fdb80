"""A real Airflow on loopback (scheduler, DAG processor, API server), for end-to-end tests and `make airflow`.

    python -m devtools.local_airflow   # sandboxes + settings + Airflow UI, until Ctrl-C

From tests: `with LocalAirflow(home, env={...}) as airflow: api = airflow.api()`. Each component runs in
its own session; stopping kills every process of those sessions (task processes included), even when
the caller failed half-way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE, SYNC_DAG_ID

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# LocalExecutor writes task logs where the API server reads them: the scheduler's log server
# (0.0.0.0:8793, a fixed port two local Airflows would fight over) is not needed.
COMPONENTS = {
    "scheduler": ("scheduler", "--skip-serve-logs"),
    "dag-processor": ("dag-processor",),
    "api-server": ("api-server",),
}
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin"  # loopback only; the UI login printed by `make airflow`
FINISHED_RUN_STATES = ("success", "failed")
KILLED_GONE = 30.0  # seconds processes sent SIGKILL may take to be gone before stop() calls them survivors


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class AirflowError(RuntimeError):
    pass


class LocalAirflow:
    """Scheduler + DAG processor + API server over SQLite and LocalExecutor, on 127.0.0.1:`port`."""

    def __init__(
        self,
        home: Path,
        *,
        port: int = 0,
        env: dict[str, str] | None = None,
        parallelism: int = 4,
        password: str = ADMIN_PASSWORD,
    ) -> None:
        self.home = Path(home)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.password = password
        self.env = self._environment(parallelism, env or {})
        self.log_dir = self.home / "logs" / "local_airflow"
        self._processes: dict[str, subprocess.Popen] = {}
        self.startup_seconds: float | None = None
        # The scheduler restarted after it exited on its own, as a deployment's supervisor (systemd, Kubernetes)
        # does: Airflow's scheduler can die on SQLite when the API rolls back a backfill it already saw.
        self.scheduler_restarts = 0
        self._supervising = threading.Event()
        self._supervisor_lock = threading.Lock()
        self._retired_sessions: set[int] = set()  # sessions of exited schedulers: their workers are swept at stop

    def _environment(self, parallelism: int, extra: dict[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home}/airflow.db",
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),  # LocalExecutor starts this many workers
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
                "AIRFLOW__CORE__AUTH_MANAGER": (
                    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
                ),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__WORKERS": "1",
                # Task runners reach the Execution API through base_url: it must follow the port.
                "AIRFLOW__API__BASE_URL": self.base_url,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
                "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
            }
        )
        # Every component must sign and check tokens with the same secrets.
        secrets_file = self.home / "local_airflow_secrets.json"
        if secrets_file.exists():
            shared = json.loads(secrets_file.read_text())
        else:
            shared = {"jwt_secret": secrets.token_urlsafe(64), "secret_key": secrets.token_urlsafe(32)}
            self.home.mkdir(parents=True, exist_ok=True)
            secrets_file.write_text(json.dumps(shared))
            secrets_file.chmod(0o600)
        env.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", shared["jwt_secret"])
        env.setdefault("AIRFLOW__API__SECRET_KEY", shared["secret_key"])
        env.update(extra)
        return env

    # -- lifecycle -----------------------------------------------------------------------------------

    def airflow_cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(VENV_BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, cwd=PROJECT_ROOT
        )
        if check and result.returncode != 0:
            raise AirflowError(f"airflow {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self, timeout: float = 120.0) -> LocalAirflow:
        started = time.monotonic()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self.airflow_cli("db", "migrate")
            self._seed_password()
            for component in COMPONENTS:
                self._spawn(component)
            self._wait_healthy(started + timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        self._supervising.set()
        threading.Thread(target=self._supervise_scheduler, name="scheduler-supervisor", daemon=True).start()
        return self

    def _supervise_scheduler(self) -> None:
        while self._supervising.is_set():
            with self._supervisor_lock:
                process = self._processes.get("scheduler")
                if self._supervising.is_set() and process is not None and process.poll() is not None:
                    with (self.log_dir / "scheduler.log").open("ab") as log:
                        log.write(f"\n=== scheduler exited with {process.returncode}: restarted ===\n".encode())
                    self._retired_sessions.add(process.pid)
                    self.scheduler_restarts += 1
                    self._spawn("scheduler")
            time.sleep(0.5)

    def _seed_password(self) -> None:
        # SimpleAuthManager keeps a password it finds here instead of generating a random one.
        path = self.home / "simple_auth_manager_passwords.json.generated"
        passwords = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
        passwords[ADMIN_USER] = self.password
        path.write_text(json.dumps(passwords) + "\n")

    def _spawn(self, component: str) -> None:
        log = (self.log_dir / f"{component}.log").open("ab")
        with log:
            self._processes[component] = subprocess.Popen(
                [str(VENV_BIN / "airflow"), *COMPONENTS[component]],
                env=self.env,
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own session and group: no terminal Ctrl-C, one sweep stops it all
            )

    def _wait_healthy(self, deadline: float) -> None:
        last = "no answer yet"
        while time.monotonic() < deadline:
            for component, process in self._processes.items():
                if process.poll() is not None:
                    raise AirflowError(f"airflow {component} exited with {process.returncode}\n{self.log_tail()}")
            try:
                health = requests.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).json()
                states = {name: (health.get(name) or {}).get("status") for name in ("metadatabase", "scheduler")}
                states["dag_processor"] = (health.get("dag_processor") or {}).get("status")
                if all(state == "healthy" for state in states.values()):
                    return
                last = json.dumps(states)
            except (requests.ConnectionError, requests.Timeout, ValueError) as exc:
                last = type(exc).__name__
            time.sleep(0.5)
        raise AirflowError(f"Airflow not healthy in time (last: {last})\n{self.log_tail()}")

    def stop(self, grace: float = 3.0) -> None:
        """SIGTERM each component's group, then SIGKILL whatever is left in their sessions."""
        with self._supervisor_lock:
            self._supervising.clear()
        sessions = {process.pid for process in self._processes.values()} | self._retired_sessions
        for sid in sessions:
            _signal_group(sid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _processes_in_sessions(sessions):
            time.sleep(0.1)
        for pid in _processes_in_sessions(sessions):
            _kill(pid)
        for process in self._processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        # A killed process leaves once the kernel has torn it down: moments, or longer while it sits in
        # uninterruptible I/O on a busy machine.
        deadline = time.monotonic() + KILLED_GONE
        while (survivors := _processes_in_sessions(sessions)) and time.monotonic() < deadline:
            for pid in survivors:  # one forked while its parent was being killed had no signal yet
                _kill(pid)
            time.sleep(0.1)
        self._processes.clear()
        if survivors:
            raise AirflowError(f"processes survived SIGKILL: {sorted(survivors)}")

    def exited(self) -> dict[str, int]:
        """Components that have stopped, with their exit codes."""
        return {name: p.returncode for name, p in self._processes.items() if p.poll() is not None}

    def running_pids(self) -> set[int]:
        return _processes_in_sessions({process.pid for process in self._processes.values()})

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name} ---\n" + "\n".join(tail))
        return "\n".join(parts)

    def cli_exports(self) -> list[str]:
        """The shell lines that point the `airflow` CLI at this Airflow: its home and database, the project's
        DAGs and plugins, `include` importable, and the venv's `airflow` first on PATH. Without them the CLI
        uses another home (the Makefile's `.airflow`, or ~/airflow), and a backfill made there never runs."""
        names = (
            "AIRFLOW_HOME",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "AIRFLOW__CORE__DAGS_FOLDER",
            "AIRFLOW__CORE__PLUGINS_FOLDER",
            "AIRFLOW__CORE__LOAD_EXAMPLES",
        )
        lines = [f"export {name}={shlex.quote(self.env[name])}" for name in names]
        lines.append(f"export PYTHONPATH={shlex.quote(str(PROJECT_ROOT))}")
        lines.append(f'export PATH={shlex.quote(str(VENV_BIN))}:"$PATH"')
        return lines

    def api(self, http_timeout: float = 30.0) -> AirflowApi:
        return AirflowApi(self.base_url, ADMIN_USER, self.password, http_timeout)

    def __enter__(self) -> LocalAirflow:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _processes_in_sessions(sessions: set[int]) -> set[int]:
    """Live (non-zombie) processes whose session id is one of `sessions` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session in sessions and state != "Z":
            found.add(int(entry.name))
    return found


class AirflowApi:
    """The few REST calls the tests and `make airflow` need (Airflow 3 public API, bearer token)."""

    def __init__(self, base_url: str, username: str, password: str, http_timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.http_timeout = http_timeout  # per request; the waits below take their own timeouts
        self.session = requests.Session()
        reply = self.session.post(
            f"{base_url}/auth/token", json={"username": username, "password": password}, timeout=http_timeout
        )
        _check(reply)
        self.session.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.session.request(method, f"{self.base_url}/api/v2{path}", timeout=self.http_timeout, **kwargs)
        _check(reply)
        return reply.json() if reply.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    # -- settings ------------------------------------------------------------------------------------

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Overwrite connections, Variables and pools from `airflow_settings.read_settings` output."""
        connections = [_connection_body(conn_id, c) for conn_id, c in settings["connections"].items()]
        variables = [{"key": key, "value": value} for key, value in settings["variables"].items()]
        pools = [
            {"name": name, "slots": p["slots"], "description": p["description"]}
            for name, p in settings["pools"].items()
        ]
        for path, entities in (("/connections", connections), ("/variables", variables), ("/pools", pools)):
            if entities:
                self._bulk_overwrite(path, entities)

    def _bulk_overwrite(self, path: str, entities: list[dict[str, Any]]) -> None:
        body = {"actions": [{"action": "create", "entities": entities, "action_on_existence": "overwrite"}]}
        result = self.request("PATCH", path, json=body)
        errors = (result.get("create") or {}).get("errors")
        if errors:
            raise AirflowError(f"PATCH {path} failed: {errors}")

    def set_variables(self, values: dict[str, str]) -> None:
        self._bulk_overwrite("/variables", [{"key": key, "value": value} for key, value in values.items()])

    def set_connections(self, connections: dict[str, dict[str, Any]]) -> None:
        """Connections in `airflow connections import` format (extra as dict or JSON text)."""
        self._bulk_overwrite("/connections", [_connection_body(conn_id, c) for conn_id, c in connections.items()])

    # -- DAGs and runs -------------------------------------------------------------------------------

    def wait_for_dag(self, dag_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Until the DAG processor has parsed `dag_id` (import errors fail at once)."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self.session.get(f"{self.base_url}/api/v2/dags/{dag_id}", timeout=self.http_timeout)
            if reply.status_code == 200:
                return reply.json()
            errors = self.get("/importErrors")["import_errors"]
            if errors:
                raise AirflowError(f"DAG import errors: {json.dumps(errors, indent=2)}")
            if time.monotonic() > deadline:
                raise AirflowError(f"DAG {dag_id} not parsed within {timeout:.0f}s")
            time.sleep(0.5)

    def set_paused(self, dag_id: str, paused: bool) -> dict[str, Any]:
        return self.request("PATCH", f"/dags/{dag_id}", json={"is_paused": paused})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        """A manual run without a logical date (the REST API wants the key, even when null)."""
        return self.request("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}})

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}")

    def set_run_state(self, dag_id: str, run_id: str, state: str) -> dict[str, Any]:
        """Mark a run success or failed; Airflow ends its unfinished task instances (running ones are killed)."""
        return self.request("PATCH", f"/dags/{dag_id}/dagRuns/{run_id}", json={"state": state})

    def runs(self, dag_id: str, **filters: Any) -> list[dict[str, Any]]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100, **filters)["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100)["task_instances"]

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/tries"
        return self.get(path)["task_instances"]

    def create_backfill(
        self, dag_id: str, from_date: datetime, to_date: datetime, timeout: float = 30.0, **options: Any
    ) -> dict[str, Any]:
        """POST /backfills, retried while SQLite is locked or an earlier backfill is still being closed.

        On SQLite the API answers 503 "Database is locked" when the scheduler writes at the same
        moment (the transaction is rolled back, nothing was created): trying again is safe. A DAG has
        one backfill at a time, and the scheduler marks one complete a moment after its last run ends
        (409 "already a running backfill" meanwhile).
        """
        body = {"dag_id": dag_id, "from_date": from_date.isoformat(), "to_date": to_date.isoformat()} | options
        deadline = time.monotonic() + timeout
        while True:
            reply = self.session.post(f"{self.base_url}/api/v2/backfills", json=body, timeout=self.http_timeout)
            if reply.status_code not in (503, 409) or time.monotonic() > deadline:
                _check(reply)
                return reply.json()
            time.sleep(0.5)

    def pool(self, name: str) -> dict[str, Any]:
        return self.get(f"/pools/{name}")

    def wait_for_run(
        self, dag_id: str, run_id: str, states: Iterable[str] = FINISHED_RUN_STATES, timeout: float = 120.0
    ) -> dict[str, Any]:
        return wait_until(
            lambda: _if_state(self.run(dag_id, run_id), states), timeout, f"run {run_id} to reach {list(states)}"
        )

    def wait_for_runs(self, dag_id: str, timeout: float = 120.0, **filters: Any) -> list[dict[str, Any]]:
        """Until at least one run matches `filters` and every matching run has finished."""

        def finished() -> list[dict[str, Any]] | None:
            runs = self.runs(dag_id, **filters)
            return runs if runs and all(r["state"] in FINISHED_RUN_STATES for r in runs) else None

        return wait_until(finished, timeout, f"runs of {dag_id} matching {filters} to finish")


def _if_state(run: dict[str, Any], states: Iterable[str]) -> dict[str, Any] | None:
    return run if run["state"] in states else None


def wait_until(probe: Callable[[], Any], timeout: float, what: str, interval: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AirflowError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _check(reply: requests.Response) -> None:
    if reply.status_code >= 400:
        raise AirflowError(f"{reply.request.method} {reply.url} → HTTP {reply.status_code}: {reply.text[:2000]}")


def _connection_body(conn_id: str, connection: dict[str, Any]) -> dict[str, Any]:
    body = {"connection_id": conn_id} | {k: v for k, v in connection.items() if k != "extra"}
    extra = connection.get("extra")
    if extra is not None:
        body["extra"] = extra if isinstance(extra, str) else json.dumps(extra)
    return body


# -- make airflow --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from devtools.airflow_settings import merge_connections, read_settings
    from sandbox.runner import Sandboxes
    from sandbox.world import build_world

    parser = argparse.ArgumentParser(description="Airflow UI + scheduler on loopback against the sandboxes")
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", "8080")))
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settings", type=Path, default=PROJECT_ROOT / "airflow_settings.yaml")
    args = parser.parse_args(argv)
    # Ctrl-C and `kill` both unwind the context managers below, even when started in the background
    # (where a shell leaves SIGINT ignored) and even during startup.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    # A home of its own: `make demo` and dag.test runs in $AIRFLOW_HOME would overwrite its connections.
    home = Path(os.environ.get("AIRFLOW_HOME", PROJECT_ROOT / ".airflow")) / "local_airflow"
    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # the sandboxes keep naive UTC
    world = build_world(args.orders, end - timedelta(days=1), end, seed=args.seed)
    port = args.port if _port_is_free(args.port) else free_port()
    try:
        with Sandboxes(world) as sandboxes, LocalAirflow(home, port=port) as airflow:
            settings = read_settings(args.settings)
            merge_connections(settings, sandboxes.connections())
            airflow.api().apply_settings(settings)
            enabled = settings["variables"].get(CANCEL_ENABLED_VARIABLE)
            print(f"NetSuite sandbox {sandboxes.netsuite_url}, Shopify sandbox {sandboxes.shopify_url}")
            print(f"{args.orders} orders modified over the last day; connections point at the sandboxes")
            print(f"Applied {args.settings.name} (netsuite_shopify_cancel_enabled={enabled}); home {home}")
            print(
                f"Airflow up in {airflow.startup_seconds:.0f}s: {airflow.base_url}  login {ADMIN_USER} / {airflow.password}"
            )
            print("\n".join(cli_instructions(airflow, end)))
            print(f"Logs: {airflow.log_dir}. Ctrl-C stops Airflow and the sandboxes.", flush=True)
            while not airflow.exited():
                time.sleep(1)
            print(f"Airflow stopped on its own ({airflow.exited()}); see {airflow.log_dir}")
    except KeyboardInterrupt:
        pass
    print("Stopped: Airflow and the sandboxes.")


def cli_instructions(airflow: LocalAirflow, world_end: datetime) -> list[str]:
    """What the banner of `make airflow` says about the DAG and the CLI; the exports are also written to
    `<home>/cli.env`, to be sourced."""
    exports = airflow.cli_exports()
    env_file = airflow.home / "cli.env"
    env_file.write_text("\n".join(exports) + "\n")
    start = (world_end - timedelta(hours=2)).replace(minute=world_end.minute // 15 * 15, second=0)
    return [
        f"{SYNC_DAG_ID} starts paused: unpause it for the schedule. Until then a run you trigger or backfill",
        "waits as queued. (A manual run without a window looks back 24 h.)",
        "The airflow CLI (backfills, triggers) must point at this Airflow; in another shell:",
        *(f"  {line}" for line in exports),
        f"  (or: source {env_file})",
        "then, e.g., backfill an hour of the sandboxes' orders (4 runs of 15 minutes; --to-date is the start",
        "of the last run's window), one run at a time:",
        f"  airflow backfill create --dag-id {SYNC_DAG_ID} --from-date {start:%Y-%m-%dT%H:%M:%S} "
        f"--to-date {start + timedelta(minutes=45):%Y-%m-%dT%H:%M:%S} --max-active-runs 1",
    ]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _interrupt(*_: object) -> None:
    # The first signal starts the shutdown; more Ctrl-C presses must not cut the cleanup short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("\nStopping…", flush=True)
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
