"""NetSuite OAuth 2.0 client credentials (machine to machine): a signed JWT buys a bearer token.

Oracle's help, the facts relied on (README, "Pointing it at real systems", lists them all):
- section_162790605110 (The Request Token Structure): header `typ` JWT, `alg` PS256/PS384/PS512/ES256/ES384/ES512,
  `kid` = the mapping's Certificate ID; claims `iss` = client ID, `scope` (restlets, rest_webservices,
  suite_analytics, "separated by a comma"), `aud` = the token endpoint, `iat`, and `exp` "less than 60 minutes
  greater than" `iat`.
- section_162755359851 (POST Request to the Token Endpoint): form-encoded `grant_type=client_credentials`,
  `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion`; the reply's
  `access_token` "is valid for 60 minutes"; no refresh token in this flow, so a new token is a new request.
- subsect_158521885412: an expired, revoked or invalid token gets 401 with `WWW-Authenticate: Bearer ...
  error="invalid_token"` (the client renews once on a 401: netsuite/client.py).

Docs silent: whether `expires_in` is a string or a number (both parsed), whether a replayed assertion is refused
(every token request signs a fresh one), the token endpoint's error values for this flow (any refusal other than
429/5xx is reported with NetSuite's `error`, not retried).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from include.cancel_sync.errors import NetSuiteError, TransientError
from include.cancel_sync.netsuite.client import RETRY_STATUSES

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
DEFAULT_SCOPE = "rest_webservices"
ASSERTION_LIFETIME = 300  # seconds; Oracle's limit is under 3600, its own sample sits on the edge
DOCUMENTED_TOKEN_LIFETIME = 3600.0  # "The access token is valid for 60 minutes"
RENEW_AHEAD = 60.0  # seconds before expiry a token is replaced (at most a tenth of its lifetime)
_CURVE_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def token_url(base_url: str) -> str:
    """The token endpoint beside the REST API the connection points at (production, sandbox or a test server)."""
    return base_url.rstrip("/") + TOKEN_PATH


def load_private_key(text: str) -> PrivateKey:
    """The connection's PEM private key (PKCS#8 or traditional, unencrypted). A key pasted into a one-line field
    (newlines lost, or typed as `\\n`) is rewrapped first."""
    match = _PEM.search(text.replace("\\n", "\n"))
    if not match:
        raise ValueError("the private key is not PEM text (-----BEGIN PRIVATE KEY----- ...)")
    body = re.sub(r"\s", "", match.group(2))
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    pem = f"-----BEGIN {match.group(1)}-----\n{lines}\n-----END {match.group(1)}-----\n"
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ValueError("the private key cannot be read (it must be an unencrypted PEM private key)") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("the private key must be RSA or EC (P-256, P-384, P-521)")
    return key


def signing_algorithm(key: PrivateKey, chosen: str | None = None) -> str:
    """`chosen`, checked against the key, or the key's own: PS256 for RSA, ES256/ES384/ES512 for P-256/384/521."""
    own = "PS256" if isinstance(key, rsa.RSAPrivateKey) else _CURVE_ALGORITHMS.get(key.curve.name)
    if own is None:
        raise ValueError(f"the private key's curve {key.curve.name} is not one NetSuite accepts (P-256, P-384, P-521)")
    algorithm = (chosen or "").strip().upper() or own
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm {algorithm} is not one NetSuite accepts ({', '.join(ALGORITHMS)})")
    if algorithm[:2] != own[:2] or (algorithm.startswith("ES") and algorithm != own):
        raise ValueError(f"algorithm {algorithm} does not fit the private key (it signs {own})")
    return algorithm


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    certificate_id: str
    private_key: PrivateKey = field(repr=False)
    algorithm: str
    scope: str = DEFAULT_SCOPE


def client_assertion(credentials: ClientCredentials, now: float) -> str:
    """The JWT that asks for a token, signed with the private key of the mapped certificate."""
    issued = int(now)
    claims = {
        "iss": credentials.client_id,
        "scope": credentials.scope,
        "aud": credentials.token_url,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME,
    }
    headers = {"typ": "JWT", "kid": credentials.certificate_id}
    return jwt.encode(claims, credentials.private_key, algorithm=credentials.algorithm, headers=headers)


