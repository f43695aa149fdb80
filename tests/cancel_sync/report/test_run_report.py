"""The HTML and CSV reports of real DAG runs against the sandboxes, checked against the audit ledger."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from include.cancel_sync.labels import DECISION_LABELS, HOLD_NEXT_STEPS, NEXT_STEPS, OUTCOME_LABELS
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.report.files import report_file
from include.cancel_sync.shopify.fulfillment import Hold
from sandbox.world import build_world
from tests.cancel_sync.report.report_page import read_report_page
from tests.conftest import WORLD_END, WORLD_START
from tests.dag_runs import DAG_ID, run_sync, whole_world_window
from tests.timing import HTTP_TIMEOUT

pytestmark = pytest.mark.usefixtures("airflow_db")

ON = {"netsuite_shopify_cancel_enabled": "true"}
WINDOW = whole_world_window(WORLD_START, WORLD_END)
HOSTILE_TRANID = 'SO-<script>alert("x")</script>&Ü'
NON_ASCII_TRANID = "Bestellung-Größe-注文"


def seeded_world():
    """Every scenario, and two tranids a careless page would break on: markup and non-ASCII."""
    world = build_world(2 * 21, WORLD_START, WORLD_END, seed=11, every_scenario=True)
    cancellable = sorted(nid for nid, name in world.scenarios.items() if name == "cancel_paid")
    missing = next(nid for nid, name in world.scenarios.items() if name == "missing_in_shopify")
    world.sales_order(cancellable[0]).tranid = HOSTILE_TRANID
    world.sales_order(missing).tranid = NON_ASCII_TRANID
    return world


def saved(tmp_path, run, kind: str) -> str:
    encoding = "utf-8-sig" if kind == "csv" else "utf-8"
    return report_file(f"file://{tmp_path / 'reports'}", DAG_ID, run.run_id, kind).read_text(encoding=encoding)


def ledger_view(url: str) -> set[tuple]:
    """What the ledger says about each order, in the report's terms."""
    return {
        (
            row["store"] or "",
            row["tranid"],
            str(row["netsuite_id"]),
            row["shopify_name"] or row["shopify_gid"] or "",
            row["decision"],
            "yes" if row["refund_requested"] else "no",
            row["outcome"],
            row["detail"],
        )
        for row in Ledger(url).history()
    }


def test_html_and_csv_list_every_order_as_the_ledger_has_it(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(world=seeded_world())
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=WINDOW)
    assert run.state == "success", run.task_states
    expected = ledger_view(run.ledger_url)
    assert len(expected) == len(run.outcomes) > 20

    page = read_report_page(saved(tmp_path, run, "html"))
    assert {tuple(row[:8]) for row in page.rows} == expected  # the codes, kept in the page's cells
    assert len(page.rows) == len(expected)
    table = list(csv.DictReader(io.StringIO(saved(tmp_path, run, "csv"))))
    assert {
        (
            r["store"],
            r["netsuite_tranid"],
            r["netsuite_internal_id"],
            r["shopify_order"],
            r["decision"],
            r["refund"],
            r["outcome"],
            r["reason"],
        )
        for r in table
    } == expected

    # Headline numbers and chart bars a person reads, against the ledger's own counts.
    rows = Ledger(run.ledger_url).history()
    cancelled = [r for r in rows if r["outcome"] == "cancelled"]
    assert page.headline == {
        "orders": len(rows),
        "cancelled": len(cancelled),
        "attention": page.headline["attention"],
        "failed": 0,
    }
    assert page.bars["cancelled_with_refund"] == sum(1 for r in cancelled if r["refund_requested"]) > 0
    assert page.bars["cancelled_without_refund"] == sum(1 for r in cancelled if not r["refund_requested"]) > 0
    needs_a_person = ("cannot_cancel", "not_found", "invalid_link", "linked_to_open_order", "billed_in_netsuite")
    for bucket in ("already_cancelled", *needs_a_person):
        assert page.bars[bucket] == sum(1 for r in rows if r["outcome"] == bucket) > 0, bucket
    assert page.bars["failed"] == page.bars["would_cancel"] == 0
    assert page.headline["attention"] == sum(page.bars[b] for b in needs_a_person)
    assert page.banners == []  # a real run: no plan banner, nothing failed

    # Markup in a tranid is shown as text, never run; non-ASCII survives both formats.
    html = saved(tmp_path, run, "html")
    assert page.scripts == 0 and "<script>" not in html
    assert HOSTILE_TRANID in {row[1] for row in page.rows}
    assert NON_ASCII_TRANID in {row[1] for row in page.rows}
    assert NON_ASCII_TRANID in {r["netsuite_tranid"] for r in table}

    # Links: NetSuite's record page from the account id; the sandbox's order view stands in for Shopify's admin.
    hostile = page.rows.index(next(row for row in page.rows if row[1] == HOSTILE_TRANID))
    netsuite_link, _, shopify_link = page.links[hostile][1:4]
    internal_id = page.rows[hostile][2]
    assert (
        netsuite_link
        == f"https://1234567-sb1.app.netsuite.com/app/accounting/transactions/salesord.nl?id={internal_id}"
    )
    assert shopify_link.startswith(sandboxes.shopify_url + "/_sandbox/orders/")
    order = requests.get(shopify_link, timeout=HTTP_TIMEOUT).json()
    assert order["name"] == page.rows[hostile][3] and order["cancelled_at"]


