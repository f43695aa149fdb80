"""
### NetSuite → Shopify cancel sync

Sales orders canceled in NetSuite (status **C**, or **H** closed with nothing shipped and nothing
billed) whose `lastmodifieddate` falls in the run's window are cancelled in Shopify, with the refund
behaviour the merchant chose, unless another sales order linking the same Shopify order is still
live, or Shopify shows it shipped, with a fulfillment service, or returned. NetSuite is read in the
token user's time zone (extra `timezone` of `netsuite_default`).

| Variable | default | meaning |
|---|---|---|
| `netsuite_shopify_cancel_enabled` | `false` | "If an order is canceled in NetSuite, cancel it in Shopify". Off: report only. |
| `netsuite_shopify_prevent_refund` | `false` | "Prevent Shopify from refunding paid orders when cancelling". |
| `netsuite_shopify_link_field` | `custbody_fa_channel_order` | NetSuite body field holding the Shopify order id. |
| `netsuite_shopify_cancel_reason` | `OTHER` | Shopify cancel reason. |
| `netsuite_shopify_restock` / `netsuite_shopify_notify_customer` | `false` | Passed to `orderCancel`. |
| `netsuite_shopify_window_overlap_minutes` | `15` | Widens each scheduled window backwards (NetSuite time zone). |
| `netsuite_shopify_manual_lookback_hours` | `24` | Window of a manual run without a window or logical date. |
| `netsuite_shopify_report_location` | `file://$AIRFLOW_HOME/reports` | Where each run's report is kept (any object storage URL). |

Params of a manual run: `window_start` / `window_end` (ISO 8601), `dry_run` (plan only),
`netsuite_order_ids` (re-sync just these internal ids).

Tasks: resolve the run's settings → extract from NetSuite (SuiteQL) → compare each batch of
≤250 with Shopify → cancel (re-checking each order first) → report. A failed order fails its
batch after every other order was handled; the retry re-checks before acting. Batches, decisions
and outcomes pass through XCom as compact JSON tables, one column per field
(`include/cancel_sync/xcom_table.py`).
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import DeltaDataIntervalTimetable, Param, dag

from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.dag_tasks import START_DATE, TAGS, cancel_tasks, default_args

INTERVAL_MINUTES = int(os.environ.get("NETSUITE_SHOPIFY_SYNC_INTERVAL_MINUTES", "15"))


@dag(
    dag_id=SYNC_DAG_ID,
    schedule=DeltaDataIntervalTimetable(timedelta(minutes=INTERVAL_MINUTES)),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=TAGS,
    doc_md=__doc__,
    default_args=default_args(),
    params={
        "window_start": Param(None, type=["null", "string"], description="ISO 8601; overrides the data interval"),
        "window_end": Param(None, type=["null", "string"], description="ISO 8601; overrides the data interval"),
        "dry_run": Param(False, type="boolean", description="Plan only: report what would be cancelled"),
        "netsuite_order_ids": Param(
            None, type=["null", "string", "array"], description="NetSuite internal ids to re-sync (ignores the window)"
        ),
    },
)
def netsuite_shopify_cancel_sync():
    cancel_tasks()


netsuite_shopify_cancel_sync()
