"""NetSuite hook: connection `netsuite_default` → authenticated SuiteQL client.

Connection fields: host = REST base URL (https://<account>.suitetalk.api.netsuite.com), extra `account_id`,
extra `timezone` (IANA name of the token user's time-zone preference: SuiteQL compares and prints datetimes in
it), optional `max_concurrency`, `page_size`, `timeout`, and one of two kinds of authentication:
- OAuth 2.0 client credentials (M2M), chosen by extra `certificate_id`: login = the integration record's client
  ID, password = the PEM private key of the mapped certificate; optional extra `scope` (default rest_webservices)
  and `algorithm` (default from the key: PS256 for RSA, ES256/ES384/ES512 for EC P-256/P-384/P-521).
- Token-based authentication (TBA), chosen by extra `token_id`/`token_secret`: login/password = consumer key/secret.
"""

from __future__ import annotations

import hashlib
from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.log import mask_secret
from requests import Session
from requests_oauthlib import OAuth1

from include.cancel_sync.constants import NETSUITE_CONN_ID
from include.cancel_sync.errors import SyncError
from include.cancel_sync.http_sessions import copy_session, session_copier
from include.cancel_sync.netsuite.client import NetSuiteClient
from include.cancel_sync.netsuite.oauth2 import (
    DEFAULT_SCOPE,
    ClientCredentials,
    ClientCredentialsAuth,
    load_private_key,
    process_token_source,
    signing_algorithm,
    token_url,
)
from include.cancel_sync.netsuite.time_zone import NetSuiteClock, netsuite_clock
from include.cancel_sync.settings import SettingsError

# HttpHook sends every unknown extra as an HTTP header; these must never leave as headers.
_OWN_EXTRAS = (
    "account_id",
    "token_id",
    "token_secret",
    "certificate_id",
    "scope",
    "algorithm",
    "max_concurrency",
    "page_size",
    "timezone",
)


class NetSuiteHook(HttpHook):
    conn_name_attr = "netsuite_conn_id"
    default_conn_name = NETSUITE_CONN_ID
    conn_type = "http"
    hook_name = "NetSuite (SuiteQL; OAuth 2.0 client credentials or TBA)"

    def __init__(self, netsuite_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(method="POST", http_conn_id=netsuite_conn_id, **kwargs)
        self.netsuite_conn_id = netsuite_conn_id

    def _extract_auth(self, connection: Any) -> ClientCredentialsAuth | OAuth1:
        kind = authentication_kind(connection.extra_dejson)
        if kind == M2M:
            return self._client_credentials(connection)
        if kind == TBA:
            return self._token_based(connection)
        raise SyncError(
            f"connection {self.netsuite_conn_id} names no NetSuite authentication: add extra certificate_id "
            "(OAuth 2.0 client credentials; login = client ID, password = PEM private key) or extra token_id and "
            "token_secret (TBA; login / password = consumer key / secret)"
        )

    def _client_credentials(self, connection: Any) -> ClientCredentialsAuth:
        extra = connection.extra_dejson
        self._require(
            {
                "login (client ID)": connection.login,
                "password (PEM private key)": connection.password,
                "extra account_id": extra.get("account_id"),
            }
        )
        mask_secret(connection.password)
        try:
            key = load_private_key(connection.password)
            credentials = ClientCredentials(
                token_url=token_url(self.base_url),
                client_id=connection.login.strip(),
                certificate_id=str(extra["certificate_id"]).strip(),
                private_key=key,
                algorithm=signing_algorithm(key, extra.get("algorithm")),
                scope=str(extra.get("scope") or DEFAULT_SCOPE).strip(),
            )
        except ValueError as exc:
            raise SyncError(f"connection {self.netsuite_conn_id}: {exc}") from None
        fingerprint = hashlib.sha256(connection.password.encode()).hexdigest()
        return ClientCredentialsAuth(process_token_source(credentials, fingerprint, on_token=mask_secret))

    def _token_based(self, connection: Any) -> OAuth1:
        extra = connection.extra_dejson
        self._require(
            {
                "login (consumer key)": connection.login,
                "password (consumer secret)": connection.password,
                "extra account_id": extra.get("account_id"),
                "extra token_id": extra.get("token_id"),
                "extra token_secret": extra.get("token_secret"),
            }
        )
        for secret in (connection.password, extra["token_id"], extra["token_secret"]):
            mask_secret(secret)
        return OAuth1(
            client_key=connection.login,
            client_secret=connection.password,
            resource_owner_key=extra["token_id"],
            resource_owner_secret=extra["token_secret"],
            signature_method="HMAC-SHA256",
            realm=str(extra["account_id"]),
        )

    def _require(self, values: dict[str, Any]) -> None:
        missing = [name for name, value in values.items() if not _given(value)]
        if missing:
            raise SyncError(f"connection {self.netsuite_conn_id} is missing {', '.join(missing)}")

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None) -> Session:
        session = super().get_conn(headers, extra_options)
        for key in _OWN_EXTRAS:
            session.headers.pop(key, None)
        if isinstance(session.auth, ClientCredentialsAuth):  # token requests: the connection's TLS and proxies
            session.auth.tokens.http = copy_session(session, with_auth=False)
        return session

    def clock(self, extra: dict[str, Any]) -> NetSuiteClock:
        return connection_clock(extra, self.netsuite_conn_id)

    def get_client(self, max_concurrency: int | None = None) -> NetSuiteClient:
        session = self.get_conn()  # validates the connection before any thread starts
        extra = self.get_connection(self.netsuite_conn_id).extra_dejson
        return NetSuiteClient(
            session_factory=session_copier(session),
            base_url=self.base_url,
            clock=self.clock(extra),
            max_concurrency=int(max_concurrency or extra.get("max_concurrency", 2)),
            page_size=int(extra.get("page_size", 1000)),
            timeout=(10.0, float(extra.get("timeout", 300))),
            verify=session.verify,
        )


M2M = "OAuth 2.0 client credentials (M2M)"
TBA = "token-based authentication (TBA)"


def authentication_kind(extra: dict[str, Any]) -> str | None:
    """Which authentication a connection's extras choose: M2M by certificate_id, else TBA by its tokens."""
    if _given(extra.get("certificate_id")):
        return M2M
    if _given(extra.get("token_id")) or _given(extra.get("token_secret")):
        return TBA
    return None


def connection_clock(extra: dict[str, Any], conn_id: str = NETSUITE_CONN_ID) -> NetSuiteClock:
    """The token user's time zone, which SuiteQL compares and prints datetimes in: required, because
    guessing it wrong reads the wrong hours of every window and cancels nothing, silently."""
    where = f"connection {conn_id} extra timezone"
    name = str(extra.get("timezone") or "").strip()
    if not name:
        raise SettingsError(
            f"{where} is not set: set it to the IANA name of the time zone in the NetSuite token user's "
            "preferences (in NetSuite, signed in as that user: Home > Set Preferences > Time Zone), "
            "e.g. America/Los_Angeles. SuiteQL compares and prints dates in that zone."
        )
    return netsuite_clock(name, where)


def _given(value: Any) -> bool:
    return bool(str(value or "").strip())
