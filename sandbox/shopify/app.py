"""ShopifyApp: the sandbox's HTTP surface, shaped like `POST /admin/api/{version}/graphql.json`."""

from __future__ import annotations

import hmac
import json
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.faults import FaultPlan
from sandbox.httpserver import Request, Response, SandboxApp
from sandbox.model import ShopifyOrder
from sandbox.shopify import replies
from sandbox.shopify.control import handle_control
from sandbox.shopify.document_cache import DocumentCache
from sandbox.shopify.executor import Executor, GraphQLRequest
from sandbox.shopify.records import Stats
from sandbox.shopify.schema import schema_for_version
from sandbox.shopify.store import OrderStore
from sandbox.shopify.throttle import BucketsByToken, preset_limits

_GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")
# Shopify releases quarterly: YYYY-01, -04, -07, -10, plus `unstable`.
_VERSION = re.compile(r"^(?:\d{4}-(?:01|04|07|10)|unstable)$")


class ShopifyApp(SandboxApp):
    """Shopify Admin GraphQL for one shop and one access token.

    - `preset` picks the restore rate (standard 100/s, advanced 200/s, plus 1000/s, enterprise 2000/s);
      `bucket_size` / `restore_rate` override it (bucket defaults to 20 s of restore: UNVERIFIED).
    - `cancel_job_delay`: seconds before an accepted orderCancel takes effect (0: by the next look).
    - `cancel_job_inline`: a job due at once runs before orderCancel replies (its reply shows it done).
    - `clock`: monotonic seconds, for the bucket and cancel jobs; inject one to make time explicit.
    """

    name = "shopify"

    def __init__(
        self,
        access_token: str,
        preset: str = "standard",
        bucket_size: float | None = None,
        restore_rate: float | None = None,
        cancel_job_delay: float = 0.0,
        cancel_job_inline: bool = False,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(latency=latency, faults=faults)
        self.access_token = access_token
        size, rate = preset_limits(preset, bucket_size, restore_rate)
        self.buckets = BucketsByToken(size, rate, clock)
        self.store = OrderStore(clock, cancel_job_delay, cancel_job_inline)
        self.stats = Stats()
        self.documents = DocumentCache()

    def load_orders(self, orders: Iterable[ShopifyOrder]) -> None:
        self.store.load(orders)

    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except Exception:
            # A sandbox bug must not look like a dropped connection: answer as Shopify does on a
            # server fault, and count it so tests can insist on zero.
            traceback.print_exc(file=sys.stderr)
            self.stats.bump("internal_errors")
            return Response(500, {"errors": "Internal Server Error"})

    def _handle(self, request: Request) -> Response:
        match = _GRAPHQL_PATH.match(request.path)
        if match is None or not _VERSION.match(match["version"]):
            return replies.not_found()
        if request.method != "POST":
            return Response(405, {"errors": "Method Not Allowed"}, {"Allow": "POST"})
        self.stats.bump("requests")
        token = request.header("X-Shopify-Access-Token") or ""
        if not hmac.compare_digest(token.encode(), self.access_token.encode()):
            self.stats.bump("unauthorized")
            return replies.unauthorized()
        graphql_request = _graphql_request(request)
        if isinstance(graphql_request, Response):
            return graphql_request
        executor = Executor(schema_for_version(match["version"]), self.store, self.stats, self.documents)
        body = executor.run(graphql_request, self.buckets.for_token(token))
        headers = {"X-Shopify-API-Version": match["version"], "X-Request-Id": str(uuid.uuid4())}
        return Response(200, body, headers)

    def fault_response(self, kind: str) -> Response:
        return replies.http_fault(kind, self.buckets.for_token(self.access_token).status())

    def control(self, request: Request) -> Response | None:
        return handle_control(self, request)


def _graphql_request(request: Request) -> GraphQLRequest | Response:
    """Body as JSON {"query", "variables", "operationName"}, or the raw query for application/graphql."""
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    text = request.body.decode("utf-8", errors="replace")
    if content_type == "application/graphql":
        return GraphQLRequest(text, {}, None)
    try:
        payload = json.loads(text)
    except ValueError:
        return replies.bad_request("Bad Request")
    if not isinstance(payload, dict):
        return replies.bad_request("Bad Request")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        return replies.bad_request({"query": "Required parameter missing or invalid"})
    variables = _variables(payload.get("variables"))
    if variables is None:
        return replies.bad_request({"variables": "Invalid variables"})
    operation_name = payload.get("operationName")
    return GraphQLRequest(query, variables, operation_name if isinstance(operation_name, str) else None)


def _variables(value: Any) -> dict[str, Any] | None:
    """Variables may arrive as an object, null, or a JSON-encoded string (some clients send that)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None
