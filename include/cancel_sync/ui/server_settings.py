"""The ledger and the report location, as the API server sees them.

The plugin runs inside Airflow's API server, not in a task: there the Task SDK's Variable and
BaseHook see only environment variables (tried: a Variable set in the UI reads as missing), so
the server-side models, which read the metadata database and secrets backends, are the right ones.
"""

from __future__ import annotations

from functools import lru_cache

from include.cancel_sync.constants import LEDGER_CONN_ID, REPORT_LOCATION_VARIABLE
from include.cancel_sync.ledger import Ledger, default_ledger_url, url_from_connection
from include.cancel_sync.report.files import default_report_location


def report_location() -> str:
    from airflow.models.variable import Variable  # the ORM model: server side (see module docstring)

    return str(Variable.get(REPORT_LOCATION_VARIABLE, default_var=default_report_location()))


def ledger() -> Ledger:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection  # the ORM model: server side (see module docstring)

    try:
        url = url_from_connection(Connection.get_connection_from_secrets(LEDGER_CONN_ID))
    except AirflowNotFoundException:
        url = default_ledger_url()
    return _ledger_for(url)


@lru_cache(maxsize=4)
def _ledger_for(url: str) -> Ledger:
    return Ledger(url)  # one engine (and connection pool) per database, not per request