# What holds each scenario's Shopify order, from the world's own description (sandbox/world.py), not from decide.py.
SCENARIO_HOLDS = {
    "fulfilled_in_shopify": Hold.SHIPPED,
    "partially_fulfilled_in_shopify": Hold.SHIPPED,
    "return_in_progress": Hold.RETURN,
    "fulfillment_in_progress": Hold.FULFILLMENT_SERVICE,
    "pending_fulfillment_service": Hold.FULFILLMENT_SERVICE,
    "request_declined": Hold.REQUEST_DECLINED,
}


def test_the_page_says_decisions_and_outcomes_in_words_with_a_next_step_for_each_problem(make_sandboxes, tmp_path):
    world = seeded_world()
    run = run_sync(make_sandboxes(world=world), tmp_path, variables=ON, conf=WINDOW)
    assert run.state == "success", run.task_states
    page = read_report_page(saved(tmp_path, run, "html"))
    needs_a_person = {"cannot_cancel", "not_found", "invalid_link", "linked_to_open_order", "billed_in_netsuite"}
    seen_holds, steps = set(), 0
    for codes, texts in zip(page.rows, page.texts, strict=True):
        decision, outcome, next_step = codes[4], codes[6], texts[8]
        assert texts[4] == DECISION_LABELS[decision] != decision  # words on the page, the code kept beside them
        assert texts[6] == OUTCOME_LABELS[outcome] != outcome
        scenario = world.scenarios[int(codes[2])]
        if outcome == "cannot_cancel":
            hold = SCENARIO_HOLDS[scenario]
            seen_holds.add(hold)
            assert next_step == HOLD_NEXT_STEPS[hold], scenario
        elif outcome in needs_a_person:
            assert next_step == NEXT_STEPS[outcome], scenario
        else:
            assert next_step == "", scenario  # nothing for a person to do
        steps += bool(next_step)
    assert seen_holds == set(SCENARIO_HOLDS.values())  # every kind of hold had its own step
    assert steps == page.headline["attention"] > 0
    # The CSV keeps the codes.
    table = list(csv.DictReader(io.StringIO(saved(tmp_path, run, "csv"))))
    assert {r["outcome"] for r in table} >= needs_a_person and "next_step" not in table[0]


def test_dry_run_report_says_plan_first_and_nothing_changed(make_sandboxes, tmp_path):
    sandboxes = make_sandboxes(count=2 * 21, seed=11, every_scenario=True)
    run = run_sync(sandboxes, tmp_path, variables=ON, conf=WINDOW | {"dry_run": True})
    assert run.state == "success"
    assert sandboxes.shopify.store.cancel_calls == []

    page = read_report_page(saved(tmp_path, run, "html"))
    assert page.first_body_element == "plan-banner"
    banner_id, banner = page.banners[0]
    assert "PLAN — nothing was changed" in banner and "dry run" in banner
    would = [row for row in page.rows if row[6] == "would_cancel"]
    assert would and page.headline["would_cancel"] == len(would) == page.bars["would_cancel"]
    assert any(row[5] == "yes" for row in would) and any(row[5] == "no" for row in would)  # refund in the plan
    assert "cancelled" not in {row[6] for row in page.rows}
    assert "cancelled" not in page.headline


def test_a_report_location_that_cannot_be_written_still_records_the_run_and_fails_it_saying_so(
    make_sandboxes, tmp_path
):
    sandboxes = make_sandboxes(count=12, seed=3)
    unwritable = "file:///proc/no-reports-here"  # no directory can be made in /proc, even as root
    run = run_sync(sandboxes, tmp_path, {**ON, "netsuite_shopify_report_location": unwritable}, WINDOW)

    assert run.state == "failed" and run.task_states["report"] == ["failed"]
    assert sandboxes.shopify.store.cancel_calls  # every order was handled before the report
    (row,) = Ledger(run.ledger_url).runs([DAG_ID])
    assert row["state"] == "failed" and unwritable in row["reason"] and row["orders"] > 0
