"""Airflow connections looked up from inside a task, where one may be missing on purpose."""

from __future__ import annotations

from typing import Any


def optional_connection(conn_id: str) -> Any | None:
    """The connection, or None when Airflow has none of that id."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def connection_exists(conn_id: str) -> bool:
    return optional_connection(conn_id) is not None
