"""The cancel sync's view inside the real Airflow UI, as a person sees it in Chromium.

Airflow's API server loads the plugin; sign-in is Airflow's own login page and JWT cookie.
Expectations come from the DAG runs' saved reports and the audit ledger.
"""

from __future__ import annotations

from urllib.parse import quote

import jwt
import pytest
import requests

from include.cancel_sync.ledger import Ledger
from tests.cancel_sync.ui.conftest import HOSTILE_TRANID
from tests.dag_runs import DAG_ID
from tests.timing import HTTP_TIMEOUT

pytestmark = pytest.mark.usefixtures("airflow_db")

PREFIX = "/netsuite-shopify"


def report_path(run_id: str) -> str:
    return f"{PREFIX}/reports/{DAG_ID}/{quote(run_id, safe='')}"


def cancelled_order(deployment) -> dict:
    return min((o for o in deployment.real.outcomes if o["outcome"] == "cancelled"), key=lambda o: o["id"])


def status(deployment, path: str, **options) -> int:
    return requests.get(deployment.url + path, timeout=HTTP_TIMEOUT, **options).status_code


def sign_in(page, deployment, target: str) -> None:
    """Open `target`; Airflow sends a stranger to its login page (our pages through their "Sign in" link),
    then back."""
    page.goto(deployment.url + target)
    if target.startswith(PREFIX):
        page.get_by_role("link", name="Sign in to Airflow").click()
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Username").fill(deployment.server.user)
    page.get_by_label("Password").fill(deployment.server.password)
    page.get_by_role("button", name="Sign in").click()


def arrive(page, locator) -> None:
    """Wait for `locator` on the page a click opened, then for that page to finish loading: reads after this see
    all of it (an element can be there before the rows after it are parsed, and count() does not wait)."""
    locator.first.wait_for()
    page.wait_for_load_state()


def test_unauthenticated_requests_are_refused(deployment, new_context, screenshot):
    order = cancelled_order(deployment)
    pages = [f"{PREFIX}/", f"{PREFIX}/orders?q={quote(order['tranid'])}", report_path(deployment.real.run_id)]
    pages.append(pages[-1] + ".csv")
    forged = jwt.encode({"sub": "admin", "role": "admin"}, "not-the-server-secret-" * 4, algorithm="HS512")
    for path in pages:
        anonymous = requests.get(deployment.url + path, timeout=HTTP_TIMEOUT)
        assert anonymous.status_code == 401, path
        assert "Sign in" in anonymous.text
        assert order["detail"] not in anonymous.text and order["shopify_name"] not in anonymous.text  # no order data
        assert status(deployment, path, headers={"Authorization": f"Bearer {forged}"}) == 403
        assert status(deployment, path, cookies={"_token": forged}) == 403
    # The same pages with a real token: the refusals above are about the credentials, nothing else.
    token = deployment.server.token()
    assert all(status(deployment, p, headers={"Authorization": f"Bearer {token}"}) == 200 for p in pages)

    context = new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(deployment.url + f"{PREFIX}/")
    assert page.get_by_role("heading", name="Sign in first").is_visible()
    assert page.locator("#runs").count() == 0
    screenshot(page, "01-unauthenticated-refused")
    page.get_by_role("link", name="Sign in to Airflow").click()
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Password").wait_for()  # Airflow's login page renders after it loads: wait, don't peek
    context.close()


