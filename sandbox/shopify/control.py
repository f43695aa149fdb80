"""`/_sandbox/...` endpoints for end-to-end tests: read the record, inspect and steer orders.

GET  /_sandbox/cancels        → {"cancels": [CancelCall...]}
GET  /_sandbox/refunds        → {"refunds": [MoneyMovement...]}
GET  /_sandbox/stats          → Stats plus the token's current throttle status and `restore_lost` (points its
                                bucket's restore would have added while full, since the start)
GET  /_sandbox/orders/<id>    → the order's full state (deleted orders included)
POST /_sandbox/orders/<id>    → change it, e.g. {"fulfillment_status": "FULFILLED"}, {"deleted": true}
POST /_sandbox/orders         → load {"orders": [ShopifyOrder fields...]} (datetimes as ISO strings)
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.httpserver import Request, Response
from sandbox.model import ShopifyOrder
from sandbox.shopify.money import to_amount
from sandbox.shopify.schema import sandbox_schema
from sandbox.shopify.store import StoredOrder
from sandbox.shopify.timestamps import parse_iso

if TYPE_CHECKING:
    from sandbox.shopify.app import ShopifyApp

_ORDER_PATH = re.compile(r"^/_sandbox/orders/(?P<id>\d+)$")


def handle_control(app: ShopifyApp, request: Request) -> Response | None:
    path, method = request.path, request.method
    if method == "GET" and path == "/_sandbox/cancels":
        return Response(200, {"cancels": [call.to_dict() for call in app.store.cancel_calls]})
    if method == "GET" and path == "/_sandbox/refunds":
        return Response(200, {"refunds": [movement.to_dict() for movement in app.store.refunds]})
    if method == "GET" and path == "/_sandbox/stats":
        bucket = app.buckets.for_token(app.access_token)
        throttle = bucket.status().to_extension()  # refills first, so restore_lost is up to date
        return Response(200, {**app.stats.to_dict(), "throttle_status": throttle, "restore_lost": bucket.restore_lost})
    if method == "POST" and path == "/_sandbox/orders":
        return _load_orders(app, request)
    match = _ORDER_PATH.match(path)
    if match is None:
        return None
    order = app.store.get(int(match["id"]), include_deleted=True)
    if order is None:
        return Response(404, {"error": f"no order {match['id']}"})
    if method == "GET":
        return Response(200, order.snapshot())
    if method == "POST":
        return _change_order(app, order, request)
    return None


def _load_orders(app: ShopifyApp, request: Request) -> Response:
    try:
        records = [_order_record(data) for data in request.json()["orders"]]
    except (ValueError, KeyError, TypeError) as exc:
        return Response(400, {"error": f"cannot load orders: {exc}"})
    app.load_orders(records)
    return Response(200, {"loaded": len(records)})


def _order_record(data: dict[str, Any]) -> ShopifyOrder:
    known = {item.name for item in fields(ShopifyOrder)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown order fields {sorted(unknown)}")
    values = dict(data)
    for name in ("created_at", "updated_at", "cancelled_at"):
        if isinstance(values.get(name), str):
            values[name] = _moment(values[name])
    return ShopifyOrder(**values)


def _moment(text: str) -> datetime:
    moment = parse_iso(text)
    if moment is None:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    return moment


_ENUM_FIELDS = {
    "financial_status": "OrderDisplayFinancialStatus",
    "fulfillment_status": "OrderDisplayFulfillmentStatus",
    "return_status": "OrderReturnStatus",
    "cancel_reason": "OrderCancelReason",
}
_FLAG_FIELDS = ("deleted", "has_pending_authorization", "test", "closed")
_AMOUNT_FIELDS = {"amount_received": "received", "amount_refunded": "refunded", "amount_authorized": "authorized"}
_TIME_FIELDS = ("cancelled_at", "updated_at")
_TEXT_FIELDS = ("cancel_job_error",)  # text or null


def _change_order(app: ShopifyApp, order: StoredOrder, request: Request) -> Response:
    try:
        changes = request.json()
        if not isinstance(changes, dict):
            raise TypeError("expected a JSON object")
        with app.store.lock:
            _apply(order, changes, app.store.now())
    except (ValueError, TypeError) as exc:
        return Response(400, {"error": str(exc)})
    return Response(200, order.snapshot())


def _apply(order: StoredOrder, changes: dict[str, Any], now: datetime) -> None:
    allowed = {*_ENUM_FIELDS, *_FLAG_FIELDS, *_AMOUNT_FIELDS, *_TIME_FIELDS, *_TEXT_FIELDS, "tags", "total"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}; allowed: {sorted(allowed)}")
    schema = sandbox_schema()
    for name, enum_name in _ENUM_FIELDS.items():
        if name in changes:
            value = changes[name]
            if value not in schema.type_map[enum_name].values and not (name == "cancel_reason" and value is None):
                raise ValueError(f"{name} must be a {enum_name} value, got {value!r}")
    for name in _FLAG_FIELDS:
        if name in changes and not isinstance(changes[name], bool):
            raise ValueError(f"{name} must be true or false")
    for name in _TEXT_FIELDS:
        if name in changes and not (changes[name] is None or isinstance(changes[name], str)):
            raise ValueError(f"{name} must be text or null")
    if "tags" in changes and not (
        isinstance(changes["tags"], list) and all(isinstance(t, str) for t in changes["tags"])
    ):
        raise ValueError("tags must be a list of strings")

    for name in (*_ENUM_FIELDS, *_FLAG_FIELDS, *_TEXT_FIELDS, "tags"):
        if name in changes:
            setattr(order, name, changes[name])
    if "total" in changes:
        order.total = to_amount(changes["total"])
    if "financial_status" in changes or "total" in changes:
        order.reset_amounts()  # explicit amounts below still win
    for name, attribute in _AMOUNT_FIELDS.items():
        if name in changes:
            setattr(order, attribute, to_amount(changes[name]))
    if "closed" in changes:
        order.closed_at = now if order.closed else None
    if "cancelled_at" in changes:
        order.cancelled_at = _moment(changes["cancelled_at"]) if changes["cancelled_at"] else None
    # Shopify bumps updatedAt on any change; tests may pin it instead.
    order.updated_at = _moment(changes["updated_at"]) if changes.get("updated_at") else now
