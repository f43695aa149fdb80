"""NetSuite sandbox fixtures: a server on loopback, TBA-signed sessions and a small known data set.

Helpers are handed out as fixtures (not imported) so test modules stay independent of import modes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox.httpserver import SandboxServer
from sandbox.model import SalesOrder, SalesOrderLine
from sandbox.netsuite import SUITEQL_PATH, NetSuiteApp, NetSuiteCredentials
from tests.timing import HTTP_TIMEOUT

CREDENTIALS = NetSuiteCredentials(
    account_id="1234567_SB1",
    consumer_key="consumer-key-1",
    consumer_secret="consumer-secret-1",
    token_id="token-id-1",
    token_secret="token-secret-1",
)

# The DAG's query, as include/cancel_sync sends it, for the window 2026-01-15 00:00–00:15.
DAG_QUERY = """
SELECT t.id, t.tranid, BUILTIN.CF(t.status) AS status,
       TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified,
       t.custbody_fa_channel_order AS shopify_link
FROM transaction t
WHERE t.type = 'SalesOrd'
  AND (BUILTIN.CF(t.status) = 'SalesOrd:C'
       OR (BUILTIN.CF(t.status) = 'SalesOrd:H'
           AND NOT EXISTS (SELECT 1 FROM transactionline tl
                           WHERE tl.transaction = t.id AND tl.mainline = 'F' AND tl.taxline = 'F'
                             AND ABS(NVL(tl.quantityshiprecv, 0)) > 0)))
  AND t.lastmodifieddate >= TO_TIMESTAMP('2026-01-15 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  AND t.lastmodifieddate < TO_TIMESTAMP('2026-01-15 00:15:00', 'YYYY-MM-DD HH24:MI:SS')
ORDER BY t.id
"""


def order(
    order_id: int,
    status: str,
    modified: datetime,
    shipped: tuple[int, ...] = (0,),
    link: str | None = None,
    link_field: str = "custbody_fa_channel_order",
) -> SalesOrder:
    """A sales order with one item line per entry of `shipped` (each ordered 2, shipped that many)."""
    return SalesOrder(
        id=order_id,
        tranid=f"SO{order_id}",
        status=status,
        last_modified=modified,
        trandate=modified.date(),
        total="25.50",
        fields={link_field: link if link is not None else str(5_800_000 + order_id)},
        lines=[
            SalesOrderLine(line=n, item=f"SKU-{n}", quantity=2, quantity_shipped=q) for n, q in enumerate(shipped, 1)
        ],
    )


def sample_orders() -> list[SalesOrder]:
    """Orders around the window 2026-01-15 00:00–00:15, one per case the DAG query must get right."""
    at = datetime(2026, 1, 15, 0, 0)
    return [
        order(101, "C", at.replace(minute=1)),  # canceled: in
        order(102, "H", at.replace(minute=2)),  # closed, nothing shipped: in
        order(103, "H", at.replace(minute=3), shipped=(0, 1)),  # closed after a partial shipment: out
        order(104, "H", at.replace(minute=4), shipped=(2, 2)),  # closed after full shipment: out
        order(105, "B", at.replace(minute=5)),  # pending fulfillment: out
        order(106, "C", at.replace(minute=14, second=59)),  # last second of the window: in
        order(107, "C", at.replace(minute=15)),  # window end is exclusive: out
        order(108, "C", datetime(2026, 1, 14, 23, 59, 59)),  # before the window: out
        order(109, "A", at.replace(minute=6)),  # pending approval: out
        order(110, "H", at.replace(minute=7), shipped=()),  # closed, no item lines at all: in
        order(111, "C", at.replace(minute=8), link=""),  # canceled with an empty link: in, link omitted
    ]


def signer(credentials: NetSuiteCredentials = CREDENTIALS, **overrides: str) -> OAuth1:
    values = {
        "client_key": credentials.consumer_key,
        "client_secret": credentials.consumer_secret,
        "resource_owner_key": credentials.token_id,
        "resource_owner_secret": credentials.token_secret,
        "signature_method": "HMAC-SHA256",
        "realm": credentials.account_id,
    }
    values.update(overrides)
    return OAuth1(**values)


class SuiteQLClient:
    """Posts SuiteQL the way an integration does; returns the raw `requests.Response`."""

    def __init__(self, base_url: str, auth: OAuth1 | None = None) -> None:
        self.base_url = base_url
        self.url = base_url + SUITEQL_PATH
        self.session = requests.Session()
        self.session.auth = auth or signer()

    def post(
        self, query: str, limit: int | None = None, offset: int | None = None, headers: dict | None = None
    ) -> requests.Response:
        params = {name: value for name, value in (("limit", limit), ("offset", offset)) if value is not None}
        sent_headers = {"Prefer": "transient", "Content-Type": "application/json"} | (headers or {})
        return self.session.post(self.url, params=params, json={"q": query}, headers=sent_headers, timeout=HTTP_TIMEOUT)

    def ok(self, query: str, limit: int | None = None, offset: int | None = None) -> dict:
        response = self.post(query, limit, offset)
        assert response.status_code == 200, response.text
        return response.json()

    def rows(self, query: str, limit: int = 1000) -> list[dict]:
        """Every row, following hasMore like a client would."""
        rows: list[dict] = []
        offset = 0
        while True:
            page = self.ok(query, limit, offset)
            rows.extend(page["items"])
            if not page["hasMore"]:
                return rows
            offset += limit


@pytest.fixture(scope="session")
def credentials() -> NetSuiteCredentials:
    return CREDENTIALS


@pytest.fixture(scope="session")
def dag_query() -> str:
    return DAG_QUERY


@pytest.fixture(scope="session")
def make_order():
    return order


@pytest.fixture(scope="session")
def make_signer():
    """`make_signer(signature_method="HMAC-SHA1", ...)`: an OAuth1 signer with some values overridden."""
    return signer


@pytest.fixture(scope="session")
def make_client():
    """`make_client(base_url, auth)`: a SuiteQL client with its own session."""
    return SuiteQLClient


@pytest.fixture(scope="session")
def invalid_query():
    """`invalid_query(response, *fragments)` asserts a NetSuite 400 for a bad query; returns the detail."""
    return assert_invalid_query


@pytest.fixture(scope="session")
def netsuite_error():
    """`netsuite_error(response)` → (status, o:errorCode, detail), checking the body's shape."""
    return error_detail


@pytest.fixture
def start_netsuite() -> Iterator:
    """Factory: `app, client = start_netsuite(orders=..., concurrency_limit=..., latency=..., faults=...)`."""
    servers: list[SandboxServer] = []

    def start(orders: list[SalesOrder] | None = None, **options) -> tuple[NetSuiteApp, SuiteQLClient]:
        app = NetSuiteApp(CREDENTIALS, **options)
        app.load_sales_orders(sample_orders() if orders is None else orders)
        server = SandboxServer(app).start()
        servers.append(server)
        return app, SuiteQLClient(server.url)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def netsuite(start_netsuite) -> tuple[NetSuiteApp, SuiteQLClient]:
    return start_netsuite()


@pytest.fixture
def client(netsuite) -> SuiteQLClient:
    return netsuite[1]


def error_detail(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    detail = body["o:errorDetails"][0]
    assert body["status"] == response.status_code
    return response.status_code, detail["o:errorCode"], detail["detail"]


def assert_invalid_query(response: requests.Response, *fragments: str) -> str:
    status, code, detail = error_detail(response)
    assert (status, code) == (400, "INVALID_PARAMETER"), response.text
    assert detail.startswith("Invalid search query."), detail
    for fragment in fragments:
        assert fragment in detail, detail
    return detail
