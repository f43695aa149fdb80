"""Variables and connections as the API server sees them: the ledger, the report location, the settings check.

The plugin runs inside Airflow's API server, not in a task: there the Task SDK's Variable and
BaseHook see only environment variables (tried: a Variable set in the UI reads as missing), so
the server-side models, which read the metadata database and secrets backends, are the right ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from include.cancel_sync.constants import LEDGER_CONN_ID, REPORT_LOCATION_VARIABLE, STORES_VARIABLE
from include.cancel_sync.ledger import Ledger, default_ledger_url, url_from_connection
from include.cancel_sync.report.files import default_report_location
from include.cancel_sync.ui.settings_check import SettingsCheck, check_settings

PROBE_TIMEOUT_SECONDS = 5


class ServerSettings:
    """Variables and connections through Airflow's ORM models (a settings_check.SettingsSource)."""

    def variable(self, name: str) -> str | None:
        from airflow.models.variable import Variable  # the ORM model: server side (see module docstring)

        return Variable.get(name, default_var=None)

    def connection(self, conn_id: str) -> Any | None:
        from airflow.exceptions import AirflowNotFoundException
        from airflow.models.connection import Connection  # the ORM model: server side (see module docstring)

        try:
            return Connection.get_connection_from_secrets(conn_id)
        except AirflowNotFoundException:
            return None


def report_location() -> str:
    location = ServerSettings().variable(REPORT_LOCATION_VARIABLE)
    return default_report_location() if location is None else str(location)


def store_names() -> list[str]:
    """The stores netsuite_shopify_stores lists, for the pages' store filter (none when it is unset or
    invalid: the settings check says why)."""
    from include.cancel_sync.settings import SettingsError
    from include.cancel_sync.stores import load_stores

    raw = ServerSettings().variable(STORES_VARIABLE)
    if raw is None:
        return []
    try:
        return [store.name for store in load_stores(raw)]
    except SettingsError:
        return []


def ledger() -> Ledger:
    connection = ServerSettings().connection(LEDGER_CONN_ID)
    return _ledger_for(default_ledger_url() if connection is None else url_from_connection(connection))


@lru_cache(maxsize=4)
def _ledger_for(url: str) -> Ledger:
    return Ledger(url)  # one engine (and connection pool) per database, not per request


def settings_check() -> SettingsCheck:
    return check_settings(ServerSettings(), default_report_location(), probe_ledger)


def probe_ledger(url: str) -> str | None:
    """Why this server cannot open the ledger's database (None: it can). The driver's message names the host,
    never the password."""
    import sqlalchemy as sa

    timeout = {"connect_timeout": PROBE_TIMEOUT_SECONDS} if url.startswith("postgres") else {}
    engine = sa.create_engine(url, connect_args=timeout)
    try:
        with engine.connect() as db:
            db.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
        first_line = (str(cause).strip().splitlines() or [""])[0][:200]
        return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__
    finally:
        engine.dispose()
    return None
