"""Token-Based Authentication (OAuth 1.0a, HMAC-SHA256) as NetSuite checks it.

The signature base string is built here from RFC 5849 directly (not with
oauthlib), so a test signing with requests_oauthlib checks two independent
implementations against each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

SIGNATURE_METHOD = "HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 300.0
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEADER_PARAM = re.compile(r'\s*([A-Za-z0-9_%.~-]+)\s*=\s*"([^"]*)"\s*(,|$)')
_REQUIRED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
)


@dataclass(frozen=True)
class NetSuiteCredentials:
    account_id: str  # as written in NetSuite, e.g. "1234567_SB1"; also the OAuth realm
    consumer_key: str
    consumer_secret: str = field(repr=False)
    token_id: str
    token_secret: str = field(repr=False)


class AuthenticationFailed(Exception):
    """Why a request was refused; NetSuite never tells the client, but tests and logs may."""


def percent_encode(value: str) -> str:
    """RFC 5849 3.6: encode everything except the RFC 3986 unreserved characters."""
    return quote(value, safe="~")


def parse_authorization_header(header: str) -> dict[str, str]:
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        raise AuthenticationFailed("the Authorization header does not use the OAuth scheme")
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _HEADER_PARAM.match(rest, position)
        if not match:
            raise AuthenticationFailed("the OAuth Authorization header is malformed")
        name, value = unquote(match.group(1)), unquote(match.group(2))
        if name in params:
            raise AuthenticationFailed(f"the OAuth parameter {name} appears twice")
        params[name] = value
        position = match.end()
    return params


def normalized_url(url: str) -> str:
    """RFC 5849 3.4.1.2: lowercase scheme and host, no default port, no query or fragment."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    authority = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{authority}{parts.path or '/'}"


def signature_base_string(method: str, url: str, oauth_params: dict[str, str]) -> str:
    """RFC 5849 3.4.1: the query's parameters are signed, a JSON body is not."""
    pairs = list(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    pairs += [(name, value) for name, value in oauth_params.items() if name not in ("oauth_signature", "realm")]
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in pairs)
    normalized = "&".join(f"{name}={value}" for name, value in encoded)
    return "&".join(percent_encode(part) for part in (method.upper(), normalized_url(url), normalized))


def hmac_sha256_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class TbaVerifier:
    """Checks a request's OAuth header against one integration record and access token."""

    def __init__(
        self,
        credentials: NetSuiteCredentials,
        max_clock_skew: float = MAX_CLOCK_SKEW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.max_clock_skew = max_clock_skew
        self.clock = clock
        self._lock = threading.Lock()
        self._seen_nonces: dict[tuple[str, str, str], float] = {}  # (consumer, token, nonce) → timestamp

    def verify(self, method: str, url: str, authorization: str | None) -> None:
        """Raise AuthenticationFailed unless the request is correctly signed and fresh."""
        if not authorization:
            raise AuthenticationFailed("no Authorization header")
        params = parse_authorization_header(authorization)
        missing = [name for name in _REQUIRED if not params.get(name)]
        if missing:
            raise AuthenticationFailed(f"missing OAuth parameters: {', '.join(missing)}")
        expected = self.credentials
        if params.get("realm") != expected.account_id:
            raise AuthenticationFailed(f"realm {params.get('realm')!r} is not the account id")
        if params.get("oauth_version", "1.0") != "1.0":
            raise AuthenticationFailed("oauth_version must be 1.0")
        if params["oauth_signature_method"] != SIGNATURE_METHOD:
            raise AuthenticationFailed(f"signature method {params['oauth_signature_method']} is not {SIGNATURE_METHOD}")
        if not hmac.compare_digest(params["oauth_consumer_key"], expected.consumer_key):
            raise AuthenticationFailed("unknown consumer key")
        if not hmac.compare_digest(params["oauth_token"], expected.token_id):
            raise AuthenticationFailed("unknown token")
        timestamp = self._fresh_timestamp(params["oauth_timestamp"])
        signature = hmac_sha256_signature(
            signature_base_string(method, url, params), expected.consumer_secret, expected.token_secret
        )
        if not hmac.compare_digest(signature, params["oauth_signature"]):
            raise AuthenticationFailed("signature mismatch")
        # Only a correctly signed request uses up its nonce, so forgeries cannot burn a client's nonces.
        self._use_nonce(params["oauth_consumer_key"], params["oauth_token"], params["oauth_nonce"], timestamp)

    def _fresh_timestamp(self, value: str) -> float:
        if not value.isdigit():
            raise AuthenticationFailed("oauth_timestamp is not a number of seconds")
        timestamp = float(value)
        if abs(self.clock() - timestamp) > self.max_clock_skew:
            raise AuthenticationFailed("oauth_timestamp is too far from the server clock")
        return timestamp

    def _use_nonce(self, consumer_key: str, token: str, nonce: str, timestamp: float) -> None:
        key = (consumer_key, token, nonce)
        with self._lock:
            if key in self._seen_nonces:
                raise AuthenticationFailed("nonce already used")
            self._seen_nonces[key] = timestamp
            if len(self._seen_nonces) % 1024 == 0:
                self._forget_expired_nonces()

    def _forget_expired_nonces(self) -> None:
        # A replay of an expired nonce fails the timestamp check anyway, so old nonces need no memory.
        oldest = self.clock() - self.max_clock_skew
        self._seen_nonces = {key: ts for key, ts in self._seen_nonces.items() if ts >= oldest}
