"""What each DAG task does, as plain functions of their inputs: one function per task.

The DAG file passes Airflow's context in (XCom, run key, clocks, Variables); nothing here reads it
implicitly, so every step runs in tests and benchmarks without a scheduler, through these same
functions: resolve_run, extract, compare, cancel, report.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
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
    BATCH_STORES_XCOM,
    CANCEL_TASK_ID,
    EXTRACT_TASK_ID,
    FAILURE_XCOM,
    OUTCOMES_XCOM,
    RESOLVE_TASK_ID,
    SETTLED_XCOM,
    STORES_VARIABLE,
)
from include.cancel_sync.decide import decide
from include.cancel_sync.errors import SyncError
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.client import NetSuiteClient
from include.cancel_sync.netsuite.extract import extract_canceled_orders, make_batches
from include.cancel_sync.netsuite.linked_orders import read_linked_orders
from include.cancel_sync.records import Decision, OrderOutcome, Outcome
from include.cancel_sync.report.files import ReportFiles
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.report.summary import RunSummary, format_report
from include.cancel_sync.settings import SettingsError, SyncSettings, as_strict_as, load_money_settings, load_settings
from include.cancel_sync.shopify.client import ShopifyClient
from include.cancel_sync.shopify.order_states import read_order_states
from include.cancel_sync.stores import Store, load_stores, run_stores
from include.cancel_sync.sweep import drop_settled, mark_caught
from include.cancel_sync.task_xcom import TaskXCom
from include.cancel_sync.together import together
from include.cancel_sync.ui.urls import report_page_url
from include.cancel_sync.window import Window, resolve_window, sweep_window
from include.cancel_sync.xcom_table import as_records, pack

__all__ = ["BatchFailed", "RunIncomplete", "SettingsError", "SyncError"]

log = logging.getLogger(__name__)


@contextmanager
def failure_recorded(xcom: TaskXCom | None, task_id: str) -> Iterator[None]:
    """A task that stops the run says why in XCom before it fails, so the report and the alert can tell it."""
    try:
        yield
    except Exception as exc:
        if xcom is not None:
            xcom.push(FAILURE_XCOM, {"task": task_id, "reason": str(exc) or type(exc).__name__})
        raise


def resolve_run(
    get_variable: Callable[[str, Any], Any],
    params: dict[str, Any],
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    now: datetime,
    xcom: TaskXCom | None = None,
    sweep: bool = False,
    connection_exists: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """One snapshot of settings, stores and window for the whole run (so a Variable edited mid-run changes
    nothing). `connection_exists(conn_id)` checks each store's Shopify connection before anything is read.

    A sweep's window is the last `sweep_days` days up to `now`, whatever its schedule."""
    with failure_recorded(xcom, RESOLVE_TASK_ID):
        run = _resolve_run(get_variable, params, data_interval_start, data_interval_end, now, sweep)
        stores = load_stores(get_variable(STORES_VARIABLE, None), connection_exists)
        log.info("Stores: %s", "; ".join(store.describe() for store in stores))
        return run | {"stores": [store.to_dict() for store in stores]}


def _resolve_run(
    get_variable: Callable[[str, Any], Any],
    params: dict[str, Any],
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    now: datetime,
    sweep: bool,
) -> dict[str, Any]:
    settings = load_settings(get_variable, params, sweep)
    window = None
    if settings.is_sweep:
        window = sweep_window(settings.sweep_days, now).to_dict()
    elif not settings.order_ids:
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


def extract(
    netsuite_client: NetSuiteClient | Callable[[], NetSuiteClient],
    run: dict[str, Any],
    xcom: TaskXCom | None = None,
    open_ledger: Callable[[], Ledger] | None = None,
) -> list[dict[str, Any]]:
    """The run's canceled NetSuite orders in batches, each one mapped compare task's input (as a table).

    Pushes how many batches there are: the report expects that many cancel tasks' outcomes. `netsuite_client`
    may be a function making it, so a connection that cannot make one is reported as this task's failure.
    A sweep leaves out the orders the ledger shows settled for good (sweep.py; `open_ledger` is needed then)."""
    with failure_recorded(xcom, EXTRACT_TASK_ID):
        client = netsuite_client() if callable(netsuite_client) else netsuite_client
        return _extract(client, run, xcom, open_ledger)


