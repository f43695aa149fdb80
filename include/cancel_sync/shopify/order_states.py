"""Read Shopify orders' current state, 250 ids per request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from include.cancel_sync.shopify.client import ShopifyClient
from include.cancel_sync.shopify.documents import ORDER_RECHECK_QUERY, ORDER_STATES_QUERY

NODES_PER_REQUEST = 250


def read_order_states(
    client: ShopifyClient, gids: Iterable[str], with_staff_note: bool = False
) -> dict[str, dict[str, Any]]:
    """GID → order fields; orders Shopify does not know are simply absent."""
    document, per_order = (ORDER_RECHECK_QUERY, 2.0) if with_staff_note else (ORDER_STATES_QUERY, 1.0)
    unique = list(dict.fromkeys(gids))
    states: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), NODES_PER_REQUEST):
        chunk = unique[start : start + NODES_PER_REQUEST]
        data = client.execute(document, {"ids": chunk}, cost=per_order * len(chunk))
        for node in data.get("nodes") or []:
            if node and node.get("id") in chunk:
                states[node["id"]] = node
    return states
