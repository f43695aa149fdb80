"""What each DAG task does, as plain functions of their inputs.

The DAG file passes Airflow's context in; nothing here reads it implicitly, so
every step runs in tests without a scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from include.cancel_sync.alerts import Alert, build_alert, repeat_failures
from include.cancel_sync.cancel import cancel_batch
from include.cancel_sync.classes import FAILED
from include.cancel_sync.decide import decide
from include.cancel_sync.errors import SyncError
from include.cancel_sync.extract import extract_canceled_orders, make_batches
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.notifier import (
    ALERTS_CONN_ID,
    AlertDeliveryError,
    CancelSyncAlertNotifier,
    alerts_connection,
    recent_runs_setting,
)
from include.cancel_sync.record_links import RecordLinks
from include.cancel_sync.report import build_report, format_report
from include.cancel_sync.report_store import report_file, save_report
from include.cancel_sync.settings import SettingsError, SyncSettings, load_settings
from include.cancel_sync.shopify_state import read_order_states
from include.cancel_sync.ui.urls import report_page_url
from include.cancel_sync.window import Window, resolve_window

__all__ = ["SettingsError", "SyncError"]

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


def extract(netsuite_client, run: dict[str, Any]) -> list[list[dict[str, Any]]]:
    settings = SyncSettings.from_dict(run["settings"])
    window = Window.from_dict(run["window"]) if run["window"] else None
    records = extract_canceled_orders(netsuite_client, settings, window)
    batches = make_batches(records)
    log.info("Extracted %d canceled NetSuite orders in %d batches", len(records), len(batches))
    return batches


def compare(shopify_client, run: dict[str, Any], batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    settings = SyncSettings.from_dict(run["settings"])
    gids = [record["gid"] for record in batch if record.get("gid") and not record.get("duplicate")]
    decisions = decide(batch, read_order_states(shopify_client, gids), settings.prevent_refund)
    log.info("Compared %d orders with Shopify", len(decisions))
    return decisions


def cancel(
    shopify_client, run: dict[str, Any], decisions: list[dict[str, Any]], **options: Any
) -> list[dict[str, Any]]:
    settings = SyncSettings.from_dict(run["settings"])
    return cancel_batch(shopify_client, settings, decisions, **options)


def raise_if_failed(outcomes: list[dict[str, Any]]) -> None:
    failed = [o for o in outcomes if o["outcome"] == FAILED]
    if failed:
        names = ", ".join(f"{o['tranid']} ({o['detail']})" for o in failed[:10])
        raise SyncError(
            f"{len(failed)} order(s) failed, every other order was handled; a retry re-checks these: {names}"
        )


def report(
    run: dict[str, Any],
    outcome_batches: list[list[dict[str, Any]] | None],
    expected_batches: int,
    location: str | None = None,
    dag_id: str = "",
    run_id: str = "",
    links: RecordLinks | None = None,
) -> dict[str, Any]:
    present = [batch for batch in outcome_batches if batch is not None]
    outcomes = [outcome for batch in present for outcome in batch]
    result = build_report(outcomes, run["settings"], run["window"], failed_batches=expected_batches - len(present))
    if location:
        result["report_uri"] = save_report(location, dag_id, run_id, result, outcomes, run["settings"], links)
        result["report_html_uri"] = str(report_file(location, dag_id, run_id, "html"))
        result["report_page_url"] = report_page_url(dag_id, run_id)
    log.info("%s", format_report(result))
    if location:
        log.info("Full report: %s (CSV and JSON beside it)", result["report_html_uri"])
        if result["report_page_url"]:
            log.info("In the Airflow UI: %s", result["report_page_url"])
    return result


def alert_if_needed(
    result: dict[str, Any],
    outcome_batches: list[list[dict[str, Any]] | None],
    dag_id: str,
    run_id: str,
    ledger: Ledger,
    context: Any,
    conn_id: str = ALERTS_CONN_ID,
) -> Alert | None:
    """Tell a person about failed and repeatedly failing orders; a delivery problem is logged, not raised."""
    outcomes = [outcome for batch in outcome_batches if batch is not None for outcome in batch]
    recent = recent_runs_setting(alerts_connection(conn_id))
    links = [link for link in (result.get("report_page_url"), result.get("report_html_uri")) if link]
    try:
        repeats = repeat_failures(ledger, dag_id, run_id, recent)
    except SQLAlchemyError as exc:  # the ledger's trouble must not silence this run's own failures
        log.warning("Could not read the ledger for repeated failures: %s", type(exc).__name__)
        repeats = []
    alert = build_alert(dag_id, run_id, result, outcomes, repeats, links)
    if alert is None:
        return None
    try:
        CancelSyncAlertNotifier(alert, conn_id)(context)
    except AlertDeliveryError as exc:
        log.error("Alert not delivered: %s", exc)
    return alert


def fail_run_if_incomplete(result: dict[str, Any]) -> None:
    """The report is written first; then the run turns red if anything is left undone."""
    if result["failed"] or result["failed_batches"]:
        raise SyncError(
            f"{result['failed']} order(s) failed and {result['failed_batches']} batch(es) did not finish; "
            "see the report above and retry the failed cancel_in_shopify tasks"
        )