def _extract(
    netsuite_client: NetSuiteClient,
    run: dict[str, Any],
    xcom: TaskXCom | None,
    open_ledger: Callable[[], Ledger] | None,
) -> list[dict[str, Any]]:
    settings = SyncSettings.from_dict(run["settings"])
    window = Window.from_dict(run["window"]) if run["window"] else None
    records = extract_canceled_orders(netsuite_client, settings, window, run_stores(run))
    if settings.is_sweep:
        records, settled = drop_settled(records, _required(open_ledger))
        log.info("The sweep leaves out %d orders the ledger shows settled for good", settled)
        if xcom is not None:
            xcom.push(SETTLED_XCOM, settled)
    batches = make_batches(records)
    stores = [batch[0]["store"] for batch in batches]
    log.info("Extracted %d canceled NetSuite orders in %d batches (%s)", len(records), len(batches), _per_store(stores))
    if xcom is not None:
        xcom.push(BATCH_STORES_XCOM, stores)  # before the count: the report reads the count as "extraction done"
        xcom.push(BATCH_COUNT_XCOM, len(batches))
    return [pack(batch) for batch in batches]


def _per_store(stores: list[str | None]) -> str:
    counts: dict[str, int] = {}
    for store in stores:
        counts[store or "no store"] = counts.get(store or "no store", 0) + 1
    return ", ".join(f"{name}: {count}" for name, count in counts.items()) or "none"


ShopifyClients = ShopifyClient | Callable[[str], ShopifyClient]  # a client, or one per connection id
NetSuiteClients = NetSuiteClient | Callable[[], NetSuiteClient]


def batch_store(run: dict[str, Any], records: list[dict[str, Any]]) -> Store | None:
    """The store a batch's orders belong to (make_batches never mixes stores); None: orders of no store. A
    batch extracted before stores existed has no `store` key: the run's one store then."""
    if not records:
        return None
    stores = run_stores(run)
    if "store" not in records[0]:
        for record in records:
            record["store"] = stores[0].name
    name = records[0]["store"]
    return None if name is None else next(store for store in stores if store.name == name)


def batch_label(run: dict[str, Any], batch: Records) -> str:
    """A batch's name in Airflow's grid: its store and size."""
    records = as_records(batch)
    store = batch_store(run, records)
    return f"{store.name if store else 'no store'}: {len(records)} orders"


def _client(clients: Any, *args: Any) -> Any:
    return clients(*args) if callable(clients) else clients


def compare(
    shopify_clients: ShopifyClients,
    netsuite_clients: NetSuiteClients,
    run: dict[str, Any],
    batch: Records,
    open_ledger: Callable[[], Ledger] | None = None,
) -> dict[str, Any]:
    """Each order's decision, from its Shopify order's state in its store's shop and every NetSuite order
    linking that order; a sweep marks what the windows missed (sweep.py; `open_ledger` is needed then).

    `shopify_clients(conn_id)` makes the batch's store's client (or a client is given); a batch of orders of
    no store reads neither system."""
    records = as_records(batch)
    store = batch_store(run, records)
    states: dict[str, dict[str, Any]] = {}
    linked: dict[str, list] = {}
    prevent_refund = False
    if store is not None:
        settings = store.settings(SyncSettings.from_dict(run["settings"]))
        prevent_refund = settings.prevent_refund
        gids = [record["gid"] for record in records if record.get("gid")]
        shopify_client, netsuite_client = _client(shopify_clients, store.shopify_conn_id), _client(netsuite_clients)
        states, linked = together(
            lambda: read_order_states(shopify_client, gids),
            lambda: read_linked_orders(netsuite_client, settings.link_field, gids),
        )
    decisions = decide(records, states, linked, prevent_refund)
    if SyncSettings.from_dict(run["settings"]).is_sweep:
        mark_caught(decisions, _required(open_ledger))
    where = f"store {store.name}" if store else "no store"
    log.info("Compared %d orders (%s) with Shopify and their links in NetSuite", len(decisions), where)
    return pack(decisions)


