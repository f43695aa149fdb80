"""What each DAG task does, as plain functions of their inputs: one function per task.

The DAG file passes Airflow's context in (XCom, run key, clocks, Variables); nothing here reads it
implicitly, so every step runs in tests and benchmarks without a scheduler, through these same
functions: resolve_run, extract, compare, cancel, report.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from include.cancel_sync.alerts.notifier import (
    AlertDeliveryError,
    CancelSyncAlertNotifier,
    alerts_connection,
    recent_runs_setting,
)
from include.cancel_sync.alerts.rules import Alert, build_alert, repeat_failures
from include.cancel_sync.cancel import cancel_batch
from include.cancel_sync.constants import (
    ALERTS_CONN_ID,
    BATCH_COUNT_XCOM,
    CANCEL_TASK_ID,
    EXTRACT_TASK_ID,
    OUTCOMES_XCOM,
)
from include.cancel_sync.decide import decide
from include.cancel_sync.errors import SyncError
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.extract import extract_canceled_orders, make_batches
from include.cancel_sync.netsuite.linked_orders import read_linked_orders
from include.cancel_sync.records import OrderOutcome, Outcome
from include.cancel_sync.report.files import ReportFiles
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.report.summary import RunSummary, format_report
from include.cancel_sync.settings import SettingsError, SyncSettings, load_settings
from include.cancel_sync.shopify.order_states import read_order_states
from include.cancel_sync.task_xcom import TaskXCom
from include.cancel_sync.together import together
from include.cancel_sync.ui.urls import report_page_url
from include.cancel_sync.window import Window, resolve_window
from include.cancel_sync.xcom_table import as_records, pack

__all__ = ["BatchFailed", "RunIncomplete", "SettingsError", "SyncError"]

log = logging.getLogger(__name__)


def resolve_run(
    get_variable: Callable[[str, Any], Any],
    params: dict[str, Any],
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """One snapshot of settings and window for the whole run (so a Variable edited mid-run changes nothing)."""
    settings = load_settings(get_variable, params)
    window = None
    if not settings.order_ids:
        window = resolve_window(
            params,
            data_interval_start,
            data_interval_end,
            settings.overlap_minutes,
            settings.manual_lookback_hours,
            now,
        ).to_dict()
    log.info("Run settings: %s; window: %s", settings.to_dict(), window)
    return {"settings": settings.to_dict(), "window": window}


# Batches, decisions and outcomes travel through XCom as compact tables (xcom_table.py); every step
# also takes the plain lists that runs from before the tables left behind.
Records = list[dict[str, Any]] | dict[str, Any]


def extract(netsuite_client, run: dict[str, Any], xcom: TaskXCom | None = None) -> list[dict[str, Any]]:
    """The run's canceled NetSuite orders in batches, each one mapped compare task's input (as a table).

    Pushes how many batches there are: the report expects that many cancel tasks' outcomes."""
    settings = SyncSettings.from_dict(run["settings"])
    window = Window.from_dict(run["window"]) if run["window"] else None
    records = extract_canceled_orders(netsuite_client, settings, window)
    batches = make_batches(records)
    log.info("Extracted %d canceled NetSuite orders in %d batches", len(records), len(batches))
    if xcom is not None:
        xcom.push(BATCH_COUNT_XCOM, len(batches))
    return [pack(batch) for batch in batches]


def compare(shopify_client, netsuite_client, run: dict[str, Any], batch: Records) -> dict[str, Any]:
    """Each order's decision, from its Shopify order's state and every NetSuite order linking that order."""
    settings = SyncSettings.from_dict(run["settings"])
    records = as_records(batch)
    gids = [record["gid"] for record in records if record.get("gid")]
    states, linked = together(
        lambda: read_order_states(shopify_client, gids),
        lambda: read_linked_orders(netsuite_client, settings.link_field, gids),
    )
    decisions = decide(records, states, linked, settings.prevent_refund)
    log.info("Compared %d orders with Shopify and their links in NetSuite", len(decisions))
    return pack(decisions)


class BatchFailed(SyncError):
    """Orders of the batch failed after every other order was handled; `outcomes` holds them all."""

    def __init__(self, outcomes: list[OrderOutcome]) -> None:
        failed = [o for o in outcomes if o["outcome"] == Outcome.FAILED]
        names = ", ".join(f"{o['tranid']} ({o['detail']})" for o in failed[:10])
        super().__init__(
            f"{len(failed)} order(s) failed, every other order was handled; a retry re-checks these: {names}"
        )
        self.outcomes = outcomes


def cancel(
    shopify_client,
    netsuite_client,
    run: dict[str, Any],
    decisions: Records,
    xcom: TaskXCom | None = None,
    ledger: Ledger | None = None,
    run_key: RunKey | None = None,
    **options: Any,
) -> list[OrderOutcome]:
    """Cancel the batch's orders that need it; returns every order's outcome.

    The outcomes are pushed for the report before anything is raised, so a batch that fails (BatchFailed,
    after every other order was handled) still shows what it did."""
    settings = SyncSettings.from_dict(run["settings"])
    read_links = functools.partial(read_linked_orders, netsuite_client, settings.link_field)
    outcomes = cancel_batch(
        shopify_client,
        settings,
        as_records(decisions),
        ledger=ledger,
        run_key=run_key,
        read_links=read_links,
        **options,
    )
    if xcom is not None:
        xcom.push(OUTCOMES_XCOM, outcomes_for_xcom(outcomes))
    if any(o["outcome"] == Outcome.FAILED for o in outcomes):
        raise BatchFailed(outcomes)
    return outcomes


