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

**Connections**: `netsuite_default` (with extra `timezone`, the token user's time zone: NetSuite is
read in it), `shopify_default`; optional `netsuite_shopify_ledger`, `netsuite_shopify_alerts`.

**Params of a manual run**: `window_start` / `window_end` (ISO 8601), `dry_run` (plan only),
`netsuite_order_ids` (re-sync just these internal ids).

A run of a paused DAG, manual or backfilled, waits as *queued* until the DAG is unpaused. Overlapping
runs are safe: an order is cancelled by one run only.

**Tasks**: resolve_run → extract_canceled_orders → compare_with_shopify (batches of at most 250) →
cancel_in_shopify (each order re-checked first) → report (for every run, failed ones too; alerts).
A failed order fails its batch after every other order was handled; the retry re-checks it first.
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
