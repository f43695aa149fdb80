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

import pendulum
from airflow.sdk import DeltaDataIntervalTimetable, Param, TriggerRule, dag, task

from include.cancel_sync.constants import POOL, SYNC_DAG_ID

INTERVAL_MINUTES = int(os.environ.get("NETSUITE_SHOPIFY_SYNC_INTERVAL_MINUTES", "15"))
RETRY_DELAY_SECONDS = int(os.environ.get("NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS", "30"))


@dag(
    dag_id=SYNC_DAG_ID,
    schedule=DeltaDataIntervalTimetable(timedelta(minutes=INTERVAL_MINUTES)),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["netsuite", "shopify", "orders", "cancellation"],
    doc_md=__doc__,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=RETRY_DELAY_SECONDS),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "pool": POOL,
    },
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
    @task
    def resolve_run(params=None, data_interval_start=None, data_interval_end=None, ti=None) -> dict:
        from airflow.sdk import Variable

        from include.cancel_sync import tasks
        from include.cancel_sync.airflow_errors import bad_settings_fail_at_once
        from include.cancel_sync.task_xcom import AirflowXCom

        with bad_settings_fail_at_once():
            return tasks.resolve_run(
                lambda name, default: Variable.get(name, default=default),
                dict(params or {}),
                data_interval_start,
                data_interval_end,
                pendulum.now("UTC"),
                AirflowXCom(ti),
            )

    @task
    def extract_canceled_orders(run: dict, ti=None) -> list:
        from include.cancel_sync import tasks
        from include.cancel_sync.airflow_errors import bad_settings_fail_at_once
        from include.cancel_sync.netsuite.hook import NetSuiteHook
        from include.cancel_sync.task_xcom import AirflowXCom

        with bad_settings_fail_at_once():  # e.g. netsuite_default without its timezone
            return tasks.extract(NetSuiteHook().get_client, run, AirflowXCom(ti))

    @task
    def compare_with_shopify(run: dict, batch: dict) -> dict:
        from include.cancel_sync import tasks
        from include.cancel_sync.netsuite.hook import NetSuiteHook
        from include.cancel_sync.shopify.hook import ShopifyHook

        return tasks.compare(ShopifyHook().get_client(), NetSuiteHook().get_client(), run, batch)

    @task
    def cancel_in_shopify(run: dict, decisions: dict, ti=None, dag_run=None) -> dict:
        from include.cancel_sync import tasks
        from include.cancel_sync.ledger import Ledger, RunKey
        from include.cancel_sync.netsuite.hook import NetSuiteHook
        from include.cancel_sync.shopify.hook import ShopifyHook
        from include.cancel_sync.task_xcom import AirflowXCom

        key = RunKey(dag_run.dag_id, dag_run.run_id, ti.try_number, ti.map_index)
        shopify, netsuite = ShopifyHook().get_client(), NetSuiteHook().get_client()
        outcomes = tasks.cancel(shopify, netsuite, run, decisions, AirflowXCom(ti), Ledger.from_airflow(), key)
        return {"orders": len(outcomes)}

    # ALL_DONE, and the run's settings pulled inside: the report is written whatever stopped the run.
    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def report(ti=None, dag_run=None) -> dict:
        from airflow.sdk import Variable, get_current_context

        from include.cancel_sync import tasks
        from include.cancel_sync.constants import REPORT_LOCATION_VARIABLE
        from include.cancel_sync.ledger import Ledger, RunKey
        from include.cancel_sync.report.files import default_report_location
        from include.cancel_sync.report.record_urls import record_urls_from_airflow
        from include.cancel_sync.task_xcom import AirflowXCom

        location = Variable.get(REPORT_LOCATION_VARIABLE, default=default_report_location())
        key = RunKey(dag_run.dag_id, dag_run.run_id, ti.try_number)
        links = record_urls_from_airflow()
        return tasks.report(AirflowXCom(ti), key, location, links, Ledger.from_airflow, get_current_context())

    run = resolve_run()
    batches = extract_canceled_orders(run)
    decisions = compare_with_shopify.partial(run=run).expand(batch=batches)
    cancelled = cancel_in_shopify.partial(run=run).expand(decisions=decisions)
    cancelled >> report()


netsuite_shopify_cancel_sync()
