"""The NetSuite sandbox: SuiteQL over REST with TBA or OAuth 2.0 bearer tokens (client credentials, served by
the token endpoint in oauth2.py), paging, the account concurrency limit and stats.

`latency` is each admitted request's response time: the sandbox's own work happens within it (the
Shopify sandbox adds its latency before its work instead). `clock` and `sleep` measure and wait it out;
tests pass their own to check the rule without a stopwatch. A test's hold (`app.hold`, sandbox/hold.py)
keeps admitted requests inside their concurrency slot until released.

`timezone` is the token user's time-zone preference (IANA name; NetSuite: Home > Set Preferences > Time
Zone): SuiteQL reads TO_TIMESTAMP/TO_DATE literals, compares and prints `lastmodifieddate` in it;
`dst_overlap` / `dst_gap` pick how wall-clock text in the autumn repeated hour and the spring gap is read
(`session_zone`). `billed_sign` and `fulfillment_documents`: see `store.SalesOrderStore`.

Control endpoints (no auth, sandbox only):
  GET  /_sandbox/stats                 counters as JSON
  GET  /_sandbox/timeline              {"timeline": [[arrived, answered, HTTP status], ...]} (wall clock, every request)
  POST /_sandbox/stats/reset           zero the counters
  POST /_sandbox/sales-orders/<id>     {"status": "H", "last_modified": "2026-01-15 10:00:00" (UTC),
                                        "quantity_shipped": {"1": 2}, "quantity_billed": {"1": 1},
                                        "fields": {"custbody_x": "1"}}
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.faults import FaultPlan
from sandbox.httpserver import CONTROL_PREFIX, Request, Response, SandboxApp
from sandbox.model import SalesOrder
from sandbox.netsuite import errors
from sandbox.netsuite.errors import NetSuiteError
from sandbox.netsuite.executor import QueryOutcome, SuiteQLExecutor
from sandbox.netsuite.oauth import AuthenticationFailed, NetSuiteCredentials, TbaVerifier
from sandbox.netsuite.oauth2 import TOKEN_PATH, BearerRefused, ClientCredentialsServer
from sandbox.netsuite.paging import (
    PageRequest,
    arrange_page,
    check_offset_within,
    collection,
    encoded_collection,
    item_json_sql,
    page_request,
)
from sandbox.netsuite.session_zone import SessionTimeZone
from sandbox.netsuite.store import QueryFailed, SalesOrderStore

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
COLLECTION_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=collection; charset=UTF-8"
_SALES_ORDER_CONTROL = re.compile(rf"^{CONTROL_PREFIX}sales-orders/(\d+)$")
_STAT_NAMES = (
    "requests",
    "pages_served",
    "peak_concurrency",
    "concurrency_rejections",
    "auth_failures",
    "token_requests",
    "token_refusals",
)


class NetSuiteApp(SandboxApp):
    name = "netsuite"

    def __init__(
        self,
        credentials: NetSuiteCredentials,
        concurrency_limit: int = 5,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        db_path: str = ":memory:",
        oauth2: ClientCredentialsServer | None = None,
        timezone: str = "UTC",
        dst_overlap: str = "later",
        dst_gap: str = "shift",
        billed_sign: int = -1,
        fulfillment_documents: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(latency=latency, faults=faults)
        self.clock, self.sleep = clock, sleep
        if concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        self.credentials = credentials
        self.concurrency_limit = concurrency_limit
        self.verifier = TbaVerifier(credentials)
        self.oauth2 = oauth2 or ClientCredentialsServer(credentials.account_id)
        # Called with the count of pages served after each page: tests act "after the N-th page" with it.
        self.after_page: Callable[[int], None] | None = None
        self.store = SalesOrderStore(
            db_path,
            zone=SessionTimeZone(timezone, overlap=dst_overlap, gap=dst_gap),
            billed_sign=billed_sign,
            fulfillment_documents=fulfillment_documents,
        )
        self.executor = SuiteQLExecutor(self.store)
        self._stats_lock = threading.Lock()
        self._counters = dict.fromkeys(_STAT_NAMES, 0)
        self._in_flight = 0
        # (arrived, answered, HTTP status) of every request, wall clock, for benchmarks (not in `stats`).
        self.timeline: list[tuple[float, float, int]] = []

    def load_sales_orders(self, records: Iterable[SalesOrder]) -> int:
        return self.store.load_sales_orders(records)

    def load_list_values(self, table: str, column: str, names: dict[int, str]) -> None:
        self.store.load_list_values(table, column, names)

    # --- stats ------------------------------------------------------------------------------------

    @property
    def stats(self) -> dict[str, int]:
        with self._stats_lock:
            return {**self._counters, "in_flight": self._in_flight}

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._counters = dict.fromkeys(_STAT_NAMES, 0)
            self.timeline = []

    def _count(self, name: str) -> int:
        with self._stats_lock:
            self._counters[name] += 1
            return self._counters[name]

    # --- request flow -----------------------------------------------------------------------------

    def respond(self, request: Request) -> Response | None:
        arrived = time.time()
        response = self._respond(request)
        with self._stats_lock:
            self.timeline.append((arrived, time.time(), response.status if response else 0))
        return response

    def _respond(self, request: Request) -> Response | None:
        """Auth first, then the account's concurrency slot, held until the reply is ready and `latency`
        has passed since the request arrived: a request takes `latency` in all, the sandbox's own work
        (running the query, building and encoding the page) done within it, as a real service's
        response time includes its work; work that takes longer than `latency` shows in full."""
        began = self.clock()
        if request.path == TOKEN_PATH:  # no Authorization header, and no SuiteQL slot (Oracle says nothing of one)
            self._count("token_requests")
            response = self.oauth2.token_response(request)
            if response.status != 200:
                self._count("token_refusals")
            return response
        self._count("requests")
        refusal = self._authenticate(request)
        if refusal is not None:
            self._count("auth_failures")
            return refusal
        if not self._admit():
            return errors.concurrency_limit_exceeded().response()
        try:
            if not self.hold.enter(request.body):
                return None
            response = self.handle(request)
            if isinstance(response.body, dict):  # encoded here, within the latency
                response.body = json.dumps(response.body, separators=(",", ":")).encode("utf-8")
                response.headers.setdefault("Content-Type", "application/json; charset=UTF-8")
            remaining = self.latency - (self.clock() - began)
            if remaining > 0:
                self.sleep(remaining)
            return response
        finally:
            with self._stats_lock:
                self._in_flight -= 1

    def _authenticate(self, request: Request) -> Response | None:
        """None when the request is signed (TBA) or carries a live bearer token, else NetSuite's refusal."""
        authorization = request.header("authorization") or ""
        if authorization.strip().lower().startswith("bearer"):
            try:
                self.oauth2.authorize(authorization)
            except BearerRefused as refusal:
                return self.oauth2.bearer_refusal(refusal)
            return None
        try:
            self.verifier.verify(request.method, request.url, authorization or None)
        except AuthenticationFailed:
            return errors.invalid_login().response()
        return None

    def _admit(self) -> bool:
        with self._stats_lock:
            if self._in_flight >= self.concurrency_limit:
                self._counters["concurrency_rejections"] += 1
                return False
            self._in_flight += 1
            self._counters["peak_concurrency"] = max(self._counters["peak_concurrency"], self._in_flight)
            return True

    def handle(self, request: Request) -> Response:
        try:
            if request.path != SUITEQL_PATH:
                raise errors.not_found(request.path)
            if request.method != "POST":
                response = errors.method_not_allowed(request.method, request.path).response()
                response.headers["Allow"] = "POST"
                return response
            return self._suiteql(request)
        except NetSuiteError as error:
            return error.response()

    def _suiteql(self, request: Request) -> Response:
        if not _prefers_transient(request.header("prefer")):
            raise errors.invalid_parameter(
                "SuiteQL queries must be sent with the header 'Prefer: transient'.", query_param=None
            )
        page = page_request(request.query)
        query = _read_query(request.body)
        outcome = self.executor.run(query)
        check_offset_within(page, outcome.total)
        try:
            body = _page_body(request.url, page, outcome)
        except QueryFailed:  # its result was dropped meanwhile (8 newer queries): run it again
            body = _page_body(request.url, page, self.executor.run(query))
        served = self._count("pages_served")
        if self.after_page is not None:
            self.after_page(served)
        return Response(200, body, {"Content-Type": COLLECTION_CONTENT_TYPE})

    def fault_response(self, kind: str) -> Response:
        if kind in ("http_429", "throttled"):
            return errors.concurrency_limit_exceeded().response()
        if kind == "http_401":
            return errors.invalid_login().response()
        if kind == "internal_error":  # Shopify's GraphQL error shape; NetSuite's nearest reply is an HTTP 500
            return errors.unexpected_error(500).response()
        return errors.unexpected_error(int(kind.removeprefix("http_"))).response()

    # --- control ----------------------------------------------------------------------------------

    def control(self, request: Request) -> Response | None:
        if request.path == CONTROL_PREFIX + "stats" and request.method == "GET":
            return Response(200, self.stats)
        if request.path == CONTROL_PREFIX + "timeline" and request.method == "GET":
            with self._stats_lock:
                return Response(200, {"timeline": list(self.timeline)})
        if request.path == CONTROL_PREFIX + "stats/reset" and request.method == "POST":
            self.reset_stats()
            return Response(200, self.stats)
        match = _SALES_ORDER_CONTROL.match(request.path)
        if match and request.method == "POST":
            return self._update_sales_order(int(match.group(1)), request)
        return None

    def _update_sales_order(self, order_id: int, request: Request) -> Response:
        try:
            change = request.json()
            if not isinstance(change, dict):
                raise ValueError("send a JSON object")
            unknown = set(change) - {"status", "last_modified", "quantity_shipped", "quantity_billed", "fields"}
            if unknown:
                raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
            self.store.update_sales_order(
                order_id,
                status=change.get("status"),
                last_modified=change.get("last_modified"),
                fields=change.get("fields"),
                quantity_shipped=_per_line(change.get("quantity_shipped")),
                quantity_billed=_per_line(change.get("quantity_billed")),
            )
        except KeyError as exc:
            return Response(404, {"error": str(exc.args[0])})
        except (ValueError, TypeError, AttributeError) as exc:
            return Response(400, {"error": str(exc)})
        return Response(200, {"id": order_id, "updated": True})


