"""The DAG's docs read whole in Airflow's docs window: nothing runs past its right edge."""

from __future__ import annotations

import pytest

from tests.cancel_sync.ui.test_cancel_sync_view import sign_in
from tests.dag_runs import DAG_ID

pytestmark = pytest.mark.usefixtures("airflow_db")

# Elements of the dialog's body reaching past its right edge (a wide table is cut off there).
OVERFLOWING = """body => {
    const edge = body.getBoundingClientRect().right + 1;
    return [...body.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > edge)
        .map(e => e.tagName + ': ' + (e.textContent || '').slice(0, 60));
}"""


def test_the_dag_docs_fit_airflows_docs_window(deployment, new_context, screenshot):
    context = new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, deployment, f"/dags/{DAG_ID}")
    page.get_by_role("button", name="Dag Docs").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("netsuite_shopify_cancel_enabled").first.wait_for()
    for variable in ("netsuite_shopify_prevent_refund", "netsuite_shopify_report_location", "netsuite_order_ids"):
        assert dialog.get_by_text(variable).count() >= 1, variable
    assert dialog.evaluate(OVERFLOWING) == []
    assert dialog.locator("table").count() == 0  # short lines and lists: no table to scroll sideways
    dialog.evaluate("d => Promise.all(d.getAnimations({subtree: true}).map(a => a.finished))")  # opened fully
    screenshot(page, "15-dag-docs-in-airflow")
    context.close()
