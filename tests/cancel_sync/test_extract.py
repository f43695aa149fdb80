"""Extraction over real SuiteQL paging: complete, ordered, deduplicated, within the caps."""

from datetime import timedelta

from include.cancel_sync.extract import MAX_MAPPED_BATCHES, extract_canceled_orders, make_batches
from include.cancel_sync.netsuite_client import NetSuiteClient
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.window import Window
from include.sandbox.runner import SandboxOptions
from include.sandbox.world import SCENARIOS, build_world
from tests.conftest import WORLD_END, WORLD_START

WHOLE = Window(WORLD_START, WORLD_END)


def client_for(sandboxes, **options) -> NetSuiteClient:
    return NetSuiteClient(sandboxes.netsuite_session, sandboxes.netsuite_url, **options)


def only(*names):
    return {s.name: (1 if s.name in names else 0) for s in SCENARIOS}


def test_parallel_pages_stay_under_the_concurrency_cap(make_sandboxes):
    sandboxes = make_sandboxes(
        count=3500, options=SandboxOptions(latency=0.02, netsuite_concurrency_limit=3), scenarios=only("cancel_paid")
    )
    client = client_for(sandboxes, page_size=250, max_concurrency=3)
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
    records = extract_canceled_orders(client, SyncSettings(), WHOLE)
    assert len(records) == 100_500
    assert len({r["id"] for r in records}) == 100_500
    assert all(r["gid"] for r in records)


def test_batches_never_exceed_what_airflow_can_map():
    records = [{"id": i} for i in range(300_000)]
    batches = make_batches(records)
    assert len(batches) <= MAX_MAPPED_BATCHES
    assert all(len(b) % 250 == 0 for b in batches[:-1])
    assert [r["id"] for b in batches for r in b] == list(range(300_000))
    assert [len(b) for b in make_batches(records[:600])] == [250, 250, 100]
    assert make_batches([]) == []


def test_a_link_shared_by_many_orders_is_flagged_on_each_without_naming_them_all(make_sandboxes):
    sandboxes = make_sandboxes(count=40, scenarios=only("duplicate_link"))
    records = extract_canceled_orders(client_for(sandboxes), SyncSettings(), WHOLE)
    assert len(records) == 40 and all(r["duplicate"] for r in records)
    problem = records[0]["problem"]
    assert "(40)" in problem and problem.endswith("and 35 more")
    assert problem.count("SO") == 5  # a fixed size per record, however many orders share the link
