"""SuiteQL client and refused credentials: an OAuth 2.0 token that expires mid-extraction is renewed with no page
lost or fetched twice; a fresh token refused again is fatal at once; TBA's 401s keep their retries."""

from __future__ import annotations

import json

import pytest

from include.cancel_sync.errors import NetSuiteError
from include.cancel_sync.netsuite.client import MAX_UNAUTHORIZED_RETRIES, NetSuiteClient
from include.cancel_sync.netsuite.extract import extract_canceled_orders
from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.window import Window
from sandbox.netsuite.certificates import make_key_pair
from sandbox.runner import SandboxOptions
from sandbox.world import SCENARIOS
from tests.cancel_sync.step_runner import netsuite_client, sandbox_clock
from tests.conftest import WORLD_END, WORLD_START

CANCELED_PAID_ONLY = {s.name: (1 if s.name == "cancel_paid" else 0) for s in SCENARIOS}


def use_connections(monkeypatch, connections):
    for conn_id, definition in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(definition))


# After page N at most two other requests are past the token check (3 in flight), so N ≤ 37 of 40 leaves at
# least one request to be refused and renew the token; 36 stays clear of that edge.
@pytest.mark.parametrize("expire_after_page", [1, 17, 36])
def test_a_token_expiring_mid_extraction_is_renewed_and_every_order_read_once(
    make_sandboxes, monkeypatch, expire_after_page
):
    orders = 4_000
    sandboxes = make_sandboxes(
        count=orders,
        scenarios=CANCELED_PAID_ONLY,
        options=SandboxOptions(netsuite_auth="m2m", latency=0.005, netsuite_concurrency_limit=3),
    )
    use_connections(monkeypatch, sandboxes.connections())
    client = NetSuiteHook().get_client(max_concurrency=3)
    client.page_size = 100
    app = sandboxes.netsuite
    # The hour runs out right after the N-th page: requests already past the check finish, the rest are refused.
    app.after_page = lambda served: served == expire_after_page and app.oauth2.expire_tokens()
    records = extract_canceled_orders(client, SyncSettings(), Window(WORLD_START, WORLD_END))
    assert [r["id"] for r in records] == sorted(sandboxes.world.scenarios)  # each order once, in order
    stats = app.stats
    assert stats["pages_served"] == orders // 100  # no page fetched twice
    assert stats["token_requests"] == 2  # one renewal, whatever number of threads were refused
    assert stats["auth_failures"] >= 1 and stats["requests"] == stats["pages_served"] + stats["auth_failures"]
    assert stats["token_refusals"] == 0 and client.retries == 0  # renewals are not retries


def test_a_newly_issued_token_refused_again_fails_at_once_with_a_clear_error(make_sandboxes, monkeypatch):
    """A token NetSuite issues but REST refuses (here: scope restlets only, ScopeMismatched)."""
    sandboxes = make_sandboxes(count=10, options=SandboxOptions(netsuite_auth="m2m"))
    oauth2 = sandboxes.netsuite.oauth2
    client_id = oauth2.add_integration(scopes=("restlets", "rest_webservices"))
    pair = make_key_pair("ES256")
    connections = sandboxes.connections()
    netsuite = connections["netsuite_default"]
    netsuite.update(login=client_id, password=pair.private_key_pem)
    netsuite["extra"] |= {
        "certificate_id": oauth2.map_certificate(client_id, pair.certificate_pem),
        "scope": "restlets",
    }
    use_connections(monkeypatch, connections)
    with pytest.raises(NetSuiteError, match="newly issued OAuth 2.0 access token") as raised:
        list(
            NetSuiteHook()
            .get_client()
            .query(canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("UTC")))
        )
    assert raised.value.status == 401
    stats = sandboxes.netsuite.stats
    assert (stats["token_requests"], stats["requests"], stats["auth_failures"]) == (2, 2, 2)  # no "overload" retries


def test_tba_401s_are_still_retried_as_an_overloaded_account_before_failing(make_sandboxes):
    sandboxes = make_sandboxes(count=5)
    session = sandboxes.netsuite_session()
    session.auth.client.client_secret = "wrong"
    client = NetSuiteClient(lambda: session, sandboxes.netsuite_url, sandbox_clock(sandboxes), backoff_max=0.01)
    with pytest.raises(NetSuiteError, match="INVALID_LOGIN"):
        list(
            client.query(
                canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("UTC"))
            )
        )
    assert sandboxes.netsuite.stats["auth_failures"] == 1 + MAX_UNAUTHORIZED_RETRIES


def test_a_suiteql_syntax_error_fails_at_once_with_netsuites_words(make_sandboxes):
    sandboxes = make_sandboxes(count=3)
    client = netsuite_client(sandboxes)
    before = sandboxes.netsuite.stats["requests"]
    with pytest.raises(NetSuiteError) as refused:
        list(client.query("SELECT id, FROM transaction WHERE type = 'SalesOrd' ORDER BY id"))
    assert refused.value.status == 400 and refused.value.code == "INVALID_PARAMETER"
    assert refused.value.detail.startswith("Invalid search query.")
    assert sandboxes.netsuite.stats["requests"] - before == 1  # a query that cannot run is not retried
