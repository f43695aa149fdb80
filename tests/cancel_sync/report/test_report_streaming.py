"""The report is built one batch at a time (rows spooled to disk, read back sorted) and must say exactly what
building it from every outcome at once says."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from include.cancel_sync.records import Outcome
from include.cancel_sync.report import files as report_store
from include.cancel_sync.report.files import ReportFiles, report_file
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.report.summary import MAX_LISTED, RunSummary, format_report
from tests.cancel_sync.report.reference import build_report, order_rows, render_csv, save_report

OUTCOMES = [
    Outcome.CANCELLED,
    Outcome.WOULD_CANCEL,
    Outcome.ALREADY_CANCELLED,
    Outcome.CANNOT_CANCEL,
    Outcome.NOT_FOUND,
    Outcome.INVALID_LINK,
    Outcome.LINKED_TO_OPEN_ORDER,
    Outcome.BILLED_IN_NETSUITE,
    Outcome.FAILED,
]
SETTINGS = {"cancel_enabled": True}
LINKS = RecordUrls("https://123-sb1.app.netsuite.com", "https://admin.shopify.com/store/demo/orders/")
# Tranids that sort differently under careless collations: case, accents, CJK, emoji, digits, empty.
TRANIDS = st.one_of(st.sampled_from(["SO10", "so10", "SO9", "É1", "E1", "注文", "😀", "", "=1+1"]), st.text(max_size=6))


@st.composite
def outcome_batches(draw):
    count = draw(st.integers(0, 60))
    ids = draw(st.lists(st.integers(1, 10**9), min_size=count, max_size=count, unique=True))
    outcomes = [
        {
            "id": netsuite_id,
            "tranid": draw(TRANIDS),
            "gid": f"gid://shopify/Order/{netsuite_id}" if draw(st.booleans()) else None,
            "shopify_name": draw(st.sampled_from([None, "#1001", "#1002"])),
            "decision": "to_cancel",
            "refund": draw(st.booleans()),
            "outcome": draw(st.sampled_from(OUTCOMES)),
            "detail": draw(st.text(max_size=8)),
        }
        for netsuite_id in ids
    ]
    cuts = sorted(draw(st.lists(st.integers(0, count), max_size=4)))
    return [outcomes[a:b] for a, b in zip([0, *cuts], [*cuts, count], strict=True)]


def data_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-netsuite-id="(\d+)"', page)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(batches=outcome_batches())
def test_streamed_files_equal_the_all_at_once_report(tmp_path_factory, monkeypatch, batches):
    monkeypatch.setattr(report_store, "MAX_HTML_ROWS", 25)  # so some draws overflow the page's table
    location = f"file://{tmp_path_factory.mktemp('reports')}"
    everything = [outcome for batch in batches for outcome in batch]
    summary = RunSummary(SETTINGS, None)
    with ReportFiles(location, "dag", "run", LINKS) as files:
        for batch in batches:
            files.add(batch)
            summary.add(batch)
        result = summary.result()
        files.finish(result, SETTINGS, "dag", "run")

    assert result == build_report(everything, SETTINGS, None)
    expected_rows = order_rows(everything, LINKS)
    csv_text = report_file(location, "dag", "run", "csv").read_bytes().decode("utf-8-sig")  # no newline translation
    assert csv_text == render_csv(expected_rows)  # same rows, same order (problems first, then tranid, id)
    page = report_file(location, "dag", "run", "html").read_text(encoding="utf-8")
    assert data_ids(page) == [row.netsuite_id for row in expected_rows[:25]]
    assert f'data-count="orders">{len(everything)}<' in page
    saved = json.loads(report_file(location, "dag", "run", "json").read_text())
    assert saved["outcomes"] == everything and saved["report"] == result


def test_the_summary_names_the_first_orders_and_counts_them_all():
    outcomes = [
        {"id": i, "tranid": f"SO{i}", "gid": None, "decision": "invalid_link", "refund": False}
        | {"outcome": Outcome.INVALID_LINK, "detail": "link field is empty"}
        for i in range(MAX_LISTED + 37)
    ]
    report = build_report(outcomes, SETTINGS, None)
    assert report["not_cancelled_total"] == MAX_LISTED + 37
    assert [row["netsuite_id"] for row in report["not_cancelled"]] == list(range(MAX_LISTED))
    assert format_report(report).endswith("… and 37 more not cancelled (every order is in the report's CSV)")


def test_csv_rows_read_back_as_written(tmp_path):
    outcomes = [
        {"id": 7, "tranid": "=cmd", "gid": None, "decision": "invalid_link", "refund": False}
        | {"outcome": Outcome.INVALID_LINK, "detail": "bad"},
        {"id": 3, "tranid": "SO3", "gid": "gid://shopify/Order/3", "decision": "to_cancel", "refund": True}
        | {"outcome": Outcome.CANCELLED, "detail": "cancelled"},
    ]
    location = f"file://{tmp_path}"
    save_report(location, "dag", "run", build_report(outcomes, SETTINGS, None), outcomes, SETTINGS)
    text = report_file(location, "dag", "run", "csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["netsuite_internal_id"], r["netsuite_tranid"], r["refund"]) for r in rows] == [
        ("7", "'=cmd", "no"),
        ("3", "SO3", "yes"),
    ]
