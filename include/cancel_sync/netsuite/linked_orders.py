"""Every NetSuite sales order that links a Shopify order, whatever its status or date.

A Shopify order may be held by more than one sales order: merchants cancel an order and enter a new one
for the same web order (the new one carries the same link). Before a Shopify order is cancelled, every
sales order linking it must count as canceled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from include.cancel_sync.netsuite.client import NetSuiteClient
from include.cancel_sync.netsuite.order_status import flag, status_letter
from include.cancel_sync.netsuite.queries import linked_orders_query
from include.cancel_sync.shopify.order_ids import ORDER_GID_PREFIX, parse_shopify_link

# A LIKE each: keeps one query's text and its scan modest. 125: a batch's 250 orders in two queries, which a
# client's default two connections send at once (one round trip, not two).
ORDERS_PER_QUERY = 125


class LinkedOrder(TypedDict):
    id: int
    tranid: str
    status: str  # letter A..H
    shipped: bool
    billed: bool


def read_linked_orders(client: NetSuiteClient, link_field: str, gids: Iterable[str]) -> dict[str, list[LinkedOrder]]:
    """Shopify GID → the sales orders linking it (ordered by NetSuite id); a GID nobody links maps to [].

    A row counts when its link reads as the GID exactly as the extraction reads links (parse_shopify_link)."""
    wanted = list(dict.fromkeys(gid for gid in gids if gid))
    linked: dict[str, list[LinkedOrder]] = {gid: [] for gid in wanted}
    numbers = [int(gid.removeprefix(ORDER_GID_PREFIX)) for gid in wanted]
    # Chunks of even size, every one started at once: the client's pool fetches them within its concurrency.
    size = -(-len(numbers) // max(1, -(-len(numbers) // ORDERS_PER_QUERY)))
    results = [
        client.query(linked_orders_query(link_field, numbers[start : start + size]))
        for start in range(0, len(numbers), max(size, 1))
    ]
    for result in results:
        for row in result:
            gid = parse_shopify_link(row.get("shopify_link")).gid
            if gid in linked:
                linked[gid].append(
                    {
                        "id": int(row["id"]),
                        "tranid": row.get("tranid") or "",
                        "status": status_letter(row.get("status")),
                        "shipped": flag(row.get("shipped")),
                        "billed": flag(row.get("billed")),
                    }
                )
    return linked
