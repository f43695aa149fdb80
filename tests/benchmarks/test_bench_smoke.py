"""The sync benchmark, small: 1,000 orders through four step processes against the sandboxes (each in a
process of its own, as `make bench` runs them).

It checks that the benchmark runs, that its counts are right (a broken pacer, serial paging or a cancel
sent twice shows in them) and that every figure it prints is well-formed. How large the speed figures
are is `make bench`'s to report (benchmarks/bench_sync.py): a test that needs a fast machine tests the
machine.
"""

import math
from collections import Counter

from benchmarks.bench_sync import run_sync, sync_world
from benchmarks.run_limits import client_cpu, cost_rows, what_limited
from sandbox.stores import store_list_argument

# 1,000 points/s into a 3,000-point bucket: 1,000 orders spend ~9,100 points, so the run is cost-bound
# (it spends more than the bucket holds) and the ceiling figures exist.
SMOKE = dict(
    orders=1000,
    preset="plus",
    latency=0.01,
    netsuite_cap=5,
    netsuite_concurrency=4,
    bucket_size=3000.0,
    restore_rate=1000.0,
    quiet=True,
)


def test_a_small_sync_counts_right_and_reports_well_formed_figures():
    result = run_sync(**SMOKE)  # the DAG's order: each batch's compare, then its cancel

    assert list(result.steps) == ["extract", "batch", "report"]
    assert result.problems == []  # extracted and cancelled exactly as the world says, nothing failed
    world = sync_world(SMOKE["orders"], seed=11, idle=False)
    assert result.extracted == len(world.ids_with(lambda s: s.extracted))  # re-entered twins come on top of 1,000
    assert result.cancelled == result.expected_cancelled > 500
    assert result.cancel_calls == result.cancelled_orders == result.cancelled  # one orderCancel per order
    assert result.shopify_total("points_spent") > SMOKE["bucket_size"], "cost-bound: spent more than the bucket"
    assert result.throttled_share <= 0.05  # the pacer waits instead of bouncing off THROTTLED
    extract = result.steps["extract"]
    assert extract.netsuite["peak_concurrency"] <= 4 and extract.netsuite["concurrency_rejections"] == 0
    assert result.pages == math.ceil(result.extracted / 1000)  # 1,000 rows a page
    assert 0 < result.extraction_seconds <= extract.wall  # the extraction lies within its step
    assert result.whole_page_rate == result.pages / result.extraction_seconds
    for figure in (result.achieved, result.achieved_active, result.run_ceiling, result.steady_ceiling):
        assert figure is not None and math.isfinite(figure) and figure > 0, figure
    assert all(step.wall > 0 and step.rss_mb > 0 for step in result.steps.values())
    assert result.xcom_per_order("compare") < result.xcom_per_order("compare", "xcom_dict_bytes")
    assert all(result.xcom_per_order(step) <= 150 for step in ("extract", "compare", "cancel"))


def test_the_run_reports_its_cpu_what_limited_it_and_each_store_s_own_shop():
    stores = store_list_argument("eu:connector,us:celigo,b2b:subsidiary")
    result = run_sync(**SMOKE | {"orders": 300, "stores": stores, "slots": 3, "depth_first": False})

    assert result.problems == [] and result.sandboxes_apart
    assert result.shopify_steps == ["compare", "cancel"]  # every compare first, then every cancel
    work, whole = client_cpu(result)
    assert 0 < work <= whole
    for name in result.shopify_steps:
        step = result.steps[name]
        assert set(step.sandbox_cpu) == {"netsuite", "shopify", "shops"}  # shopify: the busiest shop's process
        assert step.sandbox_cpu["shopify"] <= step.sandbox_cpu["shops"]
        assert all(math.isfinite(seconds) and seconds >= 0 for seconds in step.sandbox_cpu.values())
        assert step.shopify["restore_lost"] >= 0 and step.bucket_after >= 0 and step.load >= 0
        assert 0 < step.startup < step.wall
    assert result.steps["cancel"].stats["shopify"]["peak_in_flight"] >= 1
    assert what_limited(result)
    rows = dict(cost_rows(result))
    assert (
        rows["what limited it"] == what_limited(result)
        and "per cancelled order" in rows["client CPU, compare + cancel processes"]
    )
    # Each store's orders were cancelled in its own shop, and that shop's figures are its own.
    world = sync_world(300, seed=11, idle=False, stores=stores)
    expected = Counter(world.store_of[ns_id] for ns_id in world.ids_with(lambda s: s.cancellable))
    assert {store.name: store.cancelled for store in result.stores} == dict(expected)
    assert sum(expected.values()) == result.cancelled and len(expected) == 3
    assert (result.bucket, result.restore_rate) == (3 * SMOKE["bucket_size"], 3 * SMOKE["restore_rate"])
    for store in result.stores:
        assert (store.bucket, store.restore_rate) == (SMOKE["bucket_size"], SMOKE["restore_rate"])
        assert store.requests > store.cancelled and 0 <= store.throttled <= store.requests
        assert store.points_spent > 0 and store.restore_lost >= 0 and store.active_seconds > 0
    assert sum(store.points_spent for store in result.stores) == result.shopify_total("points_spent")


def test_the_whole_extraction_is_timed_from_the_first_request_to_the_last_page_without_the_probes():
    from benchmarks.bench_sync import _netsuite_span

    timeline = [(10.0, 10.3, 200), (10.31, 10.5, 429), (10.32, 10.6, 200), (10.7, 10.75, 200), (10.8, 10.85, 200)]
    assert _netsuite_span(timeline, probes=2) == {"first_request_at": 10.0, "last_page_at": 10.6}
    assert _netsuite_span(timeline, probes=0)["last_page_at"] == 10.85
    assert _netsuite_span([], probes=0) == {}
