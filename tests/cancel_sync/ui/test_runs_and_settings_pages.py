"""Recent runs (every run, why a failed one failed, the period's totals, links to Airflow's run page), the date
filter, the settings check, and the words and next steps people read, in Chromium against the real API server.

Expectations come from the runs' saved reports, the ledger's run rows and the world's scenarios.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
import requests

from include.cancel_sync.constants import PREVENT_REFUND_VARIABLE
from include.cancel_sync.labels import HOLD_NEXT_STEPS, NEXT_STEPS, STOPPED_RUN_NEXT_STEP
from include.cancel_sync.ledger import Ledger, runs_table
from include.cancel_sync.records import Outcome
from include.cancel_sync.settings import SettingsError, load_settings
from include.cancel_sync.shopify.fulfillment import Hold
from tests.cancel_sync.ui.conftest import BAD_PREVENT_REFUND
from tests.cancel_sync.ui.test_cancel_sync_view import PREFIX, arrive, report_path, sign_in
from tests.dag_runs import DAG_ID
from tests.timing import HTTP_TIMEOUT

pytestmark = pytest.mark.usefixtures("airflow_db")


def ledger_runs(deployment) -> dict[str, dict]:
    """run id → the run's row in cancel_sync_runs, as the report task recorded it."""
    return {run["run_id"]: run for run in Ledger(deployment.real.ledger_url).runs([DAG_ID])}


def cards(page) -> dict[str, int]:
    counts = page.locator("#totals [data-count]")
    return {counts.nth(i).get_attribute("data-count"): int(counts.nth(i).inner_text()) for i in range(counts.count())}


def listed(page) -> list[str]:
    rows = page.locator("#runs tbody tr")
    return [rows.nth(i).get_attribute("data-run-id") for i in range(rows.count())]


def the_bad_value_error() -> str:
    """What a run says about the bad Variable: the settings check must say the same."""
    with pytest.raises(SettingsError) as error:
        load_settings(lambda name, default: BAD_PREVENT_REFUND.get(name, default), {})
    return str(error.value)


def test_recent_runs_lists_every_run_says_why_one_failed_and_links_each_to_airflow(deployment, new_context, screenshot):
    stopped, empty, real, plan = deployment.stopped, deployment.empty, deployment.real, deployment.plan
    recorded = ledger_runs(deployment)
    context = new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sign_in(page, deployment, f"{PREFIX}/")
    arrive(page, page.locator("#runs"))

    assert listed(page) == [stopped.run_id, empty.run_id, real.run_id, plan.run_id]  # failed and empty ones too
    assert "the last 24 hours" in page.locator("#period-label").inner_text()
    assert cards(page) == {
        "runs": 4,
        "failed_runs": 1,
        "orders": real.report["orders"] + plan.report["orders"],
        "cancelled": real.report["outcomes"]["cancelled"],
        "would_cancel": plan.report["outcomes"]["would_cancel"],
        "attention": cards(page)["attention"],
        "failed": 0,
    }
    stopped_row = page.locator(f'#runs tr[data-run-id="{stopped.run_id}"]')
    assert stopped_row.get_attribute("data-state") == "failed" == recorded[stopped.run_id]["state"]
    why = stopped_row.locator("td.why").inner_text()
    assert why == f"Stopped at resolve_run: {recorded[stopped.run_id]['reason']}"
    assert the_bad_value_error() in why  # names the Variable and its value
    empty_row = page.locator(f'#runs tr[data-run-id="{empty.run_id}"]')
    assert empty_row.get_attribute("data-state") == "success" and empty_row.locator("td").nth(4).inner_text() == "0"
    for run_id in listed(page):  # each run id opens the run in Airflow's UI
        link = page.locator(f'#runs tr[data-run-id="{run_id}"] a.airflow-run')
        assert link.get_attribute("href") == f"/dags/{DAG_ID}/runs/{quote(run_id, safe='')}"
        assert link.inner_text() == run_id
    screenshot(page, "08-recent-runs-with-a-failed-run")

    # The stopped run's report says what stopped it and what to do.
    stopped_row.get_by_role("link", name="report", exact=True).click()
    banner = page.locator("#stopped-banner")
    arrive(page, banner)
    assert "resolve_run" in banner.inner_text() and STOPPED_RUN_NEXT_STEP in banner.inner_text()
    page.go_back()
    page.locator("#runs").wait_for()

    # Its run id leads to the run in Airflow.
    page.locator(f'#runs tr[data-run-id="{stopped.run_id}"] a.airflow-run').click()
    page.wait_for_url(lambda url: f"/dags/{DAG_ID}/runs/{stopped.run_id}" in unquote(url))  # as Airflow spells it
    page.get_by_text(stopped.run_id).first.wait_for()  # Airflow's run page, drawn by its UI
    screenshot(page, "09-airflow-run-page-from-the-run-link")
    context.close()


