"""OAuth 2.0 client credentials: assertions signed by joserfc (not the project's code, not PyJWT) buy bearer tokens;
anything Oracle's Request Token Structure rules out is refused as NetSuite does; SuiteQL takes only live tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from sandbox.netsuite import SUITEQL_PATH, NetSuiteApp
from sandbox.netsuite.certificates import KeyPair, make_key_pair
from sandbox.netsuite.oauth2 import JWT_BEARER, TOKEN_PATH, ClientCredentialsServer
from tests.timing import HTTP_TIMEOUT

QUERY = "SELECT t.id FROM transaction t ORDER BY t.id"
KEY_OF = {"PS256": "RSA", "PS384": "RSA", "PS512": "RSA", "ES256": "ES256", "ES384": "ES384", "ES512": "ES512"}


@pytest.fixture(scope="module")
def key_pairs() -> dict[str, KeyPair]:
    """One RSA key (it signs PS256, PS384 and PS512) and one key per EC curve."""
    return {"RSA": make_key_pair("PS256"), **{alg: make_key_pair(alg) for alg in ("ES256", "ES384", "ES512")}}


@dataclass
class Account:
    """A NetSuite account on loopback with one M2M integration record and its certificates mapped."""

    app: NetSuiteApp
    base_url: str
    client_id: str
    certificate_ids: dict[str, str]
    key_pairs: dict[str, KeyPair]
    now: list[float] = field(default_factory=lambda: [time.time()])

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def claims(self, **overrides) -> dict:
        now = int(self.now[0])
        claims = {"iss": self.client_id, "scope": "rest_webservices", "aud": self.token_url, "iat": now}
        return {**claims, "exp": now + 300} | overrides

    def assertion(self, algorithm: str = "PS256", header: dict | None = None, key=None, **claims) -> str:
        """Signed by joserfc with the private key of the certificate mapped for `algorithm`."""
        pem = self.key_pairs[KEY_OF.get(algorithm, "RSA")].private_key_pem
        key = key or (RSAKey if algorithm.startswith(("PS", "RS")) else ECKey).import_key(pem)
        certificate_id = self.certificate_ids[KEY_OF.get(algorithm, "RSA")]
        protected = {"typ": "JWT", "alg": algorithm, "kid": certificate_id} | (header or {})
        protected = {name: value for name, value in protected.items() if value is not None}  # None: left out
        return jwt.encode(protected, self.claims(**claims), key, algorithms=[protected["alg"]])

    def request_token(self, assertion: str, **form) -> requests.Response:
        data = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER, "client_assertion": assertion}
        return requests.post(self.token_url, data=data | form, timeout=HTTP_TIMEOUT)

    def token(self, algorithm: str = "PS256", **claims) -> str:
        response = self.request_token(self.assertion(algorithm, **claims))
        assert response.status_code == 200, (response.text, self.app.oauth2.audit_trail)
        return response.json()["access_token"]

    def suiteql(self, authorization: str) -> requests.Response:
        headers = {"Authorization": authorization, "Prefer": "transient"}
        return requests.post(self.base_url + SUITEQL_PATH, json={"q": QUERY}, headers=headers, timeout=HTTP_TIMEOUT)


@pytest.fixture
def account(start_netsuite, credentials, key_pairs) -> Account:
    now = [time.time()]
    oauth2 = ClientCredentialsServer(credentials.account_id, clock=lambda: now[0])
    app, client = start_netsuite(oauth2=oauth2)
    client_id = oauth2.add_integration(scopes=("restlets", "rest_webservices"))
    mapped = {name: oauth2.map_certificate(client_id, pair.certificate_pem) for name, pair in key_pairs.items()}
    return Account(app, client.base_url, client_id, mapped, key_pairs, now)


def assert_refused(account: Account, response: requests.Response, error: str = "invalid_client", why: str = "") -> None:
    """subsect_161252460252: {"error": ...}; invalid_client is a 401 with a Basic challenge, the rest 400."""
    assert response.json() == {"error": error}, response.text
    if error == "invalid_client":
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == f'Basic realm="{account.app.credentials.account_id}"'
    else:
        assert response.status_code == 400
    assert why in account.app.oauth2.audit_trail[-1], account.app.oauth2.audit_trail
    assert account.app.stats["token_refusals"] >= 1


@pytest.mark.parametrize("algorithm", ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"])
def test_an_assertion_signed_by_another_library_buys_a_token_that_reads_suiteql(account, algorithm):
    response = account.request_token(account.assertion(algorithm))
    assert response.status_code == 200, account.app.oauth2.audit_trail
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert (body["expires_in"], body["token_type"]) == ("3600", "bearer")
    assert body["access_token"].count(".") == 2  # a JWT, as section_162755359851 says
    page = account.suiteql(f"Bearer {body['access_token']}")
    assert page.status_code == 200 and page.json()["items"]


def test_scope_may_be_a_comma_separated_string_or_a_list(account):
    for scope in ("restlets,rest_webservices", "restlets, rest_webservices", ["rest_webservices", "restlets"]):
        assert account.suiteql(f"Bearer {account.token(scope=scope)}").status_code == 200


def test_a_wrong_key_is_refused(account):
    other = RSAKey.import_key(make_key_pair("PS256").private_key_pem)
    assert_refused(account, account.request_token(account.assertion(key=other)), why="signature")


@pytest.mark.parametrize(
    ("case", "header", "why"),
    [
        ("unknown kid", {"kid": "not-a-certificate"}, "kid"),
        ("no kid", {"kid": None}, "kid"),
        ("typ not JWT", {"typ": "JOSE"}, "typ"),
    ],
)
def test_a_wrong_header_is_refused(account, case, header, why):
    assert_refused(account, account.request_token(account.assertion(header=header)), why=why)


def test_the_kid_of_another_integrations_certificate_is_refused(account):
    """The certificate ID must belong to the client ID in iss."""
    oauth2 = account.app.oauth2
    other_client = oauth2.add_integration()
    other_pair = make_key_pair("ES256")
    other_kid = oauth2.map_certificate(other_client, other_pair.certificate_pem)
    assertion = account.assertion("ES256", header={"kid": other_kid}, key=ECKey.import_key(other_pair.private_key_pem))
    assert_refused(account, account.request_token(assertion), why="iss")


ELSEWHERE = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"


@pytest.mark.parametrize(
    ("case", "claims", "why"),
    [  # claims from (now, the token endpoint's URL)
        ("wrong aud", lambda now, url: {"aud": ELSEWHERE}, "aud"),
        ("aud as a list", lambda now, url: {"aud": [url]}, "aud"),
        ("wrong iss", lambda now, url: {"iss": "0" * 64}, "iss"),
        ("expired", lambda now, url: {"iat": now - 400, "exp": now - 100}, "expired"),
        ("exp an hour after iat", lambda now, url: {"iat": now, "exp": now + 3600}, "60 minutes"),
        ("exp two hours after iat", lambda now, url: {"iat": now, "exp": now + 7200}, "60 minutes"),
        ("exp before iat", lambda now, url: {"iat": now + 60, "exp": now + 30}, "60 minutes"),
        ("iat in the future", lambda now, url: {"iat": now + 900, "exp": now + 1000}, "future"),
        ("iat as text", lambda now, url: {"iat": "now"}, "numbers"),
    ],
)
def test_wrong_claims_are_refused(account, case, claims, why):
    wrong = claims(int(account.now[0]), account.token_url)
    assert_refused(account, account.request_token(account.assertion(**wrong)), why=why)


def test_exp_just_under_an_hour_after_iat_is_accepted(account):
    now = int(account.now[0])
    assert account.token(iat=now, exp=now + 3599)


@pytest.mark.parametrize("scope", ["suite_analytics", "rest_webservices,reports", "", []])
def test_a_scope_the_integration_record_does_not_allow_is_refused(account, scope):
    assert_refused(account, account.request_token(account.assertion(scope=scope)), "invalid_scope", "scope")


@pytest.mark.parametrize("algorithm", ["RS256", "HS256", "none"])
def test_algorithms_oracle_does_not_list_are_refused(account, algorithm):
    if algorithm == "RS256":  # the certificate's own RSA key, PKCS#1 v1.5 instead of PSS
        assertion = account.assertion("RS256")
    elif algorithm == "HS256":  # HMAC keyed with the certificate everyone may see: the classic forgery
        header = {"typ": "JWT", "alg": "HS256", "kid": account.certificate_ids["RSA"]}
        signed = f"{_b64(header)}.{_b64(account.claims())}"
        public = account.key_pairs["RSA"].certificate_pem.encode()
        mac = base64.urlsafe_b64encode(hmac.new(public, signed.encode(), hashlib.sha256).digest()).rstrip(b"=")
        assertion = f"{signed}.{mac.decode()}"
    else:
        header = {"typ": "JWT", "alg": "none", "kid": account.certificate_ids["RSA"]}
        assertion = f"{_b64(header)}.{_b64(account.claims())}."
    assert_refused(account, account.request_token(assertion), why="algorithm")


def test_an_es_algorithm_needs_its_own_curve(account):
    """ES512 over the P-256 certificate (joserfc refuses to sign it, so the header is rewritten): refused."""
    signed = account.assertion("ES256")
    header, claims, signature = signed.split(".")
    forged = {"typ": "JWT", "alg": "ES512", "kid": account.certificate_ids["ES256"]}
    assert_refused(account, account.request_token(f"{_b64(forged)}.{claims}.{signature}"), why="secp521r1")


@pytest.mark.parametrize("part", ["header", "payload", "signature"])
def test_a_tampered_assertion_is_refused(account, part):
    header, claims, signature = account.assertion("ES256").split(".")
    if part == "header":
        header = _b64(json.loads(_unb64(header)) | {"x": 1})
    elif part == "payload":
        claims = _b64(json.loads(_unb64(claims)) | {"scope": "restlets,rest_webservices"})
    else:
        middle = len(signature) // 2
        signature = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    assert_refused(account, account.request_token(f"{header}.{claims}.{signature}"), why="signature")


def test_a_replayed_assertion_is_accepted_because_oracle_documents_no_replay_check(account):
    """Oracle's Request Token Structure has no jti and says nothing of reuse; the client never reuses one anyway."""
    assertion = account.assertion("ES256")
    assert account.request_token(assertion).status_code == 200
    assert account.request_token(assertion).status_code == 200


