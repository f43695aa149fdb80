"""The account concurrency limit, fault injection, stats and the sandbox control endpoints."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.faults import FaultPlan, FaultRule
from tests.clocks import FakeClock
from tests.timing import HTTP_TIMEOUT

QUERY = "SELECT t.id FROM transaction t ORDER BY t.id"


def parallel_statuses(make_client, base_url: str, count: int) -> list[int]:
    """`count` requests at once, each on its own connection and signed separately."""
    clients = [make_client(base_url) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda client: client.post(QUERY).status_code, clients))


def test_requests_arriving_while_every_slot_is_taken_get_429(start_netsuite, make_client, netsuite_error):
    app, client = start_netsuite(concurrency_limit=2)
    app.hold.arm()  # admitted requests wait inside their slot until released
    with ThreadPoolExecutor(2) as pool:
        admitted = [pool.submit(make_client(client.base_url).post, QUERY) for _ in range(2)]
        app.hold.wait_held(2, HTTP_TIMEOUT)
        late = [make_client(client.base_url).post(QUERY) for _ in range(4)]
        app.hold.release()
        assert [future.result().status_code for future in admitted] == [200, 200]
    refused = (429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.")
    assert [netsuite_error(response) for response in late] == [refused] * 4
    stats = app.stats
    assert (stats["peak_concurrency"], stats["concurrency_rejections"]) == (2, 4)
    assert (stats["requests"], stats["pages_served"], stats["in_flight"]) == (6, 2, 0)
    assert client.post(QUERY).status_code == 200  # slots free again once the held ones finish


def test_requests_within_the_limit_are_never_refused(start_netsuite, make_client):
    app, client = start_netsuite(concurrency_limit=5)
    app.hold.arm()
    with ThreadPoolExecutor(5) as pool:
        requests_ = [pool.submit(make_client(client.base_url).post, QUERY) for _ in range(5)]
        app.hold.wait_held(5, HTTP_TIMEOUT)  # all five in their slots at once
        app.hold.release()
        assert [future.result().status_code for future in requests_] == [200] * 5
    assert (app.stats["peak_concurrency"], app.stats["concurrency_rejections"]) == (5, 0)


def test_auth_failures_do_not_take_a_concurrency_slot(start_netsuite, make_client, make_signer):
    app, client = start_netsuite(concurrency_limit=1)
    assert make_client(client.base_url, make_signer(client_secret="wrong")).post(QUERY).status_code == 401
    assert client.post(QUERY).status_code == 200
    assert app.stats["peak_concurrency"] == 1


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("http_500", 500, "UNEXPECTED_ERROR"),
        ("http_502", 502, "UNEXPECTED_ERROR"),
        ("http_503", 503, "UNEXPECTED_ERROR"),
        ("http_429", 429, "CONCURRENCY_LIMIT_EXCEEDED"),
        ("throttled", 429, "CONCURRENCY_LIMIT_EXCEEDED"),
    ],
)
def test_injected_error_replies_are_netsuite_shaped(start_netsuite, netsuite_error, kind, status, code):
    _app, client = start_netsuite(faults=FaultPlan([FaultRule(kind, nth=(2,))]))
    assert client.post(QUERY).status_code == 200
    assert netsuite_error(client.post(QUERY))[:2] == (status, code)
    assert client.post(QUERY).status_code == 200


def test_dropped_truncated_and_slow_replies(start_netsuite):
    faults = FaultPlan(
        [FaultRule("drop", nth=(1,)), FaultRule("truncate", nth=(2,)), FaultRule("slow", nth=(3,), delay=0.5)]
    )
    _app, client = start_netsuite(faults=faults)
    with pytest.raises(requests.ConnectionError):
        client.post(QUERY)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.JSONDecodeError)):
        client.post(QUERY).json()
    with pytest.raises(requests.exceptions.ReadTimeout):
        # A timeout provoked on purpose: the slow reply (0.5 s) outlasts it.
        client.session.post(client.url, json={"q": QUERY}, headers={"Prefer": "transient"}, timeout=0.2)
    assert client.post(QUERY).status_code == 200
    assert [fault.kind for fault in faults.injected] == ["drop", "truncate", "slow"]


def injected_ordinals(start_netsuite, seed: int) -> list[int]:
    faults = FaultPlan([FaultRule("http_503", probability=0.3)], seed=seed)
    _app, client = start_netsuite(faults=faults)
    statuses = [client.post(QUERY).status_code for _ in range(30)]
    ordinals = [fault.ordinal for fault in faults.injected]
    assert [n for n, status in enumerate(statuses, 1) if status == 503] == ordinals
    return ordinals


def test_probabilistic_faults_replay_with_the_same_seed(start_netsuite):
    first = injected_ordinals(start_netsuite, seed=11)
    assert first  # 30 draws at 30 %: some fire
    assert injected_ordinals(start_netsuite, seed=11) == first
    assert injected_ordinals(start_netsuite, seed=12) != first


def test_faults_can_be_set_over_http(netsuite, netsuite_error):
    app, client = netsuite
    rules = {"seed": 3, "rules": [{"kind": "http_500", "nth": [1], "path_contains": "suiteql"}]}
    assert requests.post(client.base_url + "/_sandbox/faults", json=rules, timeout=HTTP_TIMEOUT).status_code == 200
    assert netsuite_error(client.post(QUERY))[:2] == (500, "UNEXPECTED_ERROR")
    assert client.post(QUERY).status_code == 200
    summary = requests.get(client.base_url + "/_sandbox/faults", timeout=HTTP_TIMEOUT).json()
    assert [fault["kind"] for fault in summary["injected"]] == ["http_500"]
    assert app.faults.seed == 3


def test_stats_over_http(netsuite):
    _app, client = netsuite
    client.ok(QUERY, 5)
    client.ok(QUERY, 5, 5)
    stats = requests.get(client.base_url + "/_sandbox/stats", timeout=HTTP_TIMEOUT).json()
    assert stats == {
        "requests": 2,
        "pages_served": 2,
        "peak_concurrency": 1,
        "concurrency_rejections": 0,
        "auth_failures": 0,
        "token_requests": 0,
        "token_refusals": 0,
        "in_flight": 0,
    }
    reset = requests.post(client.base_url + "/_sandbox/stats/reset", timeout=HTTP_TIMEOUT).json()
    assert reset["requests"] == reset["pages_served"] == 0


def test_sales_orders_change_over_http(netsuite, dag_query):
    app, client = netsuite
    control = client.base_url + "/_sandbox/sales-orders/"

    def in_window() -> list[str]:
        return [item["id"] for item in client.ok(dag_query)["items"]]

    assert in_window() == ["101", "102", "106", "110", "111"]
    assert requests.post(
        control + "105", json={"status": "H", "last_modified": "2026-01-15 00:09:00"}, timeout=HTTP_TIMEOUT
    ).ok
    assert requests.post(control + "102", json={"quantity_shipped": {"1": 2}}, timeout=HTTP_TIMEOUT).ok
    assert requests.post(control + "111", json={"fields": {"custbody_fa_channel_order": "42"}}, timeout=HTTP_TIMEOUT).ok
    assert in_window() == ["101", "105", "106", "110", "111"]
    assert client.ok(dag_query)["items"][-1]["shopify_link"] == "42"
    assert requests.post(control + "999", json={"status": "C"}, timeout=HTTP_TIMEOUT).status_code == 404
    assert requests.post(control + "105", json={"status": "Z"}, timeout=HTTP_TIMEOUT).status_code == 400
    assert requests.post(control + "105", json={"colour": "red"}, timeout=HTTP_TIMEOUT).status_code == 400
    # A bad line leaves the whole change unapplied.
    refused = requests.post(control + "101", json={"status": "B", "quantity_shipped": {"7": 1}}, timeout=HTTP_TIMEOUT)
    assert refused.status_code == 404
    assert requests.post(control + "101", json={"quantity_shipped": {"1": 3}}, timeout=HTTP_TIMEOUT).status_code == 400
    assert in_window() == ["101", "105", "106", "110", "111"]
    assert app.stats["requests"] == 4  # control calls are not NetSuite traffic


def test_a_request_takes_the_latency_in_all_its_work_done_within_it(start_netsuite, monkeypatch):
    """`latency` is the response time, as a real service's includes its own work: a page whose work takes
    less is answered at `latency`, not `latency` + work; work that takes longer shows in full."""
    clock = FakeClock()
    app, client = start_netsuite(latency=0.3, clock=clock, sleep=clock.sleep)
    handle = app.handle

    def working(request, seconds):
        clock.advance(seconds)  # the sandbox's own work (a cold query, building the page)
        return handle(request)

    monkeypatch.setattr(app, "handle", lambda request: working(request, 0.2))
    assert client.post(QUERY).status_code == 200
    assert clock.slept == [pytest.approx(0.1)]  # waits out the rest of the 0.3 s, not 0.3 more

    monkeypatch.setattr(app, "handle", lambda request: working(request, 0.5))
    assert client.post(QUERY).status_code == 200
    assert clock.slept == [pytest.approx(0.1)]  # 0.5 s of work: nothing added
    assert app.stats["in_flight"] == 0


def test_a_page_whose_kept_result_was_dropped_runs_the_query_again(netsuite):
    app, client = netsuite
    first = client.ok(QUERY, 4)
    app.store.drop_result(app.executor.run(QUERY).rows)  # as when 8 newer queries push it out mid-request
    again = client.ok(QUERY, 4, 4)
    assert (again["totalResults"], again["offset"]) == (first["totalResults"], 4)
    assert app.stats["pages_served"] == 2
