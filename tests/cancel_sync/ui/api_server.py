"""Airflow's real API server (`airflow api-server`) on loopback, with this project's plugin loaded.

Only the API server: the pages read the ledger and the saved reports, so no scheduler is needed.
Authentication is Airflow's own (SimpleAuthManager, JWT), with one user whose password is pre-seeded.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from devtools.local_airflow import free_port
from tests.timing import HTTP_TIMEOUT, PROCESS_EXIT, scaled

VENV_BIN = Path(sys.executable).parent


class ApiServer:
    def __init__(self, home: Path, log_file: Path, env: dict[str, str], user: str = "ops", role: str = "viewer"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.user = user
        self.password = secrets.token_urlsafe(12)
        self.home = home
        self.log_file = log_file
        self.env = (
            os.environ
            | {
                "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{user}:{role}",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.base_url,
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(24),
                "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
            }
            | env
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> ApiServer:
        # SimpleAuthManager keeps a password it finds in this file instead of generating one.
        (self.home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({self.user: self.password}))
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "airflow"), "api-server"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # one process group to stop, whatever it forks
            )
        return self

    def wait_ready(self, timeout: float = scaled(90)) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"airflow api-server exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(f"{self.base_url}/api/v2/monitor/health", timeout=HTTP_TIMEOUT).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"airflow api-server not up within {timeout:.0f}s:\n{self.log_tail()}")

    def token(self) -> str:
        reply = requests.post(
            f"{self.base_url}/auth/token", json={"username": self.user, "password": self.password}, timeout=HTTP_TIMEOUT
        )
        reply.raise_for_status()
        return reply.json()["access_token"]

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=PROCESS_EXIT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=PROCESS_EXIT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # children that outlived their parent

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
