"""Shopify hook: a store's connection (`shopify_default`, or one netsuite_shopify_stores names) → Admin GraphQL client.

Connection fields: host = https://<shop>.myshopify.com, password = Admin API access
token, extra `api_version` (default 2026-10).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.log import mask_secret
from requests import Session

from include.cancel_sync.constants import SHOPIFY_CONN_ID
from include.cancel_sync.errors import SyncError
from include.cancel_sync.http_sessions import session_copier
from include.cancel_sync.shopify.client import DEFAULT_API_VERSION, ShopifyClient, graphql_url

_OWN_EXTRAS = ("api_version", "access_token")


class ShopifyHook(HttpHook):
    conn_name_attr = "shopify_conn_id"
    default_conn_name = SHOPIFY_CONN_ID
    conn_type = "http"
    hook_name = "Shopify Admin (GraphQL)"

    def __init__(self, shopify_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(method="POST", http_conn_id=shopify_conn_id, **kwargs)
        self.shopify_conn_id = shopify_conn_id

    def _extract_auth(self, connection: Any) -> None:
        return None  # the token travels in X-Shopify-Access-Token, never as basic auth

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None) -> Session:
        session = super().get_conn(headers, extra_options)
        for key in _OWN_EXTRAS:
            session.headers.pop(key, None)
        token = access_token(self.get_connection(self.shopify_conn_id))
        mask_secret(token)
        session.headers["X-Shopify-Access-Token"] = token
        session.headers["Content-Type"] = "application/json"
        return session

    def get_client(self) -> ShopifyClient:
        session = self.get_conn()
        extra = self.get_connection(self.shopify_conn_id).extra_dejson
        api_version = extra.get("api_version") or DEFAULT_API_VERSION
        return ShopifyClient(
            session_factory=session_copier(session),
            url=graphql_url(self.base_url, str(api_version)),
            timeout=(10.0, float(extra.get("timeout", 60))),
            conn_id=self.shopify_conn_id,
        )


def access_token(connection: Any) -> str:
    """The Admin API access token (the connection's password); a connection without one is refused."""
    token = connection.password
    if not str(token or "").strip():
        raise SyncError(f"connection {connection.conn_id} has no password (the Admin API access token)")
    return token
