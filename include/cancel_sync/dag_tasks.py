"""The five tasks both DAGs run, wired in order: the sync (a window per data interval) and the sweep (the
last N days). Each body calls one function of tasks.py with what Airflow provides; they differ only in
`sweep`. Cheap to import (the DAG files do it at parse time): everything heavy is imported in the bodies.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import TriggerRule, task, task_group

from include.cancel_sync.constants import POOL

TAGS = ["netsuite", "shopify", "orders", "cancellation"]
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")


def default_args() -> dict:
    """Every task of both DAGs: retries with exponential backoff, in the shared pool (its slots bound the
    load on NetSuite and Shopify whatever runs at once). NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS sets the first wait."""
    return {
        "retries": 3,
        "retry_delay": timedelta(seconds=int(os.environ.get("NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS", "30"))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "pool": POOL,
        # A task's priority counts its upstream tasks, so the pool runs a batch's cancel before the next batch's
        # compare (depth-first): cancels start while compares remain, and a started run finishes before the next
        # run's tasks take its slots (Airflow's default, "downstream", runs every compare first).
        "weight_rule": "upstream",
    }


BATCH_LABEL = "{{ batch_label }}"


def _label_batch(label: str) -> None:
    """What the mapped task's BATCH_LABEL shows (rendered after the task, failed or not)."""
    from airflow.sdk import get_current_context

    get_current_context()["batch_label"] = label


def shopify_client(conn_id: str):
    """The Shopify client of a store's connection (tasks call it for their batch's store only)."""
    from include.cancel_sync.shopify.hook import ShopifyHook

    return ShopifyHook(conn_id).get_client()


def cancel_tasks(sweep: bool = False) -> None:
    """Add the tasks to the DAG being defined (call it inside a @dag function).

    A task returning a dict is `multiple_outputs=False`: Airflow infers True from the `-> dict` and would push
    each key as an XCom of its own too, storing every batch's decisions twice."""

    @task(multiple_outputs=False)
    def resolve_run(params=None, data_interval_start=None, data_interval_end=None, ti=None) -> dict:
        from airflow.sdk import Variable

        from include.cancel_sync import tasks
        from include.cancel_sync.airflow_connections import connection_exists
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
                sweep=sweep,
                connection_exists=connection_exists,
            )

    @task
    def extract_canceled_orders(run: dict, ti=None) -> list:
        from include.cancel_sync import tasks
        from include.cancel_sync.airflow_errors import bad_settings_fail_at_once
        from include.cancel_sync.ledger import Ledger
        from include.cancel_sync.netsuite.hook import NetSuiteHook
        from include.cancel_sync.task_xcom import AirflowXCom

        with bad_settings_fail_at_once():  # e.g. netsuite_default without its timezone
            return tasks.extract(NetSuiteHook().get_client, run, AirflowXCom(ti), Ledger.from_airflow)

    # Each mapped task is one store's batch: Airflow's grid names it "<store>: <n> orders" (BATCH_LABEL).
    @task(map_index_template=BATCH_LABEL, multiple_outputs=False)
    def compare_with_shopify(run: dict, batch: dict) -> dict:
        from include.cancel_sync import tasks
        from include.cancel_sync.ledger import Ledger
        from include.cancel_sync.netsuite.hook import NetSuiteHook

        _label_batch(tasks.batch_label(run, batch))
        return tasks.compare(shopify_client, NetSuiteHook().get_client, run, batch, Ledger.from_airflow)

    @task(map_index_template=BATCH_LABEL, multiple_outputs=False)
    def cancel_in_shopify(run: dict, decisions: dict, ti=None, dag_run=None) -> dict:
        import functools

        from airflow.sdk import Variable

        from include.cancel_sync import tasks
        from include.cancel_sync.airflow_connections import connection_exists
        from include.cancel_sync.airflow_errors import bad_settings_fail_at_once
        from include.cancel_sync.ledger import Ledger, RunKey
        from include.cancel_sync.netsuite.hook import NetSuiteHook
        from include.cancel_sync.task_xcom import AirflowXCom

        _label_batch(tasks.batch_label(run, decisions))
        key = RunKey(dag_run.dag_id, dag_run.run_id, ti.try_number, ti.map_index)
        get_variable = lambda name, default: Variable.get(name, default=default)  # noqa: E731
        settings_now = functools.partial(tasks.current_settings, get_variable, connection_exists)
        with bad_settings_fail_at_once():  # a Variable made invalid since the run began
            outcomes = tasks.cancel(
                shopify_client,
                NetSuiteHook().get_client,
                run,
                decisions,
                AirflowXCom(ti),
                Ledger.from_airflow(),
                key,
                settings_now=settings_now,
            )
        return {"orders": len(outcomes)}

    # ALL_DONE, and the run's settings pulled inside: the report is written whatever stopped the run.
    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0, multiple_outputs=False)
    def report(ti=None, dag_run=None) -> dict:
        from airflow.sdk import Variable, get_current_context

        from include.cancel_sync import tasks
        from include.cancel_sync.constants import REPORT_LOCATION_VARIABLE
        from include.cancel_sync.ledger import Ledger, RunKey
        from include.cancel_sync.report.files import default_report_location
        from include.cancel_sync.report.record_urls import record_urls_from_airflow
        from include.cancel_sync.task_xcom import AirflowXCom

        location = Variable.get(REPORT_LOCATION_VARIABLE, default=None) or default_report_location()  # "" too
        key = RunKey(dag_run.dag_id, dag_run.run_id, ti.try_number)
        context = get_current_context()
        return tasks.report(AirflowXCom(ti), key, location, record_urls_from_airflow, Ledger.from_airflow, context)

    # A batch's compare and cancel, mapped together: cancel [i] waits for compare [i] only (depth-first), so one
    # store's failing batches hold up no other store's. No group prefix: the task ids stay the tasks' names.
    @task_group(group_id="batch", prefix_group_id=False, tooltip="One store's batch: compare, then cancel")
    def batch(run: dict, batch: dict):
        return cancel_in_shopify(run=run, decisions=compare_with_shopify(run=run, batch=batch))

    run = resolve_run()
    batch.partial(run=run).expand(batch=extract_canceled_orders(run)) >> report()