def test_person_signs_in_and_sees_runs_reports_and_order_history(deployment, new_context, screenshot):
    plan, real = deployment.plan, deployment.real
    dialogs = []
    context = new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # The nav entry: Browse → Cancel sync opens the pages in a tab of their own (Airflow's frame is sandboxed:
    # no link in it could open a run in Airflow or an order in NetSuite or Shopify).
    sign_in(page, deployment, "/")
    page.get_by_role("button", name="Browse").click()
    entry = page.get_by_role("menuitem", name="Cancel sync")
    assert (entry.get_attribute("href"), entry.get_attribute("target")) == (f"{PREFIX}/", "_blank")
    with context.expect_page() as opened:
        entry.click()
    airflow_page, page = page, opened.value
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    arrive(page, page.get_by_role("heading", name="Recent runs"))
    rows = page.locator("#runs tbody tr")
    newest_first = [deployment.stopped, deployment.empty, real, plan]
    assert [rows.nth(i).get_attribute("data-run-id") for i in range(rows.count())] == [r.run_id for r in newest_first]
    totals = {
        key: int(page.locator(f'#totals [data-count="{key}"]').inner_text())
        for key in ("orders", "cancelled", "failed")
    }  # every run of the last 24 hours, not only the newest
    assert totals == {
        "orders": real.report["orders"] + plan.report["orders"],
        "cancelled": real.report["outcomes"]["cancelled"],
        "failed": 0,
    }
    plan_cells = rows.nth(3).locator("td").all_inner_texts()
    assert plan_cells[6] == str(plan.report["outcomes"]["would_cancel"]) and plan_cells[5] == "0"  # after the DAG
    screenshot(page, "02-recent-runs")

    # A run's report, from its row.
    page.locator(f'#runs tr[data-run-id="{real.run_id}"]').get_by_role("link", name="report", exact=True).click()
    headline = page.locator("#headline")
    arrive(page, headline)
    assert int(headline.locator('[data-count="cancelled"]').inner_text()) == real.report["outcomes"]["cancelled"]
    assert int(headline.locator('[data-count="orders"]').inner_text()) == real.report["orders"]
    order = cancelled_order(deployment)
    row = page.locator(f'#orders tr[data-netsuite-id="{order["id"]}"]')
    assert row.locator("td").all_inner_texts()[:7] == [
        order["store"],
        order["tranid"],
        str(order["id"]),
        order["shopify_name"],
        "Cancel in Shopify",  # the decision to_cancel, in words
        "yes" if order["refund"] else "no",
        "Cancelled",
    ]
    screenshot(page, "03-run-report-from-recent-runs")

    # The same report on its own, whole; and the plan, which says so first.
    report_page = context.new_page()
    report_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    report_page.goto(deployment.url + report_path(real.run_id))
    assert report_page.get_by_text(HOSTILE_TRANID, exact=True).is_visible()  # shown as text, never run
    screenshot(report_page, "04-run-report", full_page=True)
    report_page.goto(deployment.url + report_path(plan.run_id))
    banner = report_page.locator("#plan-banner")
    assert banner.is_visible() and "PLAN — nothing was changed" in banner.inner_text()
    assert report_page.locator("body > nav + *").get_attribute("id") == "plan-banner"  # first, below the navigation
    would = int(report_page.locator('#headline [data-count="would_cancel"]').inner_text())
    assert would == plan.report["outcomes"]["would_cancel"] > 0
    screenshot(report_page, "05-plan-report", full_page=True)

    # An order's history: searched by tranid, then by Shopify order name.
    page.get_by_label("Order to search").fill(order["tranid"])
    page.get_by_role("button", name="Search history").click()
    history = page.locator("#history tbody tr")
    arrive(page, history)
    ledger_rows = Ledger(real.ledger_url).history(tranid=order["tranid"])
    assert history.count() == len(ledger_rows) == 2
    outcomes = [history.nth(i).locator("td").nth(9).inner_text() for i in range(2)]
    assert outcomes == ["Would cancel (not sent)", "Cancelled"]  # planned, then done
    assert "plan" in history.nth(0).locator("td").nth(1).inner_text()
    screenshot(page, "06-order-history")
    # Order names repeat across stores: every store's rows for the name, then the store's own.
    name = order["shopify_name"].lstrip("#")
    page.get_by_label("Order to search").fill(name)
    page.get_by_role("button", name="Search history").click()
    arrive(page, page.get_by_role("heading", name=f"Order history: {name}"))
    shown_stores = [history.nth(i).locator("td").nth(3).inner_text() for i in range(history.count())]
    named = Ledger(real.ledger_url).history(shopify_name=order["shopify_name"])
    assert sorted(shown_stores) == sorted(row["store"] for row in named) and shown_stores.count(order["store"]) == 2
    page.get_by_label("Order to search").fill(name)
    page.get_by_label("Store to search").select_option(order["store"])
    page.get_by_role("button", name="Search history").click()
    arrive(page, page.get_by_role("heading", name=f"Order history: {name} in store {order['store']}"))
    assert history.count() == 2 and order["tranid"] in history.nth(1).inner_text()
    assert {history.nth(i).locator("td").nth(3).inner_text() for i in range(2)} == {order["store"]}

    # The run's own page in Airflow has the report as a tab.
    page = airflow_page
    page.goto(f"{deployment.url}/dags/{DAG_ID}/runs/{quote(real.run_id, safe='')}/plugin/netsuite-shopify-report")
    page.frame_locator("iframe").locator("#headline").wait_for()
    page.get_by_text("Cancel sync report").first.wait_for()  # the tab, drawn by Airflow's UI after the page loads
    screenshot(page, "07-report-tab-on-the-dag-run")

    assert dialogs == []  # the <script> in a tranid never ran anywhere
    context.close()
