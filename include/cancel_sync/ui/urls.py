"""Where the plugin's pages live, for links from task logs and alerts."""

from __future__ import annotations

from urllib.parse import quote

URL_PREFIX = "/netsuite-shopify"  # the plugin's FastAPI app is mounted here on the API server


def report_page_path(dag_id: str, run_id: str) -> str:
    return f"{URL_PREFIX}/reports/{quote(dag_id, safe='')}/{quote(run_id, safe='')}"


def report_page_url(dag_id: str, run_id: str) -> str | None:
    """Absolute URL when Airflow's `[api] base_url` is known (a task can't see the host otherwise)."""
    try:
        from airflow.sdk.configuration import conf

        base = (conf.get("api", "base_url", fallback="") or "").rstrip("/")
    except Exception:  # configuration not readable here: the file URI is still logged
        return None
    return f"{base}{report_page_path(dag_id, run_id)}" if base.startswith(("http://", "https://")) else None
