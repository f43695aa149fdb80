"""Start both sandboxes over one seeded world and describe them as Airflow connections.

One NetSuite account, and one Shopify shop per store of the world (`World.stores`), each on its own port with
its own access token, orders and cost bucket. The first store's shop is `shopify`, its connection
`shopify_default`; the others' are `shopify_<name>`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import requests
from requests_oauthlib import OAuth1

from include.cancel_sync.constants import NETSUITE_CONN_ID, SHOPIFY_CONN_ID
from sandbox.faults import FaultPlan
from sandbox.httpserver import SandboxServer
from sandbox.netsuite.app import NetSuiteApp
from sandbox.netsuite.certificates import make_key_pair
from sandbox.netsuite.oauth import NetSuiteCredentials
from sandbox.netsuite.oauth2 import ClientCredentialsServer
from sandbox.shopify.app import ShopifyApp
from sandbox.stores import list_values
from sandbox.world import World

SANDBOX_ACCOUNT_ID = "1234567_SB1"
NETSUITE_AUTH_KINDS = ("tba", "m2m")
# The algorithm the hook picks by itself from each key type; others go in the connection's `algorithm`.
_KEY_DEFAULT_ALGORITHMS = ("PS256", "ES256", "ES384", "ES512")


def random_credentials() -> tuple[NetSuiteCredentials, str]:
    """Fresh secrets per start, so a leak test can search logs for values nothing else contains."""
    netsuite = NetSuiteCredentials(
        account_id=SANDBOX_ACCOUNT_ID,
        consumer_key="ck_" + secrets.token_hex(16),
        consumer_secret="cs_" + secrets.token_hex(16),
        token_id="tk_" + secrets.token_hex(16),
        token_secret="ts_" + secrets.token_hex(16),
    )
    return netsuite, shop_token()


def shop_token() -> str:
    return "shpat_" + secrets.token_hex(16)


@dataclass(frozen=True)
class ClientCredentialsSetup:
    """What an administrator takes from NetSuite for an M2M connection: client ID, Certificate ID, the key."""

    client_id: str
    certificate_id: str
    private_key_pem: str = field(repr=False)
    algorithm: str

    @classmethod
    def mapped_in(cls, server: ClientCredentialsServer, algorithm: str) -> ClientCredentialsSetup:
        """A fresh key and certificate, mapped to a new integration record of `server`."""
        pair = make_key_pair(algorithm)
        client_id = server.add_integration()
        return cls(client_id, server.map_certificate(client_id, pair.certificate_pem), pair.private_key_pem, algorithm)

    def key_fragments(self) -> list[str]:
        """The key, and single lines of it: a leak of part of the key shows too."""
        lines = [line for line in self.private_key_pem.splitlines() if line and not line.startswith("-----")]
        return [self.private_key_pem, lines[0], lines[len(lines) // 2], lines[-1]]


@dataclass
class ShopOptions:
    """One store's shop where it differs from SandboxOptions' shopify_* settings (None: those). Faults and port
    default to `shopify_faults` / `shopify_port` for the first store, to none / any free port for the others."""

    preset: str | None = None
    bucket_size: float | None = None
    restore_rate: float | None = None
    faults: FaultPlan | None = None
    port: int | None = None


@dataclass
class SandboxOptions:
    """How the sandboxes behave. NetSuite time zone: `netsuite_timezone` (IANA) is the token user's preference;
    None takes the world's (`World.netsuite_timezone`, America/Los_Angeles unless built otherwise). `netsuite_dst_overlap`
    ("later" | "earlier") and `netsuite_dst_gap` ("shift" | "error") read wall-clock text in the autumn
    repeated hour and the spring gap (sandbox/netsuite/session_zone.py). `netsuite_billed_sign` (-1 | 1) is the
    sign transactionline.quantitybilled is stored with; `netsuite_fulfillment_documents` also makes Item
    Fulfillments linked to shipped lines. `shopify_cancel_job_inline` runs a cancel job due at once before
    orderCancel replies (sandbox/shopify/README.md)."""

    host: str = "127.0.0.1"
    netsuite_port: int = 0
    shopify_port: int = 0
    latency: float = 0.0  # per request: NetSuite's whole response time, added before Shopify's work
    shopify_preset: str = "standard"
    shopify_bucket_size: float | None = None  # None: the preset's (20 s of restore)
    shopify_restore_rate: float | None = None  # None: the preset's
    cancel_job_delay: float = 0.0
    netsuite_concurrency_limit: int = 5
    # Which kind of netsuite_default connections() writes: "tba" or "m2m" (the sandbox accepts both).
    netsuite_auth: str = "tba"
    netsuite_algorithm: str = "ES256"  # m2m: the key made for it (PS* → RSA 3072, ES256/384/512 → P-256/384/521)
    netsuite_token_lifetime: float = 3600.0  # seconds an access token lives
    netsuite_timezone: str | None = None
    netsuite_dst_overlap: str = "later"
    netsuite_dst_gap: str = "shift"
    netsuite_billed_sign: int = -1
    netsuite_fulfillment_documents: bool = False
    shopify_cancel_job_inline: bool = False
    netsuite_faults: FaultPlan = field(default_factory=FaultPlan)
    shopify_faults: FaultPlan = field(default_factory=FaultPlan)
    shop_options: dict[str, ShopOptions] = field(default_factory=dict)  # store name → its shop's own settings


def netsuite_app(world: World, options: SandboxOptions, credentials: NetSuiteCredentials, timezone: str) -> NetSuiteApp:
    """The NetSuite sandbox of `options`, loaded with the world's sales orders and its stores' list values."""
    app = NetSuiteApp(
        credentials,
        concurrency_limit=options.netsuite_concurrency_limit,
        latency=options.latency,
        faults=options.netsuite_faults,
        oauth2=ClientCredentialsServer(SANDBOX_ACCOUNT_ID, token_lifetime=options.netsuite_token_lifetime),
        timezone=timezone,
        dst_overlap=options.netsuite_dst_overlap,
        dst_gap=options.netsuite_dst_gap,
        billed_sign=options.netsuite_billed_sign,
        fulfillment_documents=options.netsuite_fulfillment_documents,
    )
    app.load_sales_orders(world.sales_orders)
    for (table, column), names in list_values((*world.stores, world.unknown_store)).items():
        app.load_list_values(table, column, names)
    return app


def shop_app(world: World, options: SandboxOptions, name: str, token: str) -> tuple[ShopifyApp, int]:
    """Store `name`'s shop as `options` describe it, loaded with its orders, and the port it asks for."""
    first = name == world.stores[0].name
    own = options.shop_options.get(name, ShopOptions())
    app = ShopifyApp(
        token,
        preset=own.preset or options.shopify_preset,
        bucket_size=own.bucket_size if own.bucket_size is not None else options.shopify_bucket_size,
        restore_rate=own.restore_rate if own.restore_rate is not None else options.shopify_restore_rate,
        cancel_job_delay=options.cancel_job_delay,
        cancel_job_inline=options.shopify_cancel_job_inline,
        latency=options.latency,
        faults=own.faults if own.faults is not None else (options.shopify_faults if first else FaultPlan()),
    )
    app.load_orders(world.orders_of(name))
    port = own.port if own.port is not None else (options.shopify_port if first else 0)
    return app, port


