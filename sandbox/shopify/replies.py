"""Bodies Shopify sends outside normal GraphQL results: auth, throttling, cost limit, HTTP failures."""

from __future__ import annotations

from typing import Any

from sandbox.httpserver import Response
from sandbox.shopify.cost import MAX_QUERY_COST
from sandbox.shopify.throttle import ThrottleStatus

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def cost_extension(requested: int, actual: int | None, status: ThrottleStatus) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": status.to_extension(),
        }
    }


def throttled_body(requested: int, status: ThrottleStatus) -> dict[str, Any]:
    return {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}],
        "extensions": cost_extension(requested, None, status),
    }


def max_cost_body(requested: int, status: ThrottleStatus) -> dict[str, Any]:
    message = (
        f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
        "cost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
        "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
    )
    return {
        "errors": [
            {
                "message": message,
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": requested,
                    "maxCost": MAX_QUERY_COST,
                    "documentation": RATE_LIMITS_DOC,
                },
            }
        ],
        "extensions": cost_extension(requested, None, status),
    }


def unauthorized() -> Response:
    return Response(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})


def not_found() -> Response:
    return Response(404, {"errors": "Not Found"})


def bad_request(message: Any) -> Response:
    return Response(400, {"errors": message})


def http_fault(kind: str, status: ThrottleStatus) -> Response:
    """Injected failures, shaped like Shopify's (JSON for most, an HTML page from the edge for 502)."""
    if kind == "throttled":
        return Response(200, throttled_body(0, status), dict(JSON))
    if kind == "http_429":
        body = {
            "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
        }
        return Response(429, body, {**JSON, "Retry-After": "1.0"})
    if kind == "http_401":
        return unauthorized()
    if kind == "http_500":
        return Response(500, {"errors": "Internal Server Error"}, dict(JSON))
    if kind == "http_502":
        page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return Response(502, page, {"Content-Type": "text/html; charset=utf-8"})
    if kind == "http_503":
        return Response(503, {"errors": "Service Unavailable"}, {**JSON, "Retry-After": "1"})
    if kind == "internal_error":  # shopify.dev/changelog/improved-graphql-errors
        error = {
            "message": "Internal error. Looks like something went wrong on our end.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "d2f47302-8559-4961-9a5b-3de60172aa29"},
        }
        return Response(200, {"errors": [error]}, dict(JSON))
    raise ValueError(f"no Shopify reply for fault kind {kind!r}")
