"""
### NetSuite → Shopify cancel sync

Cancels in Shopify the sales orders canceled in NetSuite (status **C**, or **H** closed with nothing
shipped and nothing billed) whose last change falls in the run's window, with the refund behaviour
the merchant chose.

An order is left to a person when another NetSuite order still links its Shopify order, or Shopify
shows it shipped, with a fulfillment service, or returned. The report names each one and the next step.

**Variables** (Admin → Variables; *Browse → Cancel sync → Settings check* shows each one's value and
whether a run would accept it):

- `netsuite_shopify_cancel_enabled` (default `false`): cancel in Shopify. Off: report only.
- `netsuite_shopify_prevent_refund` (`false`): never refund when cancelling.
- `netsuite_shopify_link_field` (`custbody_fa_channel_order`): the body field with the Shopify order id.
- `netsuite_shopify_cancel_reason` (`OTHER`): the reason Shopify records.
- `netsuite_shopify_restock`, `netsuite_shopify_notify_customer` (`false`): passed to Shopify.
- `netsuite_shopify_window_overlap_minutes` (`15`): widens each window backwards.
- `netsuite_shopify_manual_lookback_hours` (`24`): the window of a manual run without dates.
- `netsuite_shopify_report_location` (`file://$AIRFLOW_HOME/reports`): where each run's report goes.
- `netsuite_shopify_netsuite_app_url`, `netsuite_shopify_shopify_admin_url`: the reports' order links
  (default: from the connections).
- `netsuite_shopify_stores` (JSON): several Shopify stores, each with its connection, how its NetSuite
  orders are told apart and its own settings (see the README). Unset: one store on `shopify_default`.

**Connections**: `netsuite_default` (with extra `timezone`, the token user's time zone: NetSuite is
read in it), `shopify_default` (and each further store's); optional `netsuite_shopify_ledger`,
`netsuite_shopify_alerts`.

**Params of a manual run**: `window_start` / `window_end` (ISO 8601), `dry_run` (plan only),
`netsuite_order_ids` (re-sync just these internal ids).

A run of a paused DAG, manual or backfilled, waits as *queued* until the DAG is unpaused. Overlapping
runs are safe: an order is cancelled by one run only.

**Tasks**: resolve_run → extract_canceled_orders → per batch of one store (at most 250 orders, named
`<store>: <n> orders`): compare_with_shopify → cancel_in_shopify (each order re-checked first) → report
(for every run, failed ones too; alerts). One store's failing batches hold up no other store's.
A failed order fails its batch after every other order was handled; the retry re-checks it first.
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
