"""The settings check: every Variable the sync reads and every connection it uses, as a run would take them now.

Validity has one definition: the parsers and functions the tasks themselves call (settings.py for the merchant's
Variables, the report location through report_file, the link overrides through record_urls.web_url, the
NetSuite time zone through the hook's connection_clock, the Shopify token through the hook's access_token).
Secrets are never shown: of a connection only its type, host and the extras that are not secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from include.cancel_sync.constants import (
    ALERTS_CONN_ID,
    LEDGER_CONN_ID,
    NETSUITE_APP_URL_VARIABLE,
    NETSUITE_CONN_ID,
    REPORT_LOCATION_VARIABLE,
    SHOPIFY_ADMIN_URL_VARIABLE,
    SHOPIFY_CONN_ID,
    STORES_VARIABLE,
    SYNC_DAG_ID,
)
from include.cancel_sync.errors import SyncError
from include.cancel_sync.settings import SettingsError, check_variables
from include.cancel_sync.stores import Store, implicit_stores, load_stores


class Verdict(StrEnum):
    VALID = "valid"
    DEFAULT = "not set"  # the default applies (or, for an optional connection, its fallback)
    INVALID = "invalid"  # a run fails on it, or quietly does less than asked (no report, no links)
    MISSING = "missing"  # a connection every run needs does not exist


@dataclass(frozen=True)
class Check:
    name: str  # the Variable or connection id
    shown: str  # its value as a person may see it (never a secret)
    verdict: Verdict
    note: str  # what a run does with it, or why it fails

    @property
    def problem(self) -> bool:
        return self.verdict in (Verdict.INVALID, Verdict.MISSING)


class SettingsSource(Protocol):
    """Where Variables and connections are read from (the API server's ORM models; a dict in tests)."""

    def variable(self, name: str) -> str | None: ...

    def connection(self, conn_id: str) -> Any | None: ...


@dataclass(frozen=True)
class SettingsCheck:
    variables: list[Check]
    connections: list[Check]

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.variables + self.connections if check.problem]


def check_settings(
    source: SettingsSource, default_report_location: str, probe_ledger: Callable[[str], str | None]
) -> SettingsCheck:
    """`probe_ledger(url)` connects to the ledger and returns why it cannot (None: it can)."""
    netsuite, shopify = source.connection(NETSUITE_CONN_ID), source.connection(SHOPIFY_CONN_ID)
    variables = [_merchant(check) for check in check_variables(lambda name, _default: source.variable(name))]
    stores_check, stores = _stores(source)
    variables.append(stores_check)
    variables.append(_report_location(source.variable(REPORT_LOCATION_VARIABLE), default_report_location))
    variables += _link_overrides(source, netsuite, shopify)
    conn_ids = dict.fromkeys(store.shopify_conn_id for store in stores or implicit_stores())
    connections = [
        _netsuite(netsuite),
        *(_shopify(source.connection(conn_id), conn_id) for conn_id in conn_ids),
        _ledger(source.connection(LEDGER_CONN_ID), probe_ledger),
        _alerts(source.connection(ALERTS_CONN_ID)),
    ]
    return SettingsCheck(variables, connections)


def _stores(source: SettingsSource) -> tuple[Check, tuple[Store, ...]]:
    """The store list through the run's own loader; its stores (none when it is invalid)."""
    raw = source.variable(STORES_VARIABLE)
    try:
        stores = load_stores(raw, lambda conn_id: source.connection(conn_id) is not None)
    except SettingsError as exc:
        return Check(STORES_VARIABLE, _shown(raw), Verdict.INVALID, f"{exc}: every run fails on it"), ()
    if raw is None or not str(raw).strip():
        note = f"one store on {SHOPIFY_CONN_ID} taking every order, with the Variables above"
        return Check(STORES_VARIABLE, _shown(raw), Verdict.DEFAULT, note), stores
    note = f"{len(stores)} store(s): " + "; ".join(store.describe() for store in stores)
    return Check(STORES_VARIABLE, _shown(raw), Verdict.VALID, note), stores


def _shown(raw: Any) -> str:
    """A Variable's value as set; quoted when empty or padded, so a person sees what is there."""
    if raw is None:
        return "(not set)"
    text = str(raw)
    return repr(text) if not text or text.strip() != text else text


def _merchant(check: Any) -> Check:
    if not check.valid:
        return Check(check.variable, _shown(check.raw), Verdict.INVALID, f"{check.problem}: every run fails on it")
    used = str(check.value).lower() if isinstance(check.value, bool) else str(check.value)
    if check.raw is None:
        return Check(check.variable, _shown(None), Verdict.DEFAULT, f"a run uses the default: {used}")
    return Check(check.variable, _shown(check.raw), Verdict.VALID, f"a run uses: {used}")


def _report_location(raw: str | None, default: str) -> Check:
    from include.cancel_sync.report.files import report_file

    name, location = REPORT_LOCATION_VARIABLE, default if raw is None else str(raw)
    if not location.strip():
        return Check(name, _shown(raw), Verdict.INVALID, "empty: the report task writes no report files")
    try:
        path = report_file(location, SYNC_DAG_ID, "a_run", "html")  # what the report task opens...
        path.fs  # noqa: B018 - ...through this filesystem, resolved without writing anything
    except Exception as exc:  # ObjectStoragePath refuses a scheme it has no filesystem for
        return Check(name, _shown(raw), Verdict.INVALID, f"the report task cannot write there: {exc}")
    relative = "://" not in location and not location.startswith("/")
    where = f"reports go to {path.parent}" + (
        " (a relative path: each worker's working directory, not a fixed place)" if relative else ""
    )
    if raw is None:
        return Check(name, _shown(None), Verdict.DEFAULT, f"default, as this API server sees $AIRFLOW_HOME: {where}")
    return Check(name, _shown(raw), Verdict.VALID, where)


