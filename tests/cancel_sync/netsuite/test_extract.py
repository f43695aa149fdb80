"""Extraction over real SuiteQL paging: complete, ordered, deduplicated, within the caps."""

import json
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from include.cancel_sync.errors import NetSuiteError
from include.cancel_sync.netsuite import client as netsuite_client
from include.cancel_sync.netsuite.client import NetSuiteClient
from include.cancel_sync.netsuite.extract import MAX_MAPPED_BATCHES, _record, extract_canceled_orders, make_batches
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.order_ids import parse_shopify_link
from include.cancel_sync.window import Window
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIOS, build_world
from tests.cancel_sync.step_runner import sandbox_clock
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import HTTP_TIMEOUT as WAIT

WHOLE = Window(WORLD_START, WORLD_END)


def client_for(sandboxes, **options) -> NetSuiteClient:
    return NetSuiteClient(sandboxes.netsuite_session, sandboxes.netsuite_url, sandbox_clock(sandboxes), **options)


def only(*names):
    return {s.name: (1 if s.name in names else 0) for s in SCENARIOS}


def recording(client: NetSuiteClient) -> list[tuple[str, int]]:
    """(query, offset) of every page the client asks for, retries left out."""
    sent: list[tuple[str, int]] = []
    fetch = client.fetch_page

    def fetch_page(query: str, offset: int):
        sent.append((query, offset))
        return fetch(query, offset)

    client.fetch_page = fetch_page
    return sent


def counts(sent) -> int:
    return sum("COUNT(" in query for query, _ in sent)


def probes(sent) -> int:
    """Queries for the rows after a given id (the check of a query reading exactly the limit)."""
    return sum("t.id >" in query for query, _ in sent)


def first_pages(sent) -> int:
    return sum(offset == 0 and "t.id >" not in query for query, offset in sent)


@pytest.fixture
def limit_1000(monkeypatch):
    """NetSuite's 100,000 rows per query brought down to 1,000 (client and sandbox alike), for small worlds."""
    from sandbox.netsuite import executor, paging

    for module, name in (
        (netsuite_client, "MAX_ROWS_PER_QUERY"),
        (paging, "MAX_REACHABLE_ROWS"),
        (executor, "MAX_REACHABLE_ROWS"),
    ):
        monkeypatch.setattr(module, name, 1000)


def report_totals_capped_at_1000(monkeypatch, has_more_too: bool) -> None:
    """The other reading of NetSuite's ceiling: `totalResults` never above the rows it serves (1,000 here),
    and with `has_more_too` the last reachable page's `hasMore` false as well."""
    from sandbox.netsuite import app

    page_body = app._page_body

    def capped(request_url, page, outcome):
        body = page_body(request_url, page, outcome)
        body = json.loads(body) if isinstance(body, bytes) else body
        body["totalResults"] = min(outcome.total, 1000)
        if has_more_too:
            body["hasMore"] = page.offset + body["count"] < body["totalResults"]
        return body

    monkeypatch.setattr(app, "_page_body", capped)


def test_parallel_pages_stay_under_the_concurrency_cap(make_sandboxes):
    sandboxes = make_sandboxes(
        count=3500, options=SandboxOptions(latency=0.02, netsuite_concurrency_limit=3), scenarios=only("cancel_paid")
    )
    client = client_for(sandboxes, page_size=250, max_concurrency=3)
    with sandboxes.netsuite.hold.meeting(3, WAIT, after=1, body_contains="SELECT"):  # after the first page, 3 at once
        records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert [r["id"] for r in records] == sorted(sandboxes.world.scenarios)
    assert sandboxes.netsuite.stats["peak_concurrency"] == 3
    assert sandboxes.netsuite.stats["concurrency_rejections"] == 0


def test_window_edges_start_inclusive_end_exclusive(make_sandboxes):
    world = build_world(3, WORLD_START, WORLD_END, seed=1, scenarios=only("cancel_paid"))
    world.sales_orders[0].last_modified = WORLD_START
    world.sales_orders[1].last_modified = WORLD_END
    world.sales_orders[2].last_modified = WORLD_END - timedelta(seconds=1)
    sandboxes = make_sandboxes(world=world)
    records = extract_canceled_orders(client_for(sandboxes), SyncSettings(), WHOLE)
    assert [r["id"] for r in records] == [world.sales_orders[0].id, world.sales_orders[2].id]


def test_more_than_100k_rows_split_the_window(make_sandboxes):
    sandboxes = make_sandboxes(count=100_500, seed=3, scenarios=only("cancel_paid", "cancel_gid_link"))
    client = client_for(sandboxes, max_concurrency=4)
    sent = recording(client)
    records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert len(records) == 100_500
    assert len({r["id"] for r in records}) == 100_500
    assert all(r["gid"] for r in records)
    # The whole window's first page said 100,500 rows: split in two halves, no COUNT query anywhere.
    assert (first_pages(sent), counts(sent)) == (3, 0)
    assert len(sent) <= 1 + 100_500 // 1000 + 2  # the whole window's one page, then each half's pages
    assert sandboxes.netsuite.stats["peak_concurrency"] <= 4


