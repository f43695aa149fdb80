"""Run the sync's steps in-process against the sandboxes the way Airflow would: each try a fresh
client (a new task process), a failed try retried, the cancel step with the ledger.

Only the orchestration is imitated here; the scheduler's own retries are proven in tests/scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from include.cancel_sync import tasks
from include.cancel_sync.constants import NETSUITE_CONN_ID, SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.client import NetSuiteClient
from include.cancel_sync.netsuite.time_zone import NetSuiteClock, netsuite_clock
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.client import ShopifyClient, graphql_url
from include.cancel_sync.xcom_table import as_records
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import scaled

WINDOW = {"start": WORLD_START.strftime("%Y-%m-%d %H:%M:%S"), "end": WORLD_END.strftime("%Y-%m-%d %H:%M:%S")}
# The clients' (connect, read) timeouts: a sandbox reply comes well within them; a "slow" fault's reply
# (SLOW_REPLY) comes after the read timeout, so the client gives up on it.
CLIENT_TIMEOUT = (scaled(2), scaled(1))
SLOW_REPLY = CLIENT_TIMEOUT[1] + 0.5
# How long the sync waits for an accepted cancel to show done. Jobs are instant here, so it matters only for a
# cancel that never ran (its request refused or dropped after sending): given up after this, which is part of
# the scenario, not a wait for something due, so it is not scaled.
CONFIRM_TIMEOUT = 1.0


def sandbox_clock(sandboxes) -> NetSuiteClock:
    """The NetSuite sandbox's time zone, as its connection states it."""
    return netsuite_clock(sandboxes.connections()[NETSUITE_CONN_ID]["extra"]["timezone"])


def netsuite_client(sandboxes, **options) -> NetSuiteClient:
    options = {"max_concurrency": 2, "backoff_max": 0.2, "timeout": CLIENT_TIMEOUT} | options
    return NetSuiteClient(sandboxes.netsuite_session, sandboxes.netsuite_url, sandbox_clock(sandboxes), **options)


def shopify_client(sandboxes, api_version: str = "2026-10") -> ShopifyClient:
    url = graphql_url(sandboxes.shopify_url, api_version)
    return ShopifyClient(sandboxes.shopify_session, url, backoff_max=0.2, timeout=CLIENT_TIMEOUT)


def plan(sandboxes, run: dict[str, Any]) -> list[dict[str, Any]]:
    """Extract and compare, once each: the decisions a cancel step is handed."""
    batches = tasks.extract(netsuite_client(sandboxes), run)
    shopify, netsuite = shopify_client(sandboxes), netsuite_client(sandboxes)
    return [d for batch in batches for d in as_records(tasks.compare(shopify, netsuite, run, batch))]


@dataclass
class StepsResult:
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    failed_tries: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def run_like_airflow(sandboxes, settings: SyncSettings, ledger: Ledger, retries: int = 3) -> StepsResult:
    run = {"settings": settings.to_dict(), "window": WINDOW}
    result = StepsResult()

    def attempt(step: str, work: Callable[[int], Any]) -> Any:
        for try_number in range(1, retries + 2):
            try:
                return work(try_number)
            except Exception as exc:  # a failed try: Airflow would retry the task instance
                result.failed_tries[step] = result.failed_tries.get(step, 0) + 1
                result.errors.append(f"{step} try {try_number}: {exc}")
        raise AssertionError(f"{step} failed {retries + 1} times: {result.errors}")

    batches = attempt("extract", lambda _: tasks.extract(netsuite_client(sandboxes), run))
    for index, batch in enumerate(batches):
        decisions = attempt(
            "compare", lambda _, b=batch: tasks.compare(shopify_client(sandboxes), netsuite_client(sandboxes), run, b)
        )

        def cancel_try(try_number: int, d=decisions, i=index) -> list[dict[str, Any]]:
            key = RunKey(SYNC_DAG_ID, "fault-campaign", try_number, i)
            shopify, netsuite = shopify_client(sandboxes), netsuite_client(sandboxes)
            return tasks.cancel(shopify, netsuite, run, d, ledger=ledger, run_key=key, confirm_timeout=CONFIRM_TIMEOUT)

        result.outcomes.extend(attempt("cancel", cancel_try))
    return result
