"""A fresh virtualenv holding requirements.txt (with the lock) and nothing else, built in the background.

Installing Airflow from pip's cache takes half a minute or more. The build starts as soon as a test that
asks for `runtime_venv` is collected, so it runs beside the tests before it instead of adding to the
suite's time; the test then waits for it (its timeout scales, tests/timing.py). Under pytest-xdist every
worker collects every test, so there the build starts when the test asks for it, in its worker only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.timing import PROCESS_EXIT, scaled

FIXTURE = "runtime_venv"
BUILT = scaled(450)  # venv + pip install, from collection on


class RuntimeVenvBuild:
    """`python -m venv`, then `pip install -r requirements.txt -c constraints.txt`, on a thread of its own."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="runtime-venv-"))
        self.venv = self.root / "venv"
        self.failure = ""
        self._process: subprocess.Popen | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._build, name="runtime-venv", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        pip = [str(self.venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        commands = [
            [sys.executable, "-m", "venv", str(self.venv)],
            [*pip, "-r", "requirements.txt", "-c", "constraints.txt"],
        ]
        try:
            for command in commands:
                with self._lock:
                    if self._stopped:
                        self.failure = "stopped before it finished"
                        return
                    self._process = subprocess.Popen(
                        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    )
                out, err = self._process.communicate()
                if self._process.returncode:
                    self.failure = (
                        f"{' '.join(command[:4])} … exited {self._process.returncode}:\n{out[-3000:]}{err[-3000:]}"
                    )
                    return
        finally:
            self._done.set()

    def wait(self, timeout: float) -> Path:
        if not self._done.wait(timeout):
            raise TimeoutError(f"the runtime virtualenv was not built within {timeout:.0f}s")
        assert not self.failure, self.failure
        return self.venv

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
        self._thread.join(PROCESS_EXIT)
        shutil.rmtree(self.root, ignore_errors=True)


_build: RuntimeVenvBuild | None = None


@pytest.hookimpl(trylast=True)  # after -k / -m have deselected: build only for a test that will run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    global _build
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if _build is None and any(FIXTURE in getattr(item, "fixturenames", ()) for item in items):
        _build = RuntimeVenvBuild()


def pytest_sessionfinish() -> None:
    if _build is not None:
        _build.stop()


@pytest.fixture(scope="session")
def runtime_venv() -> Path:
    global _build
    if _build is None:  # a pytest-xdist worker (else it started when the test asking for it was collected)
        _build = RuntimeVenvBuild()
    return _build.wait(BUILT)
