"""What the client measures for callers that size their concurrency: round trips and Shopify's overload replies."""

from __future__ import annotations

import requests

from include.cancel_sync.shopify.client import ShopifyClient, graphql_url
from include.cancel_sync.shopify.documents import ORDER_STATES_QUERY
from sandbox.faults import FaultRule
from sandbox.runner import SandboxOptions
from tests.cancel_sync.shopify.test_cancel_requests import only, shopify_client
from tests.clocks import FakeClock
from tests.timing import HTTP_TIMEOUT


def waiting_client(sandboxes, clock: FakeClock) -> ShopifyClient:
    """A client whose waits (Retry-After, THROTTLED's deficit) are recorded on `clock` instead of slept."""

    def session() -> requests.Session:
        s = requests.Session()
        s.headers["X-Shopify-Access-Token"] = sandboxes.shopify_token
        return s

    url = graphql_url(sandboxes.shopify_url, "2026-10")
    return ShopifyClient(session, url, timeout=(HTTP_TIMEOUT, HTTP_TIMEOUT), sleep=clock.sleep)


def test_throttled_429_and_5xx_replies_count_as_overloads_and_ordinary_ones_do_not(make_sandboxes):
    options = SandboxOptions()
    kinds = ("throttled", "http_429", "http_503")
    options.shopify_faults.replace([FaultRule(kind, nth=(n,)) for n, kind in enumerate(kinds, 1)], seed=1)
    sandboxes = make_sandboxes(count=3, seed=2, scenarios=only(cancel_paid=1), options=options)
    client = waiting_client(sandboxes, FakeClock())

    client.execute(ORDER_STATES_QUERY, {"ids": []}, cost=1.0)  # three refusals, then an answer
    assert [f.kind for f in sandboxes.shopify.faults.injected] == list(kinds)
    assert (client.stats["overloaded"], client.stats["throttled"], client.stats["retries"]) == (3, 1, 3)
    client.execute(ORDER_STATES_QUERY, {"ids": []}, cost=1.0)
    assert client.stats["overloaded"] == 3


def test_a_query_answered_with_an_internal_error_and_no_data_is_asked_again(make_sandboxes):
    options = SandboxOptions()
    options.shopify_faults.replace([FaultRule("internal_error", nth=(1,))], seed=1)
    sandboxes = make_sandboxes(count=3, seed=2, scenarios=only(cancel_paid=1), options=options)
    client = waiting_client(sandboxes, FakeClock())

    assert client.execute(ORDER_STATES_QUERY, {"ids": []}, cost=1.0) == {"nodes": []}
    assert [f.kind for f in sandboxes.shopify.faults.injected] == ["internal_error"]
    assert client.stats["retries"] == 1


def test_round_trips_are_averaged_per_kind_and_stand_in_for_each_other_until_both_are_seen(make_sandboxes):
    sandboxes = make_sandboxes(count=3, seed=2, scenarios=only(cancel_paid=1))
    client = shopify_client(sandboxes)
    assert client.round_trip(mutation=True) is None and client.round_trip(mutation=False) is None

    client.execute(ORDER_STATES_QUERY, {"ids": []}, cost=1.0)
    query = client.round_trip(mutation=False)
    assert query is not None and query > 0
    assert client.round_trip(mutation=True) == query  # no mutation seen yet: the queries' figure