LEDGER_ONLY = ("job_id",)  # kept in the audit ledger; the report does not need it


def outcomes_for_xcom(outcomes: list[OrderOutcome]) -> dict[str, Any]:
    """What a cancel task hands the report: its outcomes as a table, without what only the ledger keeps."""
    return pack([{k: v for k, v in outcome.items() if k not in LEDGER_ONLY} for outcome in outcomes])


@dataclass(frozen=True)
class RunReport:
    summary: dict[str, Any]  # the report task's XCom: counts and the first orders not cancelled
    failed: list[dict[str, Any]]  # failed outcomes (the first report.MAX_LISTED), for the alert


def report(
    run: dict[str, Any],
    xcom: TaskXCom,
    run_key: RunKey,
    location: str | None,
    links: RecordUrls | None = None,
    open_ledger: Callable[[], Ledger] | None = None,
    notify_context: Any = None,
) -> dict[str, Any]:
    """Write the run's report from every cancel task's outcomes, alert when needed, then fail the run if
    anything was left undone. Returns the summary (the report task's XCom).

    The ledger (for repeated failures) is opened only after the report is written: its trouble must not
    cost the run its report or its alert."""
    expected = xcom.pull(EXTRACT_TASK_ID, BATCH_COUNT_XCOM)
    if expected is None:
        raise SyncError("extraction from NetSuite did not finish; nothing was compared or cancelled")
    # One mapped task's outcomes at a time: the report streams them, however many orders the run had.
    batches = (xcom.pull(CANCEL_TASK_ID, OUTCOMES_XCOM, index) for index in range(expected))
    result = write_report(run, batches, expected, location, run_key.dag_id, run_key.run_id, links)
    if open_ledger is not None:
        alert_if_needed(result.summary, result.failed, run_key.dag_id, run_key.run_id, open_ledger, notify_context)
    fail_run_if_incomplete(result.summary)
    return result.summary


def write_report(
    run: dict[str, Any],
    outcome_batches: Iterable[Records | None],
    expected_batches: int,
    location: str | None = None,
    dag_id: str = "",
    run_id: str = "",
    links: RecordUrls | None = None,
) -> RunReport:
    """One batch of outcomes at a time (None: a cancel task that pushed none), so memory stays flat."""
    summary = RunSummary(run["settings"], run["window"])
    present = 0
    with ReportFiles(location, dag_id, run_id, links) if location else nullcontext() as files:
        for batch in outcome_batches:
            if batch is None:
                continue
            outcomes = as_records(batch)
            present += 1
            summary.add(outcomes)
            if files:
                files.add(outcomes)
        result = summary.result(failed_batches=expected_batches - present)
        if files:
            written = files.finish(result, run["settings"], dag_id, run_id)
            result["report_uri"] = written["json"]
            result["report_html_uri"] = written["html"]
            result["report_page_url"] = report_page_url(dag_id, run_id)
    log.info("%s", format_report(result))
    if location:
        log.info("Full report: %s (CSV and JSON beside it)", result["report_html_uri"])
        if result["report_page_url"]:
            log.info("In the Airflow UI: %s", result["report_page_url"])
    return RunReport(result, summary.failed)


def alert_if_needed(
    result: dict[str, Any],
    failed: list[dict[str, Any]],
    dag_id: str,
    run_id: str,
    open_ledger: Callable[[], Ledger],
    context: Any,
    conn_id: str = ALERTS_CONN_ID,
) -> Alert | None:
    """Tell a person about failed and repeatedly failing orders; a delivery problem is logged, not raised."""
    recent = recent_runs_setting(alerts_connection(conn_id))
    links = [link for link in (result.get("report_page_url"), result.get("report_html_uri")) if link]
    try:
        repeats = repeat_failures(open_ledger(), dag_id, run_id, recent)
    except SQLAlchemyError as exc:  # the ledger's trouble must not silence this run's own failures
        log.warning("Could not read the ledger for repeated failures: %s", type(exc).__name__)
        repeats = []
    alert = build_alert(dag_id, run_id, result, failed, repeats, links)
    if alert is None:
        return None
    try:
        CancelSyncAlertNotifier(alert, conn_id)(context)
    except AlertDeliveryError as exc:
        log.error("Alert not delivered: %s", exc)
    return alert


class RunIncomplete(SyncError):
    """The report was written and orders or batches are left undone; `summary` is the report's summary."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(
            f"{summary['failed']} order(s) failed and {summary['failed_batches']} batch(es) did not finish; "
            "see the report above and retry the failed cancel_in_shopify tasks"
        )
        self.summary = summary


def fail_run_if_incomplete(result: dict[str, Any]) -> None:
    """The report is written first; then the run turns red if anything is left undone."""
    if result["failed"] or result["failed_batches"]:
        raise RunIncomplete(result)
