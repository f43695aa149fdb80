"""What the DAG passes through XCom stays within 150 bytes an order, read back from Airflow's own XCom table."""

from __future__ import annotations

import pytest

from include.cancel_sync.report.summary import MAX_LISTED
from tests.conftest import WORLD_END, WORLD_START
from tests.dag_runs import run_sync, whole_world_window, xcom_bytes

pytestmark = pytest.mark.usefixtures("airflow_db")

BUDGET_PER_ORDER = 150  # issue 6


def test_batches_decisions_and_outcomes_cost_at_most_150_bytes_an_order(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(count=600, seed=5, every_scenario=True)
    run = run_sync(
        sandboxes,
        tmp_path,
        variables={"netsuite_shopify_cancel_enabled": "true"},
        conf=whole_world_window(WORLD_START, WORLD_END),
    )
    assert run.state == "success", run.task_states
    orders = len(run.outcomes)
    assert orders > 250 and len(run.task_states["cancel_in_shopify"]) >= 2  # several mapped batches
    sizes = xcom_bytes(run.run_id)
    per_order = {
        "batches": sizes[("extract_canceled_orders", "return_value")] / orders,
        "decisions": sizes[("compare_with_shopify", "return_value")] / orders,
        "outcomes": (sizes[("cancel_in_shopify", "outcomes")] + sizes[("cancel_in_shopify", "return_value")]) / orders,
    }
    print(f"XCom bytes per order over {orders} orders: {per_order}")
    assert all(size <= BUDGET_PER_ORDER for size in per_order.values()), per_order
    # The report's own XCom lists at most MAX_LISTED orders, however many the run had.
    assert run.report["not_cancelled_total"] > MAX_LISTED
    assert sizes[("report", "return_value")] < 300 * MAX_LISTED