@pytest.mark.parametrize(
    ("case", "form", "content_type"),
    [
        ("wrong grant_type", {"grant_type": "authorization_code"}, None),
        ("no grant_type", {"grant_type": None}, None),
        ("wrong assertion type", {"client_assertion_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}, None),
        ("no assertion", {"client_assertion": None}, None),
        ("JSON instead of a form", {}, "application/json"),
    ],
)
def test_a_malformed_token_request_is_invalid_request(account, case, form, content_type):
    data = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER}
    data["client_assertion"] = account.assertion("ES256")
    data = {name: value for name, value in (data | form).items() if value is not None}
    if content_type:
        response = requests.post(account.token_url, json=data, timeout=HTTP_TIMEOUT)
    else:
        response = requests.post(account.token_url, data=data, timeout=HTTP_TIMEOUT)
    assert_refused(account, response, "invalid_request")


def test_an_assertion_that_is_not_a_jws_is_refused(account):
    assert_refused(account, account.request_token("not.a.jwt"), why="header is not JSON")
    assert_refused(account, account.request_token("***.e30.e30"), why="base64url")
    assert_refused(account, account.request_token("eyJhbGciOiJQUzI1NiJ9"), why="compact")


def test_tokens_and_certificates_end(account):
    """A revoked mapping takes its tokens with it; an expired certificate buys no more (section_162686838198)."""
    token = account.token("ES384")
    account.app.oauth2.revoke(account.certificate_ids["ES384"])
    assert account.suiteql(f"Bearer {token}").status_code == 401
    assert_refused(account, account.request_token(account.assertion("ES384")), why="kid")
    account.now[0] += 366 * 86400  # the sandbox's certificates are valid for 365 days
    assert_refused(account, account.request_token(account.assertion("ES256")), why="certificate has expired")


def bearer_challenge(response: requests.Response) -> str:
    return response.headers["WWW-Authenticate"]


def test_suiteql_refuses_a_token_that_expired_or_was_never_issued_with_netsuites_401(account, credentials):
    token = account.token("ES256")
    assert account.suiteql(f"Bearer {token}").status_code == 200
    account.now[0] += 3600  # the token lived its hour
    expired = account.suiteql(f"Bearer {token}")
    forged = account.suiteql("Bearer " + token[:-4] + "AAAA")
    for response in (expired, forged):
        assert response.status_code == 401
        assert bearer_challenge(response) == (
            f'Bearer realm="{credentials.account_id}", error="invalid_token", error_description="Invalid login attempt."'
        )
        assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert account.app.stats["auth_failures"] == 2
    assert account.app.oauth2.audit_trail[-2:] == [
        "AccessTokenExpired",
        "InvalidSignature: a token this account never issued",
    ]


def test_expire_tokens_ends_every_token_issued_so_far(account):
    first, second = account.token("ES256"), account.token("PS256")
    account.app.oauth2.expire_tokens()
    assert {account.suiteql(f"Bearer {t}").status_code for t in (first, second)} == {401}
    assert account.suiteql(f"Bearer {account.token('ES256')}").status_code == 200


def test_a_token_without_the_rest_webservices_scope_cannot_read_suiteql(account):
    response = account.suiteql(f"Bearer {account.token(scope='restlets')}")
    assert response.status_code == 401
    assert "ScopeMismatched" in account.app.oauth2.audit_trail[-1]


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer   ", "Bearer two words"])
def test_a_malformed_bearer_header_is_a_400_invalid_request(account, authorization):
    response = account.suiteql(authorization)
    assert response.status_code == 400
    assert 'error="invalid_request"' in bearer_challenge(response)


def test_tba_and_bearer_tokens_work_side_by_side(account, make_client):
    assert make_client(account.base_url).ok(QUERY)["items"]
    assert account.suiteql(f"Bearer {account.token()}").status_code == 200


# --- Certificate Conditions (subsect_162755332391) ----------------------------------------------------


def _certificate(key, days: int) -> str:
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "test")])
    now = datetime.now(UTC)
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    builder = builder.serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=days))
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def test_only_certificates_meeting_oracles_conditions_can_be_mapped(account, key_pairs):
    oauth2 = account.app.oauth2
    client_id = oauth2.add_integration()
    with pytest.raises(ValueError, match="3072 or 4096"):
        oauth2.map_certificate(client_id, _certificate(rsa.generate_private_key(65537, 2048), 365))
    with pytest.raises(ValueError, match="x.509"):
        oauth2.map_certificate(client_id, key_pairs["ES256"].private_key_pem)
    with pytest.raises(ValueError, match="one combination"):  # already mapped for the account's integration
        oauth2.map_certificate(client_id, key_pairs["ES256"].certificate_pem)
    with pytest.raises(ValueError, match="integration record"):
        oauth2.map_certificate("unknown-client", make_key_pair("ES256").certificate_pem)


def test_a_certificate_valid_longer_than_two_years_is_shortened_to_two(account):
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    oauth2 = account.app.oauth2
    certificate_id = oauth2.map_certificate(account.client_id, _certificate(key, 5 * 365))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account.now[0] += 731 * 86400
    claims = account.claims()
    assertion = jwt.encode({"typ": "JWT", "alg": "ES256", "kid": certificate_id}, claims, ECKey.import_key(pem))
    assert_refused(account, account.request_token(assertion), why="certificate has expired")


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
