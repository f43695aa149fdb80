"""
### NetSuite → Shopify cancel sweep

Once a day, every sales order canceled in NetSuite in the last
`netsuite_shopify_sweep_days` days (default 7) is checked again, whatever the sync's
windows did, and cancelled in Shopify the same way as by the sync (same tasks, same
settings, same audit ledger and pool: the two never act on one order twice).

- Orders the ledger shows settled for good (cancelled, or found cancelled in Shopify)
  are not read from Shopify again: a quiet week costs NetSuite pages, not Shopify points.
- An order the sweep has to cancel, or that no run ever recorded, was missed by the
  windows: it is marked "caught by the sweep" in the report and the ledger, naming the
  window run that should have handled it, and an alert goes out.

Params of a manual run: `days` (overrides the Variable), `dry_run` (plan only).
Schedule: `NETSUITE_SHOPIFY_SWEEP_CRON` in the scheduler's environment (default `30 3 * * *`, UTC).
"""

from __future__ import annotations

import os

from airflow.sdk import CronTriggerTimetable, Param, dag

from include.cancel_sync.constants import MAX_SWEEP_DAYS, SWEEP_DAG_ID
from include.cancel_sync.dag_tasks import START_DATE, TAGS, cancel_tasks, default_args

CRON = os.environ.get("NETSUITE_SHOPIFY_SWEEP_CRON", "30 3 * * *")


@dag(
    dag_id=SWEEP_DAG_ID,
    schedule=CronTriggerTimetable(CRON, timezone="UTC"),  # its window is the last N days from the run's start
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=[*TAGS, "reconciliation"],
    doc_md=__doc__,
    default_args=default_args(),
    params={
        "days": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            maximum=MAX_SWEEP_DAYS,
            description="Days back to sweep; overrides netsuite_shopify_sweep_days",
        ),
        "dry_run": Param(False, type="boolean", description="Plan only: report what would be cancelled"),
    },
)
def netsuite_shopify_cancel_sweep():
    cancel_tasks(sweep=True)


netsuite_shopify_cancel_sweep()
