"""Who may open the pages: Airflow's own authentication and authorization, nothing of ours.

A plugin's FastAPI app is mounted inside Airflow's API server, so Airflow's security
dependencies work in it unchanged: `get_user` reads the JWT from the `Authorization: Bearer`
header or, for a person in a browser, from the `_token` cookie that Airflow's login sets; it
answers 401 without a token and 403 for an invalid one. On top of that the reader must be
allowed to read this DAG's runs (the same check the REST API makes for `GET .../dagRuns`).
"""

from __future__ import annotations

from fastapi import Depends

from include.cancel_sync.constants import SYNC_DAG_ID


def can_read_sync_runs() -> Depends:
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return Depends(requires_access_dag(method="GET", access_entity=DagAccessEntity.RUN, param_dag_id=SYNC_DAG_ID))


def login_url(next_url: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager().get_url_login(next_url=next_url)