def test_the_first_pages_total_sizes_the_paging_without_a_count_query(make_sandboxes):
    sandboxes = make_sandboxes(count=2_345, scenarios=only("cancel_paid"))
    client = client_for(sandboxes, page_size=500, max_concurrency=2)
    sent = recording(client)
    records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert len(records) == 2_345
    assert sorted(offset for _, offset in sent) == [0, 500, 1000, 1500, 2000]
    assert sandboxes.netsuite.stats["requests"] == 5  # one request per page, nothing else


def test_windows_over_the_limit_are_split_until_each_fits(make_sandboxes, limit_1000):
    sandboxes = make_sandboxes(
        count=3_500, options=SandboxOptions(latency=0.01, netsuite_concurrency_limit=2), scenarios=only("cancel_paid")
    )
    client = client_for(sandboxes, page_size=100, max_concurrency=2)
    sent = recording(client)
    with sandboxes.netsuite.hold.meeting(2, WAIT, after=1, body_contains="SELECT"):  # the halves' first pages
        records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert [r["id"] for r in records] == sorted(sandboxes.world.scenarios)
    assert counts(sent) == 0 and probes(sent) <= 1  # only a part reading exactly 1,000 rows would need one
    assert first_pages(sent) >= 7  # 3,500 → 1,750 ×2 → 875 ×4, at least
    stats = sandboxes.netsuite.stats
    assert (stats["peak_concurrency"], stats["concurrency_rejections"]) == (2, 0)


def test_exactly_the_limit_asks_for_the_rows_after_the_last_page_and_is_not_split(make_sandboxes, limit_1000):
    sandboxes = make_sandboxes(
        count=1_000, options=SandboxOptions(latency=0.01, netsuite_concurrency_limit=3), scenarios=only("cancel_paid")
    )
    client = client_for(sandboxes, page_size=100, max_concurrency=3)
    sent = recording(client)
    with sandboxes.netsuite.hold.meeting(3, WAIT, after=1, body_contains="SELECT"):
        records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert len(records) == 1_000
    assert (first_pages(sent), probes(sent), counts(sent), len(sent)) == (1, 1, 0, 11)
    assert sent[1][1] == 900  # the last page NetSuite serves goes out first, so the check overlaps the paging
    probe = next(query for query, _ in sent if "t.id >" in query)
    assert f"t.id > {records[-1]['id']}" in probe
    stats = sandboxes.netsuite.stats
    assert (stats["peak_concurrency"], stats["concurrency_rejections"]) == (3, 0)


@pytest.mark.parametrize("has_more_too", [False, True])
def test_a_total_capped_at_the_limit_still_splits_the_window(make_sandboxes, limit_1000, monkeypatch, has_more_too):
    """If NetSuite reported no more than it serves, the first page would read exactly the limit: the rows
    after the last page it serves show more, and the window is split; no order lost, none twice."""
    report_totals_capped_at_1000(monkeypatch, has_more_too)
    sandboxes = make_sandboxes(count=1_500, scenarios=only("cancel_paid"))
    client = client_for(sandboxes, page_size=100, max_concurrency=2)
    sent = recording(client)
    records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert [r["id"] for r in records] == sorted(sandboxes.world.scenarios)
    assert probes(sent) >= 1 and first_pages(sent) >= 3 and counts(sent) == 0


def test_a_query_reading_exactly_the_limit_whose_last_page_says_more_fails(make_sandboxes, limit_1000, monkeypatch):
    report_totals_capped_at_1000(monkeypatch, has_more_too=False)
    sandboxes = make_sandboxes(count=1_500, scenarios=only("cancel_paid"))
    rows = client_for(sandboxes, page_size=100).query(
        canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), WHOLE, sandbox_clock(sandboxes))
    )
    with pytest.raises(NetSuiteError, match="TOO_MANY_ROWS"):
        list(rows)


def test_the_limit_follows_the_page_size(make_sandboxes, limit_1000):
    """With 300 rows a page, a query serves 900 of the 1,000 (offset + limit stays within the limit):
    950 rows are split, not paged into a refused request."""
    sandboxes = make_sandboxes(count=950, scenarios=only("cancel_paid"))
    client = client_for(sandboxes, page_size=300)
    assert client.max_rows == 900
    sent = recording(client)
    records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert [r["id"] for r in records] == sorted(sandboxes.world.scenarios)
    assert first_pages(sent) == 3 and all(offset + 300 <= 900 for _, offset in sent)


def test_a_window_too_narrow_to_split_fails_before_any_row(make_sandboxes, limit_1000):
    world = build_world(1_200, WORLD_START, WORLD_END, seed=2, scenarios=only("cancel_paid"))
    for order in world.sales_orders:
        order.last_modified = WORLD_START  # all within one second
    sandboxes = make_sandboxes(world=world)
    client = client_for(sandboxes, page_size=100)
    sent = recording(client)
    with pytest.raises(NetSuiteError, match="TOO_MANY_ROWS"):
        extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert sent[-1][1] == 0 and first_pages(sent) >= 2  # split down to one second, then only first pages