def _link_overrides(source: SettingsSource, netsuite: Any | None, shopify: Any | None) -> list[Check]:
    from include.cancel_sync.report.record_urls import netsuite_app_url, shopify_orders_url, web_url

    derived = {
        NETSUITE_APP_URL_VARIABLE: (
            netsuite_app_url((netsuite.extra_dejson if netsuite else {}).get("account_id")),
            f"{NETSUITE_CONN_ID}'s account_id",
        ),
        SHOPIFY_ADMIN_URL_VARIABLE: (
            shopify_orders_url(shopify.host if shopify else None),
            f"{SHOPIFY_CONN_ID}'s host",
        ),
    }
    checks = []
    for name, (from_connection, source_name) in derived.items():
        raw = source.variable(name)
        if raw is None:
            made = f"links to {from_connection}" if from_connection else "no link can be made from it"
            checks.append(Check(name, _shown(None), Verdict.DEFAULT, f"derived from {source_name}: {made}"))
        elif not str(raw).strip():
            checks.append(Check(name, _shown(raw), Verdict.VALID, "empty: reports link no order there"))
        elif web_url(raw):
            checks.append(Check(name, _shown(raw), Verdict.VALID, f"reports link orders under {web_url(raw)}"))
        else:
            note = "not an http(s) URL: reports link no order there (set an https:// URL, or empty for no link)"
            checks.append(Check(name, _shown(raw), Verdict.INVALID, note))
    return checks


def _netsuite(connection: Any | None) -> Check:
    from include.cancel_sync.netsuite.hook import authentication_kind, connection_clock

    if connection is None:
        return Check(NETSUITE_CONN_ID, "(none)", Verdict.MISSING, "every run fails at extraction: create it")
    extra = connection.extra_dejson
    kind = authentication_kind(extra)
    shown = f"{connection.host or '(no host)'} · account {extra.get('account_id') or '(none)'} · {kind or 'no authentication'}"
    problems = []
    if kind is None:
        problems.append("names no authentication: add extra certificate_id (M2M) or token_id and token_secret (TBA)")
    try:
        zone = connection_clock(extra, NETSUITE_CONN_ID).name
    except SettingsError as exc:
        zone = None
        problems.append(str(exc))
    shown += f" · time zone {str(extra.get('timezone') or '').strip() or '(none)'}"
    if problems:
        return Check(NETSUITE_CONN_ID, shown, Verdict.INVALID, "; ".join(problems))
    return Check(NETSUITE_CONN_ID, shown, Verdict.VALID, f"SuiteQL is read in {zone}, the token user's time zone")


def _shopify(connection: Any | None, conn_id: str = SHOPIFY_CONN_ID) -> Check:
    from include.cancel_sync.shopify.client import DEFAULT_API_VERSION
    from include.cancel_sync.shopify.hook import access_token

    if connection is None:
        return Check(conn_id, "(none)", Verdict.MISSING, "every run with orders of its store fails: create it")
    version = connection.extra_dejson.get("api_version") or f"{DEFAULT_API_VERSION} (default)"
    shown = f"{connection.host or '(no host)'} · API {version}"
    try:
        access_token(connection)
    except SyncError as exc:
        return Check(conn_id, shown, Verdict.INVALID, str(exc))
    return Check(conn_id, shown, Verdict.VALID, "access token set (not shown)")


def _ledger(connection: Any | None, probe: Callable[[str], str | None]) -> Check:
    import sqlalchemy as sa

    from include.cancel_sync.ledger import default_ledger_url, url_from_connection

    if connection is None:
        url, verdict = default_ledger_url(), Verdict.DEFAULT
        note = "a SQLite file in each worker's $AIRFLOW_HOME (fine for one machine; use PostgreSQL for several)"
    else:
        try:
            url, verdict, note = url_from_connection(connection), Verdict.VALID, "the audit ledger"
        except ValueError as exc:
            return Check(LEDGER_CONN_ID, connection.conn_type or "(no type)", Verdict.INVALID, str(exc))
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    trouble = probe(url)
    if trouble:
        return Check(LEDGER_CONN_ID, shown, Verdict.INVALID, f"this API server cannot reach it: {trouble}")
    return Check(LEDGER_CONN_ID, shown, verdict, note)


def _alerts(connection: Any | None) -> Check:
    from include.cancel_sync.alerts.notifier import EMAIL_TYPES, WEBHOOK_TYPES, recipients

    if connection is None:
        return Check(ALERTS_CONN_ID, "(none)", Verdict.DEFAULT, "alerts are only written to the report task's log")
    kind = (connection.conn_type or "").lower()
    if kind in EMAIL_TYPES:
        to = recipients(connection.extra_dejson)
        shown = f"e-mail through {connection.host}:{connection.port or 25} to {len(to)} recipient(s)"
        if not to:
            return Check(ALERTS_CONN_ID, shown, Verdict.INVALID, "no recipients: set extra `to` (comma-separated)")
        return Check(ALERTS_CONN_ID, shown, Verdict.VALID, "alerts go by e-mail")
    if kind in WEBHOOK_TYPES:
        return Check(ALERTS_CONN_ID, f"{kind} (webhook URL not shown)", Verdict.VALID, "alerts go to the webhook")
    return Check(ALERTS_CONN_ID, kind or "(no type)", Verdict.INVALID, "use conn_type smtp or slackwebhook")
