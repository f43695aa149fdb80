"""What the DAG passes through XCom stays within 150 bytes an order, read back from Airflow's own XCom table."""

from __future__ import annotations

from collections import Counter

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
    by_task = Counter()
    for (task_id, _key), size in sizes.items():
        by_task[task_id] += size  # every key a task pushed: a dict's keys pushed apart as well count too
    per_order = {
        "batches": by_task["extract_canceled_orders"] / orders,
        "decisions": by_task["compare_with_shopify"] / orders,
        "outcomes": by_task["cancel_in_shopify"] / orders,
    }
    print(f"XCom bytes per order over {orders} orders: {per_order}")
    assert all(size <= BUDGET_PER_ORDER for size in per_order.values()), per_order
    # The report's own XCom lists at most MAX_LISTED orders, however many the run had.
    assert run.report["not_cancelled_total"] > MAX_LISTED
    assert by_task["report"] == sizes[("report", "return_value")]  # its summary once, not again key by key
    assert by_task["report"] < 300 * MAX_LISTED
