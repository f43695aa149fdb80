"""Links from a report row to the order in NetSuite and in Shopify's admin.

By default they are derived from the connections (never their secrets):
- NetSuite: the account id in `netsuite_default`'s extra → https://<account>.app.netsuite.com
  (lowercased, `_` → `-`, as NetSuite spells account hosts);
- Shopify: each store's connection host https://<shop>.myshopify.com → https://admin.shopify.com/store/<shop>;
  a loopback host is the local sandbox, whose order view is `<host>/_sandbox/orders/<id>`. An order of no
  store links to no shop.
Variables `netsuite_shopify_netsuite_app_url` / `netsuite_shopify_shopify_admin_url` override both (the
latter for the store on `shopify_default`; e.g. a custom NetSuite domain); an empty override switches that
link off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from include.cancel_sync.constants import (
    NETSUITE_APP_URL_VARIABLE,
    NETSUITE_CONN_ID,
    SHOPIFY_ADMIN_URL_VARIABLE,
    SHOPIFY_CONN_ID,
)
from include.cancel_sync.shopify.order_ids import ORDER_GID_PREFIX
from include.cancel_sync.stores import Store, implicit_stores

_SHOP_HOST = re.compile(r"^([a-z0-9][a-z0-9-]*)\.myshopify\.com$")
_LOOPBACK_HOSTS = ("localhost", "::1")


@dataclass(frozen=True)
class RecordUrls:
    netsuite_app_url: str | None = None  # https://1234567-sb1.app.netsuite.com
    shopify_orders_url: str | None = None  # base that an order's numeric id is appended to (no stores known)
    store_orders_urls: Mapping[str, str | None] = field(default_factory=dict)  # store → its shop's base

    def netsuite(self, internal_id: Any) -> str | None:
        if not self.netsuite_app_url or internal_id in (None, ""):
            return None
        return f"{self.netsuite_app_url}/app/accounting/transactions/salesord.nl?id={quote(str(internal_id))}"

    def shopify(self, gid: str | None, store: str | None = None) -> str | None:
        """The order's page in its store's shop (stores known: an order of no store has none)."""
        base = self.store_orders_urls.get(store) if self.store_orders_urls else self.shopify_orders_url
        if not base or not gid or not gid.startswith(ORDER_GID_PREFIX):
            return None
        number = gid.removeprefix(ORDER_GID_PREFIX)
        return f"{base}/{number}" if number.isdigit() else None


def netsuite_app_url(account_id: Any) -> str | None:
    """`1234567_SB1` → `https://1234567-sb1.app.netsuite.com`."""
    account = str(account_id or "").strip().lower().replace("_", "-")
    if not re.fullmatch(r"[a-z0-9-]+", account):
        return None
    return f"https://{account}.app.netsuite.com"


def shopify_orders_url(host: Any) -> str | None:
    """Order pages for a Shopify connection host (the shop's admin, or the local sandbox's order view)."""
    text = str(host or "").strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    hostname = (parts.hostname or "").lower()
    shop = _SHOP_HOST.match(hostname)
    if shop:
        return f"https://admin.shopify.com/store/{shop.group(1)}/orders"
    if hostname in _LOOPBACK_HOSTS or hostname.startswith("127."):
        port = f":{parts.port}" if parts.port else ""
        netloc = f"[{hostname}]" if ":" in hostname else hostname
        return f"{parts.scheme}://{netloc}{port}/_sandbox/orders"  # no user:password from the host
    return None


def record_urls(
    netsuite_extra: dict[str, Any] | None,
    shopify_host: str | None,
    netsuite_override: str | None = None,
    shopify_override: str | None = None,
    store_hosts: Mapping[str, tuple[str, str | None]] | None = None,
) -> RecordUrls:
    """Overrides: None derives the link from the connection, "" switches it off, anything else is the base URL.
    `store_hosts`: store → (its connection id, that connection's host); `shopify_host` and `shopify_override`
    are shopify_default's, for the store on it."""
    if netsuite_override is None:
        netsuite = netsuite_app_url((netsuite_extra or {}).get("account_id"))
    else:
        netsuite = web_url(netsuite_override)
    default = _shop_orders(shopify_host, shopify_override)
    stores = {
        name: default if conn_id == SHOPIFY_CONN_ID else shopify_orders_url(host)
        for name, (conn_id, host) in (store_hosts or {}).items()
    }
    return RecordUrls(netsuite, default, stores)


def _shop_orders(host: str | None, override: str | None) -> str | None:
    if override is None:
        return shopify_orders_url(host)
    admin = web_url(override)  # the store's admin URL; its orders live below it
    return (admin if admin.endswith("/orders") else f"{admin}/orders") if admin else None


def web_url(value: str) -> str | None:
    """Only http(s) links reach a report (a `javascript:` URL in a Variable would run on click)."""
    text = str(value).strip().rstrip("/")
    return text if re.match(r"^https?://[^\s\"'<>]+$", text) else None


def record_urls_from_airflow(stores: Iterable[Store] | None = None) -> RecordUrls:
    """Inside a task: the connections (each store's) and the two override Variables; a missing connection
    means no link."""
    from airflow.sdk import Variable

    from include.cancel_sync.airflow_connections import optional_connection

    def host(conn_id: str) -> str | None:
        connection = optional_connection(conn_id)
        return connection.host if connection else None

    netsuite = optional_connection(NETSUITE_CONN_ID)
    store_hosts = {
        store.name: (store.shopify_conn_id, host(store.shopify_conn_id)) for store in stores or implicit_stores()
    }
    return record_urls(
        netsuite.extra_dejson if netsuite else None,
        host(SHOPIFY_CONN_ID),
        Variable.get(NETSUITE_APP_URL_VARIABLE, default=None),
        Variable.get(SHOPIFY_ADMIN_URL_VARIABLE, default=None),
        store_hosts,
    )