def check_shop_options(world: World, options: SandboxOptions) -> None:
    strangers = sorted(set(options.shop_options) - {spec.name for spec in world.stores})
    if strangers:
        raise ValueError(f"shop_options for stores the world does not have: {strangers}")


def shop_tokens(world: World, first_token: str) -> dict[str, str]:
    """Each store's shop's access token: the first store's is `first_token`, the others fresh."""
    return {spec.name: first_token if index == 0 else shop_token() for index, spec in enumerate(world.stores)}


class SandboxConnections:
    """The Airflow connections of running sandboxes. Subclasses set the world, the NetSuite URL, secrets and
    time zone, and each shop's URL and token (`shop_urls`, `shop_tokens`: store name → value)."""

    world: World
    netsuite_credentials: NetSuiteCredentials
    netsuite_m2m: ClientCredentialsSetup | None = None
    netsuite_url: str
    netsuite_timezone: str
    shop_urls: dict[str, str]
    shop_tokens: dict[str, str]

    @property
    def shopify_url(self) -> str:
        """The first (default) store's shop."""
        return self.shop_url(self.world.stores[0].name)

    @property
    def shopify_token(self) -> str:
        return self.shop_token(self.world.stores[0].name)

    def shop_url(self, name: str) -> str:
        return self.shop_urls[name]

    def shop_token(self, name: str) -> str:
        return self.shop_tokens[name]

    def shop_connection_id(self, name: str) -> str:
        return SHOPIFY_CONN_ID if name == self.world.stores[0].name else f"shopify_{name}"

    def connections(self) -> dict[str, dict[str, Any]]:
        """Connection definitions in `airflow connections import` format."""
        shops = {
            self.shop_connection_id(name): {
                "conn_type": "http",
                "host": self.shop_url(name),
                "password": self.shop_token(name),
                "extra": {"api_version": "2026-10", "timeout": 60},
            }
            for name in self.shop_tokens
        }
        return {NETSUITE_CONN_ID: self._netsuite_connection(), **shops}

    def stores_variable(
        self, overrides: dict[str, dict[str, Any]] | None = None, celigo_match: str = "id"
    ) -> list[dict[str, Any]]:
        """The netsuite_shopify_stores Variable for the world's stores: each store's name, connection and the
        selector its orders' marks match (a Celigo store by record id, or by name with `celigo_match="text"`),
        with `overrides[name]` merged over it (top-level keys replace)."""
        overrides = overrides or {}
        strangers = sorted(set(overrides) - set(self.shop_tokens))
        if strangers:
            raise ValueError(f"overrides for stores the world does not have: {strangers}")
        return [
            {
                "name": spec.name,
                "shopify_conn_id": self.shop_connection_id(spec.name),
                "netsuite": spec.selector(celigo_match),
            }
            | overrides.get(spec.name, {})
            for spec in self.world.stores
        ]

    def _netsuite_connection(self) -> dict[str, Any]:
        tba, m2m = self.netsuite_credentials, self.netsuite_m2m
        # timezone: the token user's Set Preferences > Time Zone
        common = {"account_id": tba.account_id, "timezone": self.netsuite_timezone, "max_concurrency": 2, "timeout": 60}
        if m2m is None:
            login, password = tba.consumer_key, tba.consumer_secret
            extra = {"token_id": tba.token_id, "token_secret": tba.token_secret}
        else:
            login, password = m2m.client_id, m2m.private_key_pem
            extra = {"certificate_id": m2m.certificate_id}
            if m2m.algorithm not in _KEY_DEFAULT_ALGORITHMS:
                extra["algorithm"] = m2m.algorithm
        return {
            "conn_type": "http",
            "host": self.netsuite_url,
            "login": login,
            "password": password,
            "extra": common | extra,
        }

    def connection_env(self) -> dict[str, str]:
        """The same connections as AIRFLOW_CONN_* environment variables (JSON form)."""
        return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in self.connections().items()}

    def netsuite_session(self) -> requests.Session:
        """A session signed the way NetSuite wants (TBA, HMAC-SHA256, realm = account id)."""
        c = self.netsuite_credentials
        session = requests.Session()
        session.auth = OAuth1(
            c.consumer_key,
            c.consumer_secret,
            c.token_id,
            c.token_secret,
            signature_method="HMAC-SHA256",
            realm=c.account_id,
        )
        return session

    def shopify_session(self) -> requests.Session:
        return self.shop_session(self.world.stores[0].name)

    def shop_session(self, name: str) -> requests.Session:
        session = requests.Session()
        session.headers["X-Shopify-Access-Token"] = self.shop_token(name)
        return session