def test_the_store_filter_lists_and_adds_up_only_that_store_s_orders(deployment, new_context, screenshot):
    plan, real, empty = deployment.plan, deployment.real, deployment.empty
    context = new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sign_in(page, deployment, f"{PREFIX}/")
    arrive(page, page.locator("#runs"))
    for store in ("eu", "us"):
        page.get_by_label("Store", exact=True).select_option(store)
        page.get_by_role("button", name="Show runs").click()
        page.wait_for_url(f"**store={store}**")
        assert page.locator("#store-filter").inner_text() == store
        assert listed(page) == [empty.run_id, real.run_id, plan.run_id]  # the runs that covered it (not the stopped)
        assert cards(page) | {"attention": 0} == {
            "runs": 3,
            "failed_runs": 0,
            "orders": real.report["stores"][store]["orders"] + plan.report["stores"][store]["orders"],
            "cancelled": real.report["stores"][store]["cancelled"],
            "would_cancel": plan.report["stores"][store]["outcomes"]["would_cancel"],
            "attention": 0,
            "failed": 0,
        }
        assert 0 < cards(page)["orders"] < real.report["orders"] + plan.report["orders"]
    screenshot(page, "15-store-filter")
    context.close()


def test_the_date_filter_lists_and_adds_up_only_the_runs_it_covers(deployment, new_context, screenshot):
    recorded = ledger_runs(deployment)
    real_finished = recorded[deployment.real.run_id]["finished_at"].replace(microsecond=0)
    assert recorded[deployment.plan.run_id]["finished_at"] < real_finished  # the plan falls before the filter
    since_real = [run_id for run_id, run in recorded.items() if run["finished_at"] >= real_finished]
    assert deployment.plan.run_id not in since_real and len(since_real) == 3

    context = new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sign_in(page, deployment, f"{PREFIX}/")
    arrive(page, page.locator("#runs"))
    page.get_by_label("From (UTC)").fill(real_finished.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Show runs").click()
    page.wait_for_url("**from=**")
    assert listed(page) == since_real  # newest first, the plan left out
    assert cards(page)["runs"] == 3 and cards(page)["would_cancel"] == 0
    assert cards(page)["orders"] == deployment.real.report["orders"]
    assert f"since {real_finished:%Y-%m-%d %H:%M} (UTC)" in page.locator("#period-label").inner_text()
    screenshot(page, "10-date-filter")

    # A period without runs says so, and when the newest run was.
    page.get_by_label("From (UTC)").fill("2026-01-01")
    page.get_by_label("To (UTC)").fill("2026-01-02")
    page.get_by_role("button", name="Show runs").click()
    arrive(page, page.locator("#no-runs"))
    assert "The newest recorded run finished at" in page.locator("#no-runs").inner_text()
    assert cards(page)["runs"] == 0 and page.locator("#runs").count() == 0

    # What cannot be read is refused with what to type, and the form keeps what was typed.
    page.get_by_label("From (UTC)").fill("yesterday")
    page.get_by_label("To (UTC)").fill("")
    page.get_by_role("button", name="Show runs").click()
    arrive(page, page.locator("#period-error"))
    assert "“from” must be a date like 2026-01-15" in page.locator("#period-error").inner_text()
    assert page.get_by_label("From (UTC)").input_value() == "yesterday" and page.locator("#runs").count() == 0
    screenshot(page, "11-date-filter-refuses-what-it-cannot-read")
    token = deployment.server.token()
    for query in ("from=yesterday", "from=2026-01-02&to=2026-01-01", f"to={'9' * 50}"):
        reply = requests.get(
            f"{deployment.url}{PREFIX}/?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
        )
        assert reply.status_code == 400 and 'id="period-error"' in reply.text, query
    context.close()


@pytest.fixture
def bad_variable_in_airflow():
    """The Variable set wrong where people set it (the metadata database, Admin → Variables), then removed."""
    from airflow.models.variable import Variable

    Variable.set(PREVENT_REFUND_VARIABLE, BAD_PREVENT_REFUND[PREVENT_REFUND_VARIABLE])
    try:
        yield
    finally:
        Variable.delete(PREVENT_REFUND_VARIABLE)


def settings_page(deployment) -> str:
    token = deployment.server.token()
    reply = requests.get(
        f"{deployment.url}{PREFIX}/settings", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
    )
    assert reply.status_code == 200
    return reply.text


def test_the_settings_check_shows_a_bad_variable_as_invalid_and_never_a_secret(
    deployment, new_context, screenshot, request
):
    assert 'id="settings-ok"' in settings_page(deployment)  # as deployed: nothing wrong
    request.getfixturevalue("bad_variable_in_airflow")

    context = new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    sign_in(page, deployment, f"{PREFIX}/")
    warning = page.locator("#settings-problems")
    arrive(page, warning)  # on the Cancel sync page itself
    assert "1 setting(s) need fixing" in warning.inner_text() and PREVENT_REFUND_VARIABLE in warning.inner_text()
    warning.get_by_role("link", name="Open the settings check").click()
    arrive(page, page.get_by_role("heading", name="Settings check"))

    bad = page.locator(f'#variables tr[data-name="{PREVENT_REFUND_VARIABLE}"]')
    assert bad.get_attribute("data-verdict") == "invalid"
    cells = bad.locator("td").all_inner_texts()
    assert cells[1] == "maybe" and cells[2] == "invalid" and cells[3].startswith(the_bad_value_error())
    verdicts = {
        row.get_attribute("data-name"): row.get_attribute("data-verdict")
        for row in page.locator("#variables tbody tr, #connections tbody tr").all()
    }
    assert [name for name, verdict in verdicts.items() if verdict in ("invalid", "missing")] == [
        PREVENT_REFUND_VARIABLE
    ]
    assert verdicts["netsuite_default"] == verdicts["shopify_default"] == verdicts["netsuite_shopify_ledger"] == "valid"
    assert verdicts["shopify_us"] == verdicts["netsuite_shopify_stores"] == "valid"  # each store's connection checked
    stores = page.locator('#variables tr[data-name="netsuite_shopify_stores"]').inner_text()
    assert "2 store(s): eu (shopify_default: custbody_fa_channel" in stores and "prevent_refund=True" in stores
    assert verdicts["netsuite_shopify_alerts"] == "default"  # not set: alerts only logged
    netsuite = page.locator('#connections tr[data-name="netsuite_default"]').inner_text()
    assert f"time zone {deployment.sandboxes.netsuite_timezone}" in netsuite
    screenshot(page, "12-settings-check-with-a-bad-variable", full_page=True)

    html = settings_page(deployment)
    for connection in deployment.sandboxes.connections().values():
        secrets = [connection.get("password"), connection["extra"].get("token_secret")]
        assert not [secret for secret in secrets if secret and secret in html]
    context.close()


# What holds each scenario's Shopify order, from the world's description (sandbox/world.py).
SCENARIO_HOLDS = {"request_declined": Hold.REQUEST_DECLINED, "fulfillment_in_progress": Hold.FULFILLMENT_SERVICE}


def test_reports_and_history_say_what_happened_in_words_and_what_to_do(deployment, new_context, screenshot):
    world, real = deployment.world, deployment.real
    context = new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sign_in(page, deployment, report_path(real.run_id))
    arrive(page, page.locator("#orders"))
    for scenario, hold in SCENARIO_HOLDS.items():
        netsuite_id = next(nid for nid, name in world.scenarios.items() if name == scenario)
        cells = page.locator(f'#orders tr[data-netsuite-id="{netsuite_id}"] td').all_inner_texts()
        assert (cells[4], cells[6], cells[8]) == ("Shopify cannot cancel it", "Cannot cancel", HOLD_NEXT_STEPS[hold])
    invalid = next(o for o in real.outcomes if o["outcome"] == Outcome.INVALID_LINK)
    cells = page.locator(f'#orders tr[data-netsuite-id="{invalid["id"]}"] td').all_inner_texts()
    assert (cells[4], cells[6], cells[8]) == (
        "No usable Shopify link",
        "Invalid link",
        NEXT_STEPS[Outcome.INVALID_LINK],
    )
    cancelled = next(o for o in real.outcomes if o["outcome"] == Outcome.CANCELLED)
    assert page.locator(f'#orders tr[data-netsuite-id="{cancelled["id"]}"] td.next').inner_text() == ""
    for store, counts in real.report["stores"].items():  # a section per store, its numbers the run's own
        row = page.locator(f'#stores tr[data-store="{store}"]')
        assert int(row.locator('td[data-count="orders"]').inner_text()) == counts["orders"] > 0
        assert (
            int(row.locator('td[data-count="cancelled_with_refund"]').inner_text()) == counts["cancelled_with_refund"]
        )
        bars = page.locator(f"#outcome-chart-{store} g[data-bucket]")
        assert sum(int(bars.nth(i).text_content().split()[-1]) for i in range(bars.count())) == counts["orders"]
    assert (
        real.report["stores"]["us"]["cancelled_with_refund"] == 0 < real.report["stores"]["eu"]["cancelled_with_refund"]
    )
    screenshot(page, "13-report-in-words-with-next-steps", full_page=True)

    # An order's history: the plan's row and the real run's, the next step on the newest only.
    page.get_by_label("Order to search").fill(invalid["tranid"])
    page.get_by_role("button", name="Search history").click()
    rows = page.locator("#history tbody tr")
    arrive(page, rows)
    texts = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    assert [row[9] for row in texts] == ["Invalid link", "Invalid link"]
    assert [row[7] for row in texts] == ["No usable Shopify link"] * 2
    assert [row[11] for row in texts] == ["", NEXT_STEPS[Outcome.INVALID_LINK]]
    screenshot(page, "14-order-history-with-next-step")
    context.close()


def test_a_run_older_than_the_default_period_is_left_out_until_asked_for(deployment):
    """The default period is the last 24 hours: a run recorded a day and a half ago shows only when its dates are
    asked for (its row is the real run's, recorded again as if older)."""
    ledger = Ledger(deployment.real.ledger_url)
    old = dict(ledger_runs(deployment)[deployment.real.run_id])
    old_run_id = "scheduled__older_run"
    ledger.record_run(DAG_ID, old_run_id, {"outcomes": old["counts"], "orders": old["orders"]}, "success")
    with ledger.engine.begin() as db:
        db.execute(
            runs_table.update()
            .where(runs_table.c.run_id == old_run_id)
            .values(finished_at=old["finished_at"] - timedelta(hours=36))
        )
    token = deployment.server.token()
    headers = {"Authorization": f"Bearer {token}"}
    day = (old["finished_at"] - timedelta(hours=36)).strftime("%Y-%m-%d")
    try:
        default = requests.get(f"{deployment.url}{PREFIX}/", headers=headers, timeout=HTTP_TIMEOUT).text
        asked = requests.get(f"{deployment.url}{PREFIX}/?from={day}&to={day}", headers=headers, timeout=HTTP_TIMEOUT)
        assert old_run_id not in default and deployment.real.run_id in default
        assert old_run_id in asked.text and deployment.real.run_id not in asked.text
    finally:
        with ledger.engine.begin() as db:
            db.execute(runs_table.delete().where(runs_table.c.run_id == old_run_id))