def _per_line(quantities: dict[str, Any] | None) -> dict[int, int]:
    return {int(line): int(quantity) for line, quantity in (quantities or {}).items()}


def _page_body(request_url: str, page: PageRequest, outcome: QueryOutcome) -> dict[str, Any] | bytes:
    """A page without tied sort keys (the usual unique ORDER BY) is its rows as stored, rendered by SQLite;
    others are arranged and rendered in Python (`arrange_page`, `collection`): the same body either way."""
    rows, query = outcome.rows, outcome.query
    end = min(page.offset + page.limit, len(rows))
    if query.sort_keys and page.offset < end and not rows.ties_within(page.offset, end, query.sort_keys):
        items = rows.rendered(page.offset, end, _item_sql(query.columns, query.date_columns))
        if items is not None:
            return encoded_collection(request_url, page, items, outcome.total)
    return collection(request_url, page, query, arrange_page(rows, query.sort_keys, page), outcome.total)


@functools.lru_cache(maxsize=64)
def _item_sql(columns: tuple[str, ...], date_columns: frozenset[int]) -> str:
    return item_json_sql(columns, date_columns)


def _prefers_transient(prefer: str | None) -> bool:
    return prefer is not None and "transient" in {token.strip().lower() for token in prefer.split(",")}


def _read_query(body: bytes) -> str:
    try:
        payload: Any = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise errors.invalid_parameter("The request body is not valid JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("q"), str):
        raise errors.invalid_parameter('The request body must be a JSON object with the query in "q".')
    return payload["q"]