class Sandboxes(SandboxConnections):
    """`with Sandboxes(world) as sandboxes:` → NetSuite and every store's shop up, loaded with the world, in this
    process (tests read and steer `sandboxes.netsuite` and `sandboxes.shops` directly). processes.py runs them
    apart."""

    def __init__(self, world: World, options: SandboxOptions | None = None) -> None:
        self.world = world
        self.options = options or SandboxOptions()
        if self.options.netsuite_auth not in NETSUITE_AUTH_KINDS:
            raise ValueError(f"netsuite_auth must be one of {', '.join(NETSUITE_AUTH_KINDS)}")
        check_shop_options(world, self.options)
        self.netsuite_credentials, first_token = random_credentials()
        self.netsuite = netsuite_app(world, self.options, self.netsuite_credentials, self.netsuite_timezone)
        self.netsuite_m2m = (
            ClientCredentialsSetup.mapped_in(self.netsuite.oauth2, self.options.netsuite_algorithm)
            if self.options.netsuite_auth == "m2m"
            else None
        )
        self._servers = [SandboxServer(self.netsuite, self.options.host, self.options.netsuite_port)]
        self.shop_tokens = shop_tokens(world, first_token)
        self.shops: dict[str, ShopifyApp] = {}  # store name → its shop, the first store's first
        self._shop_servers: dict[str, SandboxServer] = {}
        for name, token in self.shop_tokens.items():
            app, port = shop_app(world, self.options, name, token)
            self.shops[name] = app
            self._shop_servers[name] = SandboxServer(app, self.options.host, port)
        self._servers += self._shop_servers.values()
        self.shopify = self.shops[world.stores[0].name]

    @property
    def netsuite_timezone(self) -> str:
        """The NetSuite token user's time zone the sandbox applies (IANA name)."""
        return self.options.netsuite_timezone or self.world.netsuite_timezone

    @property
    def netsuite_url(self) -> str:
        return self._servers[0].url

    @property
    def shop_urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self._shop_servers.items()}

    def start(self) -> Sandboxes:
        for server in self._servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()

    def __enter__(self) -> Sandboxes:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def secrets(self) -> list[str]:
        """Every secret value handed out so far: credentials, and the access tokens and assertions of M2M."""
        c = self.netsuite_credentials
        found = [c.consumer_secret, c.token_id, c.token_secret, *(app.access_token for app in self.shops.values())]
        if self.netsuite_m2m is not None:
            found += self.netsuite_m2m.key_fragments()
        return found + self.netsuite.oauth2.issued_tokens() + list(self.netsuite.oauth2.assertions)
