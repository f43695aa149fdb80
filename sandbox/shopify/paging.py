"""Cursor pagination over orders: sort keys, opaque cursors, first/after and last/before windows."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.shopify.store import StoredOrder

MAX_PAGE_SIZE = 250


def _order_number(order: StoredOrder) -> int:
    digits = re.sub(r"\D", "", order.name)
    return int(digits) if digits else 0


# Sort keys the sandbox has data for; the others (RELEVANCE, CUSTOMER_NAME, DESTINATION, PO_NUMBER,
# TOTAL_ITEMS_QUANTITY) fall back to ID order. PROCESSED_AT is the creation time here.
SORT_VALUES: dict[str, Callable[[StoredOrder], Any]] = {
    "ID": lambda order: order.id,
    "CREATED_AT": lambda order: order.created_at.timestamp(),
    "PROCESSED_AT": lambda order: order.created_at.timestamp(),
    "UPDATED_AT": lambda order: order.updated_at.timestamp(),
    "ORDER_NUMBER": _order_number,
    "TOTAL_PRICE": lambda order: float(order.total),
    "CURRENT_TOTAL_PRICE": lambda order: float(order.total - order.refunded),
    "FINANCIAL_STATUS": lambda order: order.financial_status,
    "FULFILLMENT_STATUS": lambda order: order.fulfillment_status,
}


class InvalidCursorError(ValueError):
    pass


@dataclass
class Page:
    orders: list[StoredOrder]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def encode_cursor(order_id: int, value: Any) -> str:
    # Shopify's cursors are base64 JSON of the last id and sort value; clients must treat them as opaque.
    payload = json.dumps({"last_id": order_id, "last_value": value}, separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(cursor, validate=True))
        return data["last_value"], int(data["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidCursorError(cursor) from exc


def paginate(
    orders: list[StoredOrder],
    sort_key: str,
    reverse: bool,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page:
    value_of = SORT_VALUES.get(sort_key, SORT_VALUES["ID"])
    keyed = sorted((((value_of(order), order.id), order) for order in orders), key=_key, reverse=reverse)
    keys = [key for key, _order in keyed]
    low, high = 0, len(keyed)
    if after is not None:
        low = _first_beyond(keys, decode_cursor(after), reverse)
    if before is not None:
        high = max(low, _first_at_or_beyond(keys, decode_cursor(before), reverse))
    if first is not None:
        high = min(high, low + first)
    if last is not None:
        low = max(low, high - last)
    window = keyed[low:high]
    return Page(
        orders=[order for _key, order in window],
        cursors=[encode_cursor(order_id, value) for (value, order_id), _order in window],
        has_next_page=high < len(keyed),
        has_previous_page=low > 0,
    )


def _key(item: tuple[tuple[Any, int], StoredOrder]) -> tuple[Any, int]:
    return item[0]


def _first_beyond(keys: list[tuple[Any, int]], cursor: tuple[Any, int], reverse: bool) -> int:
    """Index of the first key strictly after the cursor in the listing order."""
    try:
        for index, key in enumerate(keys):
            if (key < cursor) if reverse else (key > cursor):
                return index
    except TypeError as exc:  # a cursor made under another sort key
        raise InvalidCursorError(str(cursor)) from exc
    return len(keys)


def _first_at_or_beyond(keys: list[tuple[Any, int]], cursor: tuple[Any, int], reverse: bool) -> int:
    try:
        for index, key in enumerate(keys):
            if (key <= cursor) if reverse else (key >= cursor):
                return index
    except TypeError as exc:
        raise InvalidCursorError(str(cursor)) from exc
    return len(keys)
