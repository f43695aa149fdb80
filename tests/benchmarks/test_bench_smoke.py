"""The sync benchmark, small: 1,000 orders through four step processes against the sandboxes.

Generous bounds catch regressions (a broken pacer, serial paging, a cancel sent twice) without timing
flakiness; the real figures come from `make bench` (benchmarks/bench_sync.py).
"""

from benchmarks.bench_sync import run_sync

# 1,000 points/s into a 3,000-point bucket: 1,000 orders spend ~9,100 points, so the run is cost-bound
# after a few seconds, and the compare + cancel steps need about 6 s at the ceiling.
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


def test_a_small_sync_counts_right_and_runs_near_the_cost_ceiling():
    result = run_sync(**SMOKE)

    assert result.problems == []  # extracted and cancelled exactly as the world says, nothing failed
    assert result.extracted == 1000
    assert result.cancelled == result.expected_cancelled > 500
    assert result.cancel_calls == result.cancelled_orders == result.cancelled  # one orderCancel per order
    assert result.run_ceiling is not None, "the smoke run must be cost-bound to say anything about pacing"
    assert result.achieved_active >= 0.5 * result.run_ceiling, (result.achieved_active, result.run_ceiling)
    assert result.throttled_share <= 0.05
    extract = result.steps["extract"]
    assert extract.netsuite["peak_concurrency"] <= 4 and extract.netsuite["concurrency_rejections"] == 0
    assert result.pages == 1 and 0.01 <= result.extraction_seconds < extract.wall  # 1,000 orders: one page
    assert result.whole_page_rate == result.pages / result.extraction_seconds
    assert all(step.rss_mb > 0 for step in result.steps.values())
    assert result.xcom_per_order("compare") < result.xcom_per_order("compare", "xcom_dict_bytes")
    assert all(result.xcom_per_order(step) <= 150 for step in ("extract", "compare", "cancel"))


def test_the_whole_extraction_is_timed_from_the_first_request_to_the_last_page_without_the_probes():
    from benchmarks.bench_sync import _netsuite_span

    timeline = [(10.0, 10.3, 200), (10.31, 10.5, 429), (10.32, 10.6, 200), (10.7, 10.75, 200), (10.8, 10.85, 200)]
    assert _netsuite_span(timeline, probes=2) == {"first_request_at": 10.0, "last_page_at": 10.6}
    assert _netsuite_span(timeline, probes=0)["last_page_at"] == 10.85
    assert _netsuite_span([], probes=0) == {}
