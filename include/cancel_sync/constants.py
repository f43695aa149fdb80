"""Every id the project shares with Airflow and its users: DAGs, pool, connections, Variables.

Cheap to import (the DAG files read it at parse time): names only, no logic.
"""

# DAGs and the pool their tasks share
SYNC_DAG_ID = "netsuite_shopify_cancel_sync"
SWEEP_DAG_ID = "netsuite_shopify_cancel_sweep"
POOL = "netsuite_shopify"

# Connections
NETSUITE_CONN_ID = "netsuite_default"
SHOPIFY_CONN_ID = "shopify_default"
LEDGER_CONN_ID = "netsuite_shopify_ledger"
ALERTS_CONN_ID = "netsuite_shopify_alerts"

# Variables: the merchant's settings
CANCEL_ENABLED_VARIABLE = "netsuite_shopify_cancel_enabled"
PREVENT_REFUND_VARIABLE = "netsuite_shopify_prevent_refund"
LINK_FIELD_VARIABLE = "netsuite_shopify_link_field"
REASON_VARIABLE = "netsuite_shopify_cancel_reason"
RESTOCK_VARIABLE = "netsuite_shopify_restock"
NOTIFY_VARIABLE = "netsuite_shopify_notify_customer"
OVERLAP_VARIABLE = "netsuite_shopify_window_overlap_minutes"
LOOKBACK_VARIABLE = "netsuite_shopify_manual_lookback_hours"
SWEEP_DAYS_VARIABLE = "netsuite_shopify_sweep_days"  # read by the sweep only
STORES_VARIABLE = "netsuite_shopify_stores"  # several Shopify stores, each with its own settings (stores.py)
MAX_SWEEP_DAYS = 90
# Variables: where reports go and what they link to
REPORT_LOCATION_VARIABLE = "netsuite_shopify_report_location"
NETSUITE_APP_URL_VARIABLE = "netsuite_shopify_netsuite_app_url"
SHOPIFY_ADMIN_URL_VARIABLE = "netsuite_shopify_shopify_admin_url"

# Task ids and XCom keys the tasks read from each other (the DAG's task functions carry these names)
RESOLVE_TASK_ID = "resolve_run"
EXTRACT_TASK_ID = "extract_canceled_orders"
CANCEL_TASK_ID = "cancel_in_shopify"
BATCH_COUNT_XCOM = "batch_count"
OUTCOMES_XCOM = "outcomes"
BATCH_STORES_XCOM = "batch_stores"  # the store of each batch, by map index (None: orders of no store)
SETTLED_XCOM = "settled"  # a sweep: orders left out as settled for good
FAILURE_XCOM = "failure"  # why a task that stops the run failed, for the report (no run is silent)
