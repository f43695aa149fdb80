"""The client credentials token: Oracle's assertion (read back by joserfc, not PyJWT), keys and algorithms from the
connection, and one token per client, shared by threads, renewed ahead of expiry, against the NetSuite sandbox."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import ECKey

from include.cancel_sync.errors import NetSuiteError, TransientError
from include.cancel_sync.netsuite.oauth2 import (
    ASSERTION_LIFETIME,
    ClientCredentials,
    TokenSource,
    client_assertion,
    load_private_key,
    signing_algorithm,
    token_lifetime,
    token_url,
)
from sandbox.faults import FaultPlan, FaultRule
from sandbox.netsuite.certificates import make_key_pair
from sandbox.netsuite.oauth2 import TOKEN_PATH
from sandbox.runner import SandboxOptions


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def credentials_for(sandboxes, **overrides) -> ClientCredentials:
    setup = sandboxes.netsuite_m2m
    key = load_private_key(setup.private_key_pem)
    values = {
        "token_url": token_url(sandboxes.netsuite_url),
        "client_id": setup.client_id,
        "certificate_id": setup.certificate_id,
        "private_key": key,
        "algorithm": signing_algorithm(key),
    }
    return ClientCredentials(**values | overrides)


@pytest.fixture
def m2m(make_sandboxes):
    return make_sandboxes(count=5, options=SandboxOptions(netsuite_auth="m2m"))


def test_the_assertion_is_the_one_oracle_documents():
    pair = make_key_pair("ES384")
    key = load_private_key(pair.private_key_pem)
    credentials = ClientCredentials(
        token_url("https://1234567-sb1.suitetalk.api.netsuite.com/"), "client-1", "cert-1", key, "ES384"
    )
    token = client_assertion(credentials, now=1_800_000_000.7)
    public = ECKey.import_key(pair.certificate_pem.encode())  # joserfc reads the certificate's key
    decoded = jwt.decode(token, public, algorithms=["ES384"])
    assert decoded.header == {"typ": "JWT", "alg": "ES384", "kid": "cert-1"}
    assert decoded.claims == {
        "iss": "client-1",
        "scope": "rest_webservices",
        "aud": "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
        "iat": 1_800_000_000,
        "exp": 1_800_000_000 + ASSERTION_LIFETIME,
    }
    assert ASSERTION_LIFETIME < 3600  # "less than 60 minutes greater than the value of the iat parameter"


@pytest.mark.parametrize(
    ("key", "chosen", "expected"),
    [
        (rsa.generate_private_key(65537, 3072), None, "PS256"),
        (rsa.generate_private_key(65537, 3072), "ps512", "PS512"),
        (ec.generate_private_key(ec.SECP256R1()), None, "ES256"),
        (ec.generate_private_key(ec.SECP384R1()), None, "ES384"),
        (ec.generate_private_key(ec.SECP521R1()), "ES512", "ES512"),
    ],
)
def test_the_algorithm_comes_from_the_key_unless_chosen(key, chosen, expected):
    assert signing_algorithm(load_private_key(pem(key)), chosen) == expected


@pytest.mark.parametrize(
    ("key", "chosen", "message"),
    [
        (rsa.generate_private_key(65537, 3072), "ES256", "does not fit"),
        (ec.generate_private_key(ec.SECP256R1()), "ES384", "does not fit"),
        (ec.generate_private_key(ec.SECP256R1()), "PS256", "does not fit"),
        (rsa.generate_private_key(65537, 3072), "RS256", "not one NetSuite accepts"),
        (rsa.generate_private_key(65537, 3072), "HS256", "not one NetSuite accepts"),
        (ec.generate_private_key(ec.SECP256K1()), None, "curve secp256k1"),
    ],
)
def test_an_algorithm_netsuite_or_the_key_cannot_use_is_named(key, chosen, message):
    with pytest.raises(ValueError, match=message):
        signing_algorithm(load_private_key(pem(key)), chosen)


def test_a_key_pasted_into_a_one_line_field_still_loads():
    text = make_key_pair("ES256").private_key_pem
    expected = load_private_key(text).private_numbers()
    for pasted in (text.replace("\n", ""), text.replace("\n", " "), text.replace("\n", "\\n"), f"  {text}\n\n"):
        assert load_private_key(pasted).private_numbers() == expected


def test_an_unreadable_key_is_named_without_its_text():
    text = make_key_pair("ES256").private_key_pem
    for broken in ("not a key", text.replace("M", "N"), text.replace("PRIVATE KEY", "CERTIFICATE")):
        with pytest.raises(ValueError) as raised:
            load_private_key(broken)
        assert "private key" in str(raised.value) and text.splitlines()[1] not in str(raised.value)
    ed = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(ValueError, match="RSA or EC"):
        load_private_key(pem(ed))


@pytest.mark.parametrize(
    ("expires_in", "seconds"),
    [
        ("3600", 3600.0),
        (3600, 3600.0),
        (3600.0, 3600.0),
        (" 120 ", 120.0),
        (None, 3600.0),
        ("soon", 3600.0),
        (0, 3600.0),
    ],
)
def test_expires_in_is_read_as_a_string_or_a_number(expires_in, seconds):
    assert token_lifetime(expires_in) == seconds


def test_threads_share_one_token_and_one_request(m2m):
    seen: list[str] = []
    tokens = TokenSource(credentials_for(m2m), on_token=seen.append)
    got: list[str] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        got.extend(tokens.token() for _ in range(25))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 200 and set(got) == set(seen) and len(seen) == 1
    assert m2m.netsuite.stats["token_requests"] == tokens.token_requests == 1
    assert seen == m2m.netsuite.oauth2.issued_tokens()


def test_a_token_is_renewed_ahead_of_its_expiry_with_a_fresh_assertion(m2m):
    now = [1_800_000_000.0]
    m2m.netsuite.oauth2.clock = lambda: now[0]
    tokens = TokenSource(credentials_for(m2m), clock=lambda: now[0])
    first = tokens.token()
    now[0] += 3600 - 61
    assert tokens.token() == first
    now[0] += 2  # 59 s before the hour is up: replaced while the old one still works
    second = tokens.token()
    assert second != first and m2m.netsuite.oauth2.issued_tokens() == [first, second]
    assert m2m.netsuite.oauth2.authorize(f"Bearer {first}") is None  # not expired yet
    assert len(set(m2m.netsuite.oauth2.assertions)) == 2  # never the same assertion twice


def test_a_refused_token_is_replaced_once_whoever_reports_it(m2m):
    tokens = TokenSource(credentials_for(m2m))
    first = tokens.token()
    tokens.refused("some-other-token")
    assert tokens.token() == first
    tokens.refused(first)
    second = tokens.token()
    tokens.refused(first)  # a second thread refused with the old token: the new one stays
    assert tokens.token() == second != first
    assert tokens.token_requests == 2


def test_a_refused_token_request_is_a_clear_error_and_not_retried(m2m):
    tokens = TokenSource(credentials_for(m2m, certificate_id="not-mapped"))
    with pytest.raises(NetSuiteError) as raised:
        tokens.token()
    error = raised.value
    assert (error.status, error.code) == (401, "invalid_client")
    assert "certificate_id" in str(error) and "Login Audit Trail" in str(error)
    assert not isinstance(error, TransientError)
    assert "kid" in m2m.netsuite.oauth2.audit_trail[-1]


def test_a_token_endpoint_that_is_down_or_busy_is_worth_retrying(make_sandboxes):
    faults = FaultPlan([FaultRule("http_503", nth=(1,), path_contains=TOKEN_PATH), FaultRule("drop", nth=(2,))])
    sandboxes = make_sandboxes(count=1, options=SandboxOptions(netsuite_auth="m2m", netsuite_faults=faults))
    tokens = TokenSource(credentials_for(sandboxes))
    with pytest.raises(TransientError, match="503"):
        tokens.token()
    with pytest.raises(TransientError, match="ConnectionError"):
        tokens.token()
    assert tokens.token() in sandboxes.netsuite.oauth2.issued_tokens()


def test_nothing_secret_in_reprs(m2m):
    credentials = credentials_for(m2m)
    tokens = TokenSource(credentials)
    token = tokens.token()
    key_line = m2m.netsuite_m2m.private_key_pem.splitlines()[1]
    for text in (repr(credentials), repr(tokens._current)):
        assert token not in text and key_line not in text and "private_key" not in text


def test_the_lifetime_netsuite_states_is_the_one_used(make_sandboxes):
    """A sandbox issuing 10-second tokens (expires_in "10"): renewed a tenth of that before the end, not after an hour."""
    sandboxes = make_sandboxes(count=1, options=SandboxOptions(netsuite_auth="m2m", netsuite_token_lifetime=10))
    now = [1_800_000_000.0]
    sandboxes.netsuite.oauth2.clock = lambda: now[0]
    tokens = TokenSource(credentials_for(sandboxes), clock=lambda: now[0])
    first = tokens.token()
    now[0] += 8.9
    assert tokens.token() == first
    now[0] += 0.2
    assert tokens.token() != first and tokens.token_requests == 2