def test_many_queries_at_once_stay_within_the_client_concurrency(make_sandboxes):
    sandboxes = make_sandboxes(
        count=3_000, options=SandboxOptions(latency=0.02, netsuite_concurrency_limit=2), scenarios=only("cancel_paid")
    )
    ids = tuple(sorted(sandboxes.world.scenarios))
    client = client_for(sandboxes, page_size=1000, max_concurrency=2)
    sent = recording(client)
    with sandboxes.netsuite.hold.meeting(2, WAIT, body_contains="SELECT"):
        records = extract_canceled_orders(client, SyncSettings(order_ids=ids), None)
    assert [r["id"] for r in records] == list(ids)
    assert first_pages(sent) == 4  # 900 ids per query, all four started at once
    stats = sandboxes.netsuite.stats
    assert (stats["peak_concurrency"], stats["concurrency_rejections"]) == (2, 0)


def test_batches_never_exceed_what_airflow_can_map():
    records = [{"id": i, "gid": f"gid://shopify/Order/{i}"} for i in range(300_000)]
    batches = make_batches(records)
    assert len(batches) <= MAX_MAPPED_BATCHES
    assert all(len(b) % 250 == 0 for b in batches[:-1])
    assert [r["id"] for b in batches for r in b] == list(range(300_000))
    assert [len(b) for b in make_batches(records[:600])] == [250, 250, 100]
    assert make_batches([]) == []


def test_orders_linking_one_shopify_order_share_a_batch():
    # 249 orders, then three linking one Shopify order: they go to the next batch together, not split 1 + 2.
    records = [{"id": i, "gid": f"gid://shopify/Order/{i}"} for i in range(249)]
    records += [{"id": 300 + i, "gid": "gid://shopify/Order/999"} for i in range(3)]
    records += [{"id": 400 + i, "gid": None} for i in range(2)]  # no usable link: batched one by one
    batches = make_batches(records)
    assert [len(b) for b in batches] == [249, 5]
    assert {r["id"] for r in batches[1]} == {300, 301, 302, 400, 401}


def test_a_batch_holds_one_store_s_orders_and_the_stores_take_turns():
    stores = ["eu"] * 600 + ["us"] * 260 + [None] * 3  # None: orders of no store
    records = [{"id": i, "gid": f"gid://shopify/Order/{i % 500}", "store": store} for i, store in enumerate(stores)]
    batches = make_batches(records)
    assert [(b[0]["store"], len(b)) for b in batches] == [
        ("eu", 250),
        ("us", 250),
        (None, 3),
        ("eu", 250),
        ("us", 10),
        ("eu", 100),
    ]
    assert all(len({r["store"] for r in b}) == 1 for b in batches)
    assert sorted(r["id"] for b in batches for r in b) == list(range(len(stores)))
    # One store's orders linking one Shopify order share a batch; another store's order with that id does not.
    for store in ("eu", "us"):
        batch_of = {}
        for index, batch in enumerate(batches):
            for record in batch:
                if record["store"] == store:
                    batch_of.setdefault(record["gid"], set()).add(index)
        assert all(len(indexes) == 1 for indexes in batch_of.values())


def test_canceled_orders_sharing_a_shopify_order_are_extracted_side_by_side(make_sandboxes):
    sandboxes = make_sandboxes(count=30, scenarios=only("reentered_all_canceled", "cancel_paid"))
    records = extract_canceled_orders(client_for(sandboxes), SyncSettings(), WHOLE)
    shared = [gid for gid, count in Counter(r["gid"] for r in records).items() if count > 1]
    assert shared and all(Counter(r["gid"] for r in records)[gid] == 2 for gid in shared)
    batch_of: dict[str, set[int]] = {}
    for index, batch in enumerate(make_batches(records, size=7)):  # small batches: many chances to split a pair
        for record in batch:
            batch_of.setdefault(record["gid"], set()).add(index)
    assert all(len(indexes) == 1 for indexes in batch_of.values())


@given(st.none() | st.text() | st.from_regex(r"\A\s*[0-9]{0,21}\s*\Z") | st.integers(0, 10**20).map(str))
@example("0")
@example("0042")
@example("9" * 19)
@example("9" * 20)
@example("١٢٣")  # Arabic-Indic digits: str.isdigit() says yes, a Shopify id they are not
@example("²")
@example(" 42\n")
def test_a_record_reads_the_link_exactly_as_parse_shopify_link(raw):
    record = _record({"id": "7", "tranid": "SO7", "status": "SalesOrd:C", "shopify_link_0": raw}, str)
    link = parse_shopify_link(raw)
    assert (record["gid"], record.get("problem")) == (link.gid, link.problem)