def _required(open_ledger: Callable[[], Ledger] | None) -> Ledger:
    if open_ledger is None:
        raise SyncError("a sweep needs the audit ledger (connection netsuite_shopify_ledger)")
    return open_ledger()


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
    shopify_clients: ShopifyClients,
    netsuite_clients: NetSuiteClients,
    run: dict[str, Any],
    decisions: Records,
    xcom: TaskXCom | None = None,
    ledger: Ledger | None = None,
    run_key: RunKey | None = None,
    settings_now: Callable[[str], SyncSettings] | None = None,
    **options: Any,
) -> list[OrderOutcome]:
    """Cancel the batch's orders that need it, with its store's settings; returns every order's outcome.
    `settings_now(store)`: that store's settings as the Variables say now (current_settings); the batch's
    are made as strict (a retry after the toggle went off, or prevent-refund on, obeys them).

    The outcomes are pushed for the report before anything is raised, so a batch that fails (BatchFailed,
    after every other order was handled) still shows what it did. A batch of orders of no store sends
    nothing and makes no client."""
    records = as_records(decisions)
    store = batch_store(run, records)
    settings = SyncSettings.from_dict(run["settings"])
    client = None
    read_links = None
    if store is not None:
        settings = store.settings(settings)
        if any(record["decision"] == Decision.TO_CANCEL for record in records):
            if settings_now is not None:
                stricter = as_strict_as(settings, settings_now(store.name))
                if stricter != settings:
                    log.warning("Store %s: money settings changed since the run began; obeying them", store.name)
                settings = stricter
            client = _client(shopify_clients, store.shopify_conn_id)
            read_links = functools.partial(read_linked_orders, _client(netsuite_clients), settings.link_field)
    outcomes = cancel_batch(
        client,
        settings,
        records,
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


def current_settings(
    get_variable: Callable[[str, Any], Any], connection_exists: Callable[[str], bool] | None, store_name: str
) -> SyncSettings:
    """A store's money settings as the Variables say now (the others, and params, belong to the run)."""
    now = load_money_settings(get_variable)
    stores = load_stores(get_variable(STORES_VARIABLE, None), connection_exists)
    store = next((candidate for candidate in stores if candidate.name == store_name), None)
    return store.settings(now) if store is not None else now


LEDGER_ONLY = ("job_id",)  # kept in the audit ledger; the report does not need it


def outcomes_for_xcom(outcomes: list[OrderOutcome]) -> dict[str, Any]:
    """What a cancel task hands the report: its outcomes as a table, without what only the ledger keeps."""
    return pack([{k: v for k, v in outcome.items() if k not in LEDGER_ONLY} for outcome in outcomes])


@dataclass(frozen=True)
class RunReport:
    summary: dict[str, Any]  # the report task's XCom: counts and the first orders not cancelled
    failed: list[dict[str, Any]]  # failed outcomes (the first report.MAX_LISTED), for the alert
    caught: list[dict[str, Any]]  # a sweep's catches (the first report.MAX_LISTED), for the alert


def report(
    xcom: TaskXCom,
    run_key: RunKey,
    location: str | None,
    links: RecordUrls | Callable[[tuple[Store, ...]], RecordUrls] | None = None,
    open_ledger: Callable[[], Ledger] | None = None,
    notify_context: Any = None,
) -> dict[str, Any]:
    """Write the run's report from every cancel task's outcomes, record the run, alert when needed, then fail
    the run if anything was left undone. Returns the summary (the report task's XCom).

    A run stopped before any order was handled (a bad setting, NetSuite unreachable) gets its report too,
    saying which task stopped it and why: a run never fails silently. The ledger (the run's row, repeated
    failures) is opened only after the report is written: its trouble must not cost the run its report."""
    run = xcom.pull(RESOLVE_TASK_ID, "return_value")
    expected = xcom.pull(EXTRACT_TASK_ID, BATCH_COUNT_XCOM) if run is not None else None
    if callable(links):  # links to each store's shop: the stores are the run's
        links = links(run_stores(run or {}))
    if run is None or expected is None:
        stopped_at = RESOLVE_TASK_ID if run is None else EXTRACT_TASK_ID
        failure = xcom.pull(stopped_at, FAILURE_XCOM) or {}
        reason = failure.get("reason") or "it did not finish (no reason recorded: see its log)"
        run = run or {"settings": {}, "window": None}
        result = write_report(run, [], 0, location, run_key.dag_id, run_key.run_id, links, (stopped_at, reason))
    else:
        # One mapped task's outcomes at a time: the report streams them, however many orders the run had.
        batches = (xcom.pull(CANCEL_TASK_ID, OUTCOMES_XCOM, index) for index in range(expected))
        settled = xcom.pull(EXTRACT_TASK_ID, SETTLED_XCOM) or 0
        batch_stores = xcom.pull(EXTRACT_TASK_ID, BATCH_STORES_XCOM)
        result = write_report(
            run,
            batches,
            expected,
            location,
            run_key.dag_id,
            run_key.run_id,
            links,
            settled=settled,
            batch_stores=batch_stores,
        )
    summary = result.summary
    if open_ledger is not None:
        record_run(open_ledger, run_key, summary)
        alert_if_needed(
            summary, result.failed, run_key.dag_id, run_key.run_id, open_ledger, notify_context, caught=result.caught
        )
    fail_run_if_incomplete(summary)
    return summary


def record_run(open_ledger: Callable[[], Ledger], run_key: RunKey, summary: dict[str, Any]) -> None:
    """The run's row in the ledger (what Browse → Cancel sync lists); its trouble is logged, never raised."""
    incomplete = summary.get("failed_step") or summary["failed"] or summary["failed_batches"]
    state = "failed" if incomplete or summary.get("report_error") else "success"
    try:
        open_ledger().record_run(run_key.dag_id, run_key.run_id, summary, state)
    except SQLAlchemyError as exc:
        log.warning("Could not record the run in the ledger: %s", type(exc).__name__)


def _report_files(
    location: str | None, dag_id: str, run_id: str, links: RecordUrls | None
) -> tuple[ReportFiles | None, str | None]:
    """The run's report files, or why they cannot be written: a location that cannot be opened must not cost
    the run its summary, its record or its alert (the run fails after them, saying so)."""
    if not location:
        return None, None
    try:
        return ReportFiles(location, dag_id, run_id, links), None
    except Exception as exc:  # any storage error: the location's scheme, rights, a missing provider
        log.error("Cannot write the report at %s: %s", location, exc)
        return None, f"the report location {location} cannot be written ({type(exc).__name__}: {exc})"


def write_report(
    run: dict[str, Any],
    outcome_batches: Iterable[Records | None],
    expected_batches: int,
    location: str | None = None,
    dag_id: str = "",
    run_id: str = "",
    links: RecordUrls | None = None,
    stopped: tuple[str, str] | None = None,
    settled: int = 0,
    batch_stores: list[str | None] | None = None,
) -> RunReport:
    """One batch of outcomes at a time (None: a cancel task that pushed none), so memory stays flat.
    `stopped`: (task, reason) of a run that stopped before any order was handled; `settled`: a sweep's orders
    left out as settled for good; `batch_stores`: each batch's store, to name the stores whose batches failed."""
    summary = RunSummary(run["settings"], run["window"], stopped, run_stores(run))
    summary.settled_earlier = settled
    present = 0
    files, unwritable = _report_files(location, dag_id, run_id, links)
    with files or nullcontext():
        for index, batch in enumerate(outcome_batches):
            if batch is None:
                if batch_stores is not None and index < len(batch_stores):
                    summary.batch_missing(batch_stores[index])
                continue
            outcomes = as_records(batch)
            present += 1
            summary.add(outcomes)
            if files:
                files.add(outcomes)
        result = summary.result(failed_batches=expected_batches - present)
        if unwritable:
            result["report_error"] = unwritable
        if files:
            written = files.finish(result, run["settings"], dag_id, run_id)
            result["report_uri"] = written["json"]
            result["report_html_uri"] = written["html"]
            result["report_page_url"] = report_page_url(dag_id, run_id)
    log.info("%s", format_report(result))
    if files:
        log.info("Full report: %s (CSV and JSON beside it)", result["report_html_uri"])
        if result["report_page_url"]:
            log.info("In the Airflow UI: %s", result["report_page_url"])
    return RunReport(result, summary.failed, summary.caught)


def alert_if_needed(
    result: dict[str, Any],
    failed: list[dict[str, Any]],
    dag_id: str,
    run_id: str,
    open_ledger: Callable[[], Ledger],
    context: Any,
    conn_id: str = ALERTS_CONN_ID,
    caught: list[dict[str, Any]] | None = None,
) -> Alert | None:
    """Tell a person about failed and repeatedly failing orders; a delivery problem is logged, not raised."""
    recent = recent_runs_setting(alerts_connection(conn_id))
    links = [link for link in (result.get("report_page_url"), result.get("report_html_uri")) if link]
    try:
        repeats = repeat_failures(open_ledger(), dag_id, run_id, recent)
    except SQLAlchemyError as exc:  # the ledger's trouble must not silence this run's own failures
        log.warning("Could not read the ledger for repeated failures: %s", type(exc).__name__)
        repeats = []
    alert = build_alert(dag_id, run_id, result, failed, repeats, links, caught or [])
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
        if summary.get("failed_step"):
            message = f"the run stopped at {summary['failed_step']}: {summary['reason']}"
        elif not (summary["failed"] or summary["failed_batches"]):
            message = f"every order was handled, but {summary['report_error']}: set netsuite_shopify_report_location"
        else:
            stores = summary.get("failed_stores") or []
            where = f" (store {', '.join(stores)}: see its compare and cancel task logs)" if stores else ""
            message = (
                f"{summary['failed']} order(s) failed and {summary['failed_batches']} batch(es) did not finish"
                f"{where}; see the report above and retry the failed cancel_in_shopify tasks"
            )
        super().__init__(message)
        self.summary = summary


def fail_run_if_incomplete(result: dict[str, Any]) -> None:
    """The report is written first; then the run turns red if anything is left undone, or the report could
    not be kept."""
    if result.get("failed_step") or result["failed"] or result["failed_batches"] or result.get("report_error"):
        raise RunIncomplete(result)
