"""Token-Based Authentication: requests signed by requests_oauthlib pass, anything else is a 401 INVALID_LOGIN."""

from __future__ import annotations

import time

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from requests_oauthlib import OAuth1

from sandbox.netsuite.oauth import (
    AuthenticationFailed,
    NetSuiteCredentials,
    TbaVerifier,
    normalized_url,
    parse_authorization_header,
)
from tests.timing import HTTP_TIMEOUT

QUERY = "SELECT t.id FROM transaction t ORDER BY t.id"
INVALID_LOGIN_BODY = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
            "Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}


def assert_invalid_login(response: requests.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == INVALID_LOGIN_BODY


def prepared(client, auth: OAuth1, params: dict | None = None) -> requests.PreparedRequest:
    request = requests.Request(
        "POST",
        client.url,
        params=params or {"limit": 5, "offset": 0},
        json={"q": QUERY},
        headers={"Prefer": "transient"},
        auth=auth,
    )
    return client.session.prepare_request(request)


def test_requests_signed_by_requests_oauthlib_are_accepted(client):
    page = client.ok(QUERY, limit=5, offset=5)
    assert [item["id"] for item in page["items"]] == ["106", "107", "108", "109", "110"]


def test_a_request_without_authorization_is_refused(netsuite):
    app, client = netsuite
    response = requests.post(client.url, json={"q": QUERY}, headers={"Prefer": "transient"}, timeout=HTTP_TIMEOUT)
    assert_invalid_login(response)
    assert app.stats["auth_failures"] == 1


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("wrong realm", {"realm": "1234567_sb1"}),
        ("no realm", {"realm": None}),
        ("unknown consumer key", {"client_key": "someone-else"}),
        ("wrong consumer secret", {"client_secret": "guess"}),
        ("unknown token", {"resource_owner_key": "token-id-2"}),
        ("wrong token secret", {"resource_owner_secret": "guess"}),
        ("HMAC-SHA1", {"signature_method": "HMAC-SHA1"}),
        ("PLAINTEXT", {"signature_method": "PLAINTEXT"}),
        ("stale timestamp", {"timestamp": str(int(time.time()) - 900)}),
        ("timestamp from the future", {"timestamp": str(int(time.time()) + 900)}),
    ],
)
def test_bad_credentials_or_signatures_are_refused(netsuite, make_client, make_signer, case, overrides):
    app, client = netsuite
    response = make_client(client.base_url, make_signer(**overrides)).post(QUERY)
    assert_invalid_login(response)
    assert (app.stats["auth_failures"], app.stats["pages_served"]) == (1, 0)


def test_a_timestamp_within_five_minutes_is_accepted(client, make_client, make_signer):
    skewed = make_client(client.base_url, make_signer(timestamp=str(int(time.time()) - 240)))
    assert skewed.post(QUERY).status_code == 200


def test_a_tampered_signature_is_refused(client, make_signer):
    request = prepared(client, make_signer())
    header = _text(request.headers["Authorization"])
    signature = header.split('oauth_signature="')[1].split('"')[0]
    forged = ("B" if signature[0] == "A" else "A") + signature[1:]
    request.headers["Authorization"] = header.replace(signature, forged)
    assert_invalid_login(client.session.send(request, timeout=HTTP_TIMEOUT))


def test_a_replayed_request_is_refused(client, make_signer):
    request = prepared(client, make_signer())
    assert client.session.send(request, timeout=HTTP_TIMEOUT).status_code == 200
    assert_invalid_login(client.session.send(request, timeout=HTTP_TIMEOUT))


def test_query_parameters_are_covered_by_the_signature(client, make_signer):
    request = prepared(client, make_signer(), params={"limit": 5, "offset": 0})
    request.url = request.url.replace("offset=0", "offset=5")
    assert_invalid_login(client.session.send(request, timeout=HTTP_TIMEOUT))


