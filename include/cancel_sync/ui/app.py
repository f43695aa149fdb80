"""The plugin's FastAPI app: recent runs, the settings check, each run's saved report, and an order's history.

Mounted by Airflow's API server under URL_PREFIX; every route requires a signed-in Airflow user
who may read the DAG's runs (see auth.py). Pages are server-rendered HTML without any script.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from include.cancel_sync.constants import SWEEP_DAG_ID, SYNC_DAG_ID
from include.cancel_sync.report.files import report_file, safe_name
from include.cancel_sync.report.html_page import template_environment
from include.cancel_sync.ui import server_settings
from include.cancel_sync.ui.auth import can_read_sync_runs, login_url
from include.cancel_sync.ui.period import PeriodError, parse_period
from include.cancel_sync.ui.run_counts import history_rows, period_runs
from include.cancel_sync.ui.urls import URL_PREFIX

TEMPLATES = Path(__file__).parent / "templates"
# No script anywhere; styles inline; the Airflow UI may frame the pages (same origin).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NAV_VALUES = {"prefix": URL_PREFIX, "dag_id": SYNC_DAG_ID}
LISTED_DAG_IDS = (SYNC_DAG_ID, SWEEP_DAG_ID)  # the DAGs whose runs (cancel_sync_runs rows) the pages list
SHOWN_RUNS = 200  # rows in the table; the cards add up every run of the period...
SUMMED_RUNS = 10_000  # ...up to this many (104 days of 15-minute runs); the page says when it stops short


def render(name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    defaults = {"query": None, "login_url": None, "bare": False, "store": ""}
    values = NAV_VALUES | defaults | {"stores": server_settings.store_names()} | values
    page = template_environment(TEMPLATES).get_template(name).render(**values)
    return HTMLResponse(page, status_code=status_code, headers=SECURITY_HEADERS)


def with_navigation(report_page: str) -> str:
    """The saved report stands alone; served here it gets the pages' navigation on top (its style is inline)."""
    values = NAV_VALUES | {"query": None, "store": "", "stores": server_settings.store_names()}
    nav = template_environment(TEMPLATES).get_template("nav.html.j2").render(**values)
    head, marker, body = report_page.partition("<body>\n")
    return head + marker + nav + body if marker else report_page


def create_app() -> FastAPI:
    app = FastAPI(title="NetSuite → Shopify cancel sync", docs_url=None, redoc_url=None, openapi_url=None)
    guard = [can_read_sync_runs()]

    @app.get("/", dependencies=guard, response_class=HTMLResponse)
    def recent_runs(request: Request) -> HTMLResponse:
        # `from` is a Python keyword: read the query string directly.
        start, end = (request.query_params.get(name, "")[:100] for name in ("from", "to"))
        store = request.query_params.get("store", "")[:40]
        problems = server_settings.settings_check().problems
        values = {"title": "Recent runs", "start": start, "end": end, "problems": problems, "runs": None}
        values |= {"store": store, "stores": server_settings.store_names()}
        values["several_dags"] = len(LISTED_DAG_IDS) > 1
        try:
            period = parse_period(start, end, datetime.now(UTC))
        except PeriodError as exc:
            return render("runs.html.j2", 400, error=str(exc), **values)
        try:
            runs = period_runs(server_settings.ledger(), LISTED_DAG_IDS, period, SHOWN_RUNS, SUMMED_RUNS, store or None)
        except (SQLAlchemyError, ValueError) as exc:  # an unreachable ledger, or a connection of the wrong type
            error = f"The audit ledger cannot be read ({type(exc).__name__}); the settings check says why."
            return render("runs.html.j2", 503, error=error, **values)
        return render("runs.html.j2", error=None, **values | {"runs": runs})

    @app.get("/settings", dependencies=guard, response_class=HTMLResponse)
    def settings_check() -> HTMLResponse:
        return render("settings.html.j2", title="Settings check", check=server_settings.settings_check())

    @app.get("/orders", dependencies=guard, response_class=HTMLResponse)
    def order_history(q: str = "", store: str = "") -> HTMLResponse:
        query, store = q.strip()[:200], store.strip()[:40]
        rows = history_rows(server_settings.ledger(), query, store or None) if query else []
        title = f"History of {query}" if query else "Order history"
        return render("orders.html.j2", title=title, query=query, rows=rows, store=store)

    @app.get("/reports/{dag_id}/{name}", dependencies=guard)
    def saved_report(dag_id: str, name: str) -> Response:
        """`<run_id>` → the HTML page; `<file>.csv` → the CSV beside it (the page links it relatively)."""
        if dag_id not in LISTED_DAG_IDS:  # only these DAGs write reports; also keeps the path inside the location
            return render(
                "message.html.j2", 404, title="No report", message=f"DAG {dag_id} has no cancel sync reports."
            )
        kind, stem = ("csv", name.removesuffix(".csv")) if name.endswith(".csv") else ("html", name)
        path = report_file(server_settings.report_location(), dag_id, safe_name(stem.removesuffix(".html")), kind)
        if not path.exists():
            message = f"No {kind.upper()} report was saved for run {stem} (runs before the report existed have none)."
            return render("message.html.j2", 404, title="No report", message=message)
        if kind == "csv":
            headers = SECURITY_HEADERS | {"Content-Disposition": f'attachment; filename="{path.name}"'}
            return Response(path.read_bytes(), media_type="text/csv; charset=utf-8", headers=headers)
        return HTMLResponse(with_navigation(path.read_text(encoding="utf-8")), headers=SECURITY_HEADERS)

    @app.exception_handler(HTTPException)
    def refused(request: Request, exc: HTTPException) -> HTMLResponse:
        if exc.status_code == 401:
            title, message = "Sign in first", "These pages show order data: sign in to Airflow to open them."
            page_values = {"title": title, "message": message, "login_url": login_url(str(request.url)), "bare": True}
            return render("message.html.j2", 401, **page_values)
        if exc.status_code == 403:
            message = f"Your Airflow sign-in does not allow reading runs of {SYNC_DAG_ID} ({exc.detail})."
            return render("message.html.j2", 403, title="Not allowed", message=message, bare=True)
        return render("message.html.j2", exc.status_code, title="Error", message=str(exc.detail))

    return app