def token_lifetime(expires_in: Any) -> float:
    """Seconds from `expires_in`, a number or a numeric string; anything else reads as the documented hour."""
    try:
        seconds = float(str(expires_in).strip())
    except ValueError:
        return DOCUMENTED_TOKEN_LIFETIME
    return seconds if 0 < seconds < float("inf") else DOCUMENTED_TOKEN_LIFETIME


@dataclass(frozen=True)
class _AccessToken:
    value: str = field(repr=False)
    renew_at: float


class TokenSource:
    """One client's access token, shared by all its threads: fetched when first needed, renewed ahead of expiry
    or when NetSuite refuses it, one token request at a time (the others wait for its token)."""

    def __init__(
        self,
        credentials: ClientCredentials,
        on_token: Callable[[str], None] = lambda token: None,
        clock: Callable[[], float] = time.time,
        timeout: tuple[float, float] = (10.0, 60.0),
    ) -> None:
        self.credentials = credentials
        self.http = requests.Session()  # the hook gives it the connection's TLS and proxy settings
        self.token_requests = 0
        self._on_token = on_token  # the hook registers each token with Airflow's secrets masker
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._current: _AccessToken | None = None

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._current is None or now >= self._current.renew_at:
                self._current = self._request(now)
            return self._current.value

    def refused(self, token: str) -> None:
        """NetSuite refused `token`: the next caller gets a new one (unless another thread already renewed it)."""
        with self._lock:
            if self._current is not None and self._current.value == token:
                self._current = None

    def _request(self, now: float) -> _AccessToken:
        self.token_requests += 1
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": client_assertion(self.credentials, now),
        }
        try:
            response = self.http.post(
                self.credentials.token_url, data=form, headers=_FORM_HEADERS, timeout=self._timeout
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(f"NetSuite token request failed: {type(exc).__name__}") from None
        if response.status_code in RETRY_STATUSES:
            raise TransientError(f"NetSuite token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200:
            raise _refusal(response.status_code, body)
        value = body.get("access_token")
        if not isinstance(value, str) or not value.strip():
            raise NetSuiteError(
                response.status_code, "NO_ACCESS_TOKEN", "the token endpoint's reply has no access_token"
            )
        self._on_token(value)
        lifetime = token_lifetime(body.get("expires_in"))
        return _AccessToken(value, renew_at=now + lifetime - min(RENEW_AHEAD, lifetime / 10))


_PROCESS_TOKENS: dict[tuple[str, ...], TokenSource] = {}
_PROCESS_TOKENS_LOCK = threading.Lock()


def process_token_source(
    credentials: ClientCredentials, key_fingerprint: str, on_token: Callable[[str], None]
) -> TokenSource:
    """The token source every client of this process with these credentials shares: one token per process, not
    per hook (a task's compare and cancel clients, or every task of `dag.test`, ask NetSuite once an hour)."""
    identity = (
        credentials.token_url,
        credentials.client_id,
        credentials.certificate_id,
        credentials.scope,
        credentials.algorithm,
        key_fingerprint,
    )
    with _PROCESS_TOKENS_LOCK:
        source = _PROCESS_TOKENS.get(identity)
        if source is None:
            source = _PROCESS_TOKENS[identity] = TokenSource(credentials, on_token=on_token)
        return source


def _refusal(status: int, body: dict[str, Any]) -> NetSuiteError:
    error = str(body.get("error") or "UNKNOWN")
    description = body.get("error_description")
    said = f" ({description})" if isinstance(description, str) and description else ""
    return NetSuiteError(
        status,
        error,
        f"NetSuite refused the OAuth 2.0 client credentials token request{said}. Check the connection's login "
        "(client ID), extra certificate_id and the private key in its password against Setup > Integration > "
        "Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup; the Login Audit Trail says why.",
    )


class ClientCredentialsAuth(requests.auth.AuthBase):
    """Sends `Authorization: Bearer <token>`; all copies of a session share this object and so its token."""

    def __init__(self, tokens: TokenSource) -> None:
        self.tokens = tokens

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.tokens.token()}"
        return request

    def refused(self, request: requests.PreparedRequest) -> None:
        scheme, _, token = str(request.headers.get("Authorization", "")).partition(" ")
        if scheme == "Bearer":
            self.tokens.refused(token)
