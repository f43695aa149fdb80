"""A deployment to look at: four real DAG runs (a plan, the real thing, an empty window, and a run stopped by a
bad Variable) over two Shopify stores, Airflow's API server with the plugin serving their ledger and reports,
and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from include.cancel_sync.constants import LEDGER_CONN_ID, STORES_VARIABLE
from sandbox.runner import Sandboxes
from sandbox.stores import StoreSpec
from sandbox.world import build_world
from tests.cancel_sync.ui.api_server import ApiServer
from tests.conftest import PROJECT_ROOT, WORLD_END, WORLD_START
from tests.dag_runs import SyncRun, run_sync, whole_world_window
from tests.timing import scaled

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
HOSTILE_TRANID = 'SO-<script>alert("x")</script>&Ü'


BAD_PREVENT_REFUND = {"netsuite_shopify_prevent_refund": "maybe"}
# Two stores (NetSuite Connector accounts); us never refunds. Order names repeat across them.
STORES = (StoreSpec("eu", connector="Shopify-EU"), StoreSpec("us", connector="Shopify-US"))
STORE_OVERRIDES = {"us": {"prevent_refund": True}}


@dataclass
class Deployment:
    server: ApiServer
    plan: SyncRun
    real: SyncRun
    empty: SyncRun
    stopped: SyncRun  # resolve_run refused the bad Variable: no order handled
    sandboxes: Sandboxes
    world: Any

    @property
    def url(self) -> str:
        return self.server.base_url


@pytest.fixture(scope="package")  # one deployment for every browser test of this folder
def deployment(airflow_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("ui")
    ledger_file = work / "ledger.sqlite"
    world = build_world(2 * 21, WORLD_START, WORLD_END, seed=11, every_scenario=True, stores=STORES)
    world.sales_order(min(n for n, s in world.scenarios.items() if s == "cancel_paid")).tranid = HOSTILE_TRANID
    sandboxes = Sandboxes(world).start()
    # The API server sees the connections the runs use, as a deployment's would (its settings check reads them).
    connections = sandboxes.connections() | {LEDGER_CONN_ID: {"conn_type": "sqlite", "host": str(ledger_file)}}
    env = {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(c) for conn_id, c in connections.items()}
    env["AIRFLOW_VAR_NETSUITE_SHOPIFY_REPORT_LOCATION"] = f"file://{work / 'reports'}"
    stores = json.dumps(sandboxes.stores_variable(STORE_OVERRIDES))
    env[f"AIRFLOW_VAR_{STORES_VARIABLE.upper()}"] = stores
    server = ApiServer(airflow_db, work / "api-server.log", env).start()  # starts while the DAG runs below
    try:
        window = whole_world_window(WORLD_START, WORLD_END)
        on = {"netsuite_shopify_cancel_enabled": "true", STORES_VARIABLE: stores}
        ledger_url = f"sqlite:///{ledger_file}"
        plan = run_sync(sandboxes, work, on, window | {"dry_run": True}, ledger_url=ledger_url)
        real = run_sync(sandboxes, work, on, window, ledger_url=ledger_url)
        nothing_then = whole_world_window(WORLD_START - timedelta(days=30), WORLD_START - timedelta(days=29))
        empty = run_sync(sandboxes, work, on, nothing_then, ledger_url=ledger_url)
        stopped = run_sync(sandboxes, work, on | BAD_PREVENT_REFUND, window, ledger_url=ledger_url)
        assert plan.state == real.state == empty.state == "success", (plan.task_states, real.task_states)
        assert empty.report["orders"] == 0 and stopped.state == "failed", stopped.task_states
        server.wait_ready()
        yield Deployment(server, plan, real, empty, stopped, sandboxes, world)
    finally:
        server.stop()
        sandboxes.stop()


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing (make browser installs it)")
        pytest.skip(f"no Chromium at {CHROMIUM}: `make browser` installs Debian's package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A fresh temporary profile per launch; Debian's Chromium, never a downloaded build.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=scaled(30) * 1000
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Factory: a browser context whose waits (page loads, locators) follow the one scale factor."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(scaled(30) * 1000)  # Playwright counts milliseconds
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")`: kept as a test artifact under artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