def test_the_json_body_is_not_signed(client, make_signer):
    """NetSuite signs only the URL: swapping the body keeps the signature valid (the nonce is what stops replays)."""
    request = prepared(client, make_signer())
    request.body = b'{"q": "SELECT t.tranid FROM transaction t ORDER BY t.id"}'
    request.headers["Content-Length"] = str(len(request.body))
    response = client.session.send(request, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200
    assert response.json()["items"][0]["tranid"] == "SO101"


def test_auth_comes_before_routing(client, make_client, make_signer):
    anonymous = requests.get(client.base_url + "/services/rest/record/v1/salesOrder", timeout=HTTP_TIMEOUT)
    assert_invalid_login(anonymous)
    signed = client.session.get(client.base_url + "/services/rest/record/v1/salesOrder", timeout=HTTP_TIMEOUT)
    assert signed.status_code == 404


def test_failed_attempts_do_not_use_up_the_nonce(credentials):
    clock = time.time()
    verifier = TbaVerifier(credentials, clock=lambda: clock)
    good = _authorization(credentials, nonce="n-1", timestamp=str(int(clock)))
    forged = good.replace('oauth_signature="', 'oauth_signature="x')
    with pytest.raises(AuthenticationFailed, match="signature"):
        verifier.verify("POST", "http://127.0.0.1:1/services/rest/query/v1/suiteql?limit=5", forged)
    verifier.verify("POST", "http://127.0.0.1:1/services/rest/query/v1/suiteql?limit=5", good)
    with pytest.raises(AuthenticationFailed, match="nonce"):
        verifier.verify("POST", "http://127.0.0.1:1/services/rest/query/v1/suiteql?limit=5", good)


def _authorization(credentials: NetSuiteCredentials, url: str = "", method: str = "POST", **client_options) -> str:
    auth = OAuth1(
        credentials.consumer_key,
        credentials.consumer_secret,
        credentials.token_id,
        credentials.token_secret,
        signature_method="HMAC-SHA256",
        realm=credentials.account_id,
        **client_options,
    )
    request = requests.Request(
        method, url or "http://127.0.0.1:1/services/rest/query/v1/suiteql?limit=5", json={"q": QUERY}, auth=auth
    )
    return _text(request.prepare().headers["Authorization"])


def _text(header: str | bytes) -> str:
    return header.decode() if isinstance(header, bytes) else header  # requests_oauthlib sets bytes


# Query values as integrations might send them: spaces, reserved and non-ASCII characters.
_query_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    params=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_.~-]{0,8}", fullmatch=True), _query_values, max_size=4),
    host=st.sampled_from(["127.0.0.1:8080", "Example.COM", "1234567-SB1.suitetalk.api.netsuite.com:443"]),
    scheme=st.sampled_from(["http", "https"]),
    method=st.sampled_from(["POST", "GET", "PATCH"]),
)
def test_signature_base_string_agrees_with_requests_oauthlib(credentials, params, host, scheme, method):
    """Two independent RFC 5849 implementations must agree on every URL shape."""
    url = requests.Request(method, f"{scheme}://{host}/services/rest/query/v1/suiteql", params=params).prepare().url
    header = _authorization(credentials, url=url, method=method)
    TbaVerifier(credentials).verify(method, url, header)


def test_authorization_header_parsing():
    params = parse_authorization_header(
        'OAuth realm="1234567_SB1", oauth_consumer_key="ck", oauth_token="t", oauth_nonce="n", '
        'oauth_timestamp="1", oauth_signature_method="HMAC-SHA256", oauth_version="1.0", oauth_signature="a%2Bb%3D"'
    )
    assert params["realm"] == "1234567_SB1"
    assert params["oauth_signature"] == "a+b="
    for malformed in ("Bearer abc", 'OAuth realm="x" oauth_token="t"', 'OAuth oauth_token="a", oauth_token="b"'):
        with pytest.raises(AuthenticationFailed):
            parse_authorization_header(malformed)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a?b=1", "https://example.com/a"),
        ("http://example.com:80/p", "http://example.com/p"),
        ("http://example.com:8080/p#frag", "http://example.com:8080/p"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_normalized_url(url, expected):
    assert normalized_url(url) == expected
