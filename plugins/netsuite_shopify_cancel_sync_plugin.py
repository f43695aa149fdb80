"""Airflow UI entry for the NetSuite → Shopify cancel sync: recent runs, reports, order history.

The pages are a FastAPI app (include/cancel_sync/ui) that Airflow's API server mounts under
/netsuite-shopify; they require a signed-in Airflow user who may read the DAG's runs.
`external_views` put them in the UI: a "Cancel sync" entry under Browse, and a "Cancel sync
report" tab on each run of the DAG. Needs the project root on PYTHONPATH (for `include`).

The Browse entry opens the pages in a tab of their own rather than inside Airflow's frame: Airflow
sandboxes that frame (scripts, same origin, forms, downloads; no top navigation, no popups), so a link
from a framed page could neither open a run in Airflow nor a NetSuite or Shopify order.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from include.cancel_sync.ui.app import create_app
from include.cancel_sync.ui.urls import URL_PREFIX


class NetSuiteShopifyCancelSyncPlugin(AirflowPlugin):
    name = "netsuite_shopify_cancel_sync"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "NetSuite → Shopify cancel sync"}]
    external_views = [
        {
            "name": "Cancel sync",
            "href": f"{URL_PREFIX}/",  # no url_route: Airflow opens it in a new tab (see the module docstring)
            "category": "Browse",
            "destination": "nav",
        },
        {
            "name": "Cancel sync report",
            "href": f"{URL_PREFIX}/reports/{{DAG_ID}}/{{RUN_ID}}",  # the UI fills in the run
            "url_route": "netsuite-shopify-report",
            "destination": "dag_run",
        },
    ]
