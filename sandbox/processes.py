"""The sandboxes — NetSuite and each store's shop — each in a Python process of its own (the benchmark's): on a
2-core machine a client running at Shopify's ceiling must not wait for a sandbox sharing one interpreter, and
its GIL, with another sandbox or with the benchmark. Tests keep `Sandboxes` (runner.py), whose apps they read
and steer directly.

    with SandboxProcesses(world, options) as sandboxes:
        sandboxes.connection_env()          # the same connections as Sandboxes
        SandboxControl.of(sandboxes).shopify_stats()        # the first store's shop; .of(sandboxes, "eu") another

The world, options and secrets reach each child in a pickle in a private temporary directory (never on its
command line); the child prints its URL and serves until SIGTERM. What the sandboxes saw is read over their
/_sandbox/ control endpoints (SandboxControl), which also work against in-process `Sandboxes`.
NetSuite M2M connections and per-shop fault plans need the in-process runner (a key is mapped into the app
there; faults are steered in it).

    python -m sandbox.processes netsuite SPEC_PATH            # a child, started by SandboxProcesses
    python -m sandbox.processes shopify SPEC_PATH STORE_NAME
"""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import requests

from sandbox.faults import FaultPlan
from sandbox.httpserver import CONTROL_PREFIX, SandboxServer
from sandbox.runner import (
    SandboxConnections,
    SandboxOptions,
    check_shop_options,
    netsuite_app,
    random_credentials,
    shop_app,
    shop_tokens,
)
from sandbox.world import World

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 600.0  # seconds a child may take to load its world (100,000+ orders) and print its URL
STOP_TIMEOUT = 10.0
_FAULTS = ("netsuite_faults", "shopify_faults")


class SandboxProcesses(SandboxConnections):
    def __init__(self, world: World, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        if self.options.netsuite_auth != "tba":
            raise ValueError("SandboxProcesses serves NetSuite TBA only; M2M needs the in-process Sandboxes")
        check_shop_options(world, self.options)
        if any(own.faults is not None for own in self.options.shop_options.values()):
            raise ValueError("SandboxProcesses takes no per-shop fault plans; the in-process Sandboxes does")
        self.world = world
        self.netsuite_credentials, first_token = random_credentials()
        self.shop_tokens = shop_tokens(world, first_token)
        self.netsuite_timezone = self.options.netsuite_timezone or world.netsuite_timezone
        self.netsuite_url = ""
        self.shop_urls: dict[str, str] = {}
        self._children: list[subprocess.Popen] = []
        self._directory: tempfile.TemporaryDirectory | None = None

    def start(self) -> SandboxProcesses:
        self._directory = tempfile.TemporaryDirectory(prefix="sandboxes-")  # mode 0700: the secrets stay ours
        spec = Path(self._directory.name) / "spec.pickle"
        options = {f.name: getattr(self.options, f.name) for f in fields(self.options) if f.name not in _FAULTS}
        faults = {name: (plan.rules, plan.seed) for name in _FAULTS for plan in [getattr(self.options, name)]}
        with spec.open("wb") as out:
            pickle.dump(
                _Spec(
                    self.world,
                    options,
                    faults,
                    self.netsuite_credentials,
                    self.shop_tokens,
                    self.netsuite_timezone,
                ),
                out,
            )
        apps = [("netsuite",), *(("shopify", name) for name in self.shop_tokens)]
        try:  # all load their world at once
            for app in apps:
                command = [sys.executable, "-m", "sandbox.processes", app[0], str(spec), *app[1:]]
                self._children.append(subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True))
            urls = [_url(child, " ".join(app)) for child, app in zip(self._children, apps, strict=True)]
            self.netsuite_url = urls[0]
            self.shop_urls = dict(zip(self.shop_tokens, urls[1:], strict=True))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self._children:
            try:
                child.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if child.stdout:
                child.stdout.close()
        self._children = []
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in self._children]

    def __enter__(self) -> SandboxProcesses:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class _Spec:
    world: World
    options: dict[str, Any]  # SandboxOptions fields but the fault plans
    faults: dict[str, tuple[list, int]]  # fault plan field → (rules, seed)
    netsuite_credentials: Any
    shop_tokens: dict[str, str]  # store name → its shop's access token
    netsuite_timezone: str

    def sandbox_options(self) -> SandboxOptions:
        plans = {name: FaultPlan(list(rules), seed) for name, (rules, seed) in self.faults.items()}
        return SandboxOptions(**self.options, **plans)


def _url(child: subprocess.Popen, app: str) -> str:
    """The URL a child prints once it serves (it may take START_TIMEOUT to load its world)."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(child.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not lines or not lines[0].strip():
        raise RuntimeError(f"the {app} sandbox process did not start serving (exit code {child.poll()})")
    return json.loads(lines[0])["url"]


class SandboxControl:
    """What the sandboxes saw, read over their control endpoints (in-process or separate processes alike)."""

    def __init__(self, netsuite_url: str, shopify_url: str) -> None:
        self.netsuite_url, self.shopify_url = netsuite_url, shopify_url
        self._session = requests.Session()

    @classmethod
    def of(cls, sandboxes: SandboxConnections, store: str | None = None) -> SandboxControl:
        """NetSuite and store `store`'s shop (the first store's when None)."""
        return cls(sandboxes.netsuite_url, sandboxes.shop_url(store) if store else sandboxes.shopify_url)

    def _get(self, base: str, path: str) -> Any:
        response = self._session.get(base + CONTROL_PREFIX + path, timeout=60)
        response.raise_for_status()
        return response.json()

    def netsuite_stats(self) -> dict[str, int]:
        return self._get(self.netsuite_url, "stats")

    def netsuite_timeline(self) -> list[tuple[float, float, int]]:
        """(arrived, answered, HTTP status) of every NetSuite request, wall clock."""
        return [tuple(entry) for entry in self._get(self.netsuite_url, "timeline")["timeline"]]

    def shopify_stats(self) -> dict[str, Any]:
        """Counters, `throttle_status` and `restore_lost` (sandbox/shopify/control.py)."""
        return self._get(self.shopify_url, "stats")

    def cancel_calls(self) -> list[dict[str, Any]]:
        return self._get(self.shopify_url, "cancels")["cancels"]

    def cpu(self) -> dict[str, dict[str, float]]:
        """Per sandbox: the pid serving it and the user and system CPU seconds that process has used."""
        return {"netsuite": self.netsuite_cpu(), "shopify": self.shopify_cpu()}

    def netsuite_cpu(self) -> dict[str, float]:
        return self._get(self.netsuite_url, "cpu")

    def shopify_cpu(self) -> dict[str, float]:
        return self._get(self.shopify_url, "cpu")


def _serve(app_name: str, spec_path: Path, store: str | None) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with spec_path.open("rb") as handle:
        spec: _Spec = pickle.load(handle)
    options = spec.sandbox_options()
    if app_name == "netsuite":
        app = netsuite_app(spec.world, options, spec.netsuite_credentials, spec.netsuite_timezone)
        port = options.netsuite_port
    else:
        app, port = shop_app(spec.world, options, store, spec.shop_tokens[store])
    del spec  # the app holds its own copies
    server = SandboxServer(app, options.host, port).start()
    print(json.dumps({"url": server.url}), flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] not in (["netsuite"], ["shopify"]) or len(arguments) != (2 if arguments[0] == "netsuite" else 3):
        raise SystemExit(__doc__)
    _serve(arguments[0], Path(arguments[1]), arguments[2] if len(arguments) == 3 else None)
