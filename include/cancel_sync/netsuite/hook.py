"""NetSuite hook: connection `netsuite_default` → signed SuiteQL client.

Connection fields: host = REST base URL (https://<account>.suitetalk.api.netsuite.com),
login/password = consumer key/secret, extra `account_id`, `token_id`, `token_secret`
(optional `max_concurrency`, `page_size`).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.log import mask_secret
from requests import Session
from requests_oauthlib import OAuth1

from include.cancel_sync.constants import NETSUITE_CONN_ID
from include.cancel_sync.errors import SyncError
from include.cancel_sync.http_sessions import session_copier
from include.cancel_sync.netsuite.client import NetSuiteClient

# HttpHook sends every unknown extra as an HTTP header; these must never leave as headers.
_OWN_EXTRAS = ("account_id", "token_id", "token_secret", "max_concurrency", "page_size")


class NetSuiteHook(HttpHook):
    conn_name_attr = "netsuite_conn_id"
    default_conn_name = NETSUITE_CONN_ID
    conn_type = "http"
    hook_name = "NetSuite (SuiteQL, TBA)"

    def __init__(self, netsuite_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(method="POST", http_conn_id=netsuite_conn_id, **kwargs)
        self.netsuite_conn_id = netsuite_conn_id

    def _extract_auth(self, connection: Any) -> OAuth1:
        extra = connection.extra_dejson
        values = {
            "login (consumer key)": connection.login,
            "password (consumer secret)": connection.password,
            "extra account_id": extra.get("account_id"),
            "extra token_id": extra.get("token_id"),
            "extra token_secret": extra.get("token_secret"),
        }
        missing = [name for name, value in values.items() if not str(value or "").strip()]
        if missing:
            raise SyncError(f"connection {self.netsuite_conn_id} is missing {', '.join(missing)}")
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

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None) -> Session:
        session = super().get_conn(headers, extra_options)
        for key in _OWN_EXTRAS:
            session.headers.pop(key, None)
        return session

    def get_client(self, max_concurrency: int | None = None) -> NetSuiteClient:
        session = self.get_conn()  # validates the connection before any thread starts
        extra = self.get_connection(self.netsuite_conn_id).extra_dejson
        return NetSuiteClient(
            session_factory=session_copier(session),
            base_url=self.base_url,
            max_concurrency=int(max_concurrency or extra.get("max_concurrency", 2)),
            page_size=int(extra.get("page_size", 1000)),
            timeout=(10.0, float(extra.get("timeout", 300))),
            verify=session.verify,
        )
