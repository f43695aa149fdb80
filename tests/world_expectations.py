"""What the world builder meant, cut to a window, and what the Shopify sandbox recorded.

Ground truth comes from the scenarios (never from the sync's own logic), so a run that
cancels outside its window or twice shows up as a difference.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sandbox.world import SCENARIO_BY_NAME, World

# An order whose Shopify order ends cancelled: by its own cancel, or by the one sent for another NetSuite
# order linking the same Shopify order.
CANCELLED_OUTCOMES = frozenset({"cancelled", "cancelled_with_other_order"})


def in_window(world: World, start: datetime, end: datetime) -> list[int]:
    """NetSuite ids whose lastmodifieddate is in [start, end) (naive UTC, as the sandbox keeps it)."""
    return [order.id for order in world.sales_orders if start <= order.last_modified < end]


def shopify_gid(world: World, netsuite_id: int) -> str:
    link = world.sales_order(netsuite_id).fields[world.link_field].strip()
    return link if link.startswith("gid://") else f"gid://shopify/Order/{int(link)}"


def cancellable_ids(world: World, start: datetime, end: datetime) -> set[int]:
    """Orders a run over [start, end) must cancel with the toggle on (those sharing a Shopify order: one cancel)."""
    return {nid for nid in in_window(world, start, end) if SCENARIO_BY_NAME[world.scenarios[nid]].cancellable}


def cancellable_gids(world: World, start: datetime, end: datetime) -> set[str]:
    return {shopify_gid(world, nid) for nid in cancellable_ids(world, start, end)}


def expected_outcomes(world: World, start: datetime | None = None, end: datetime | None = None) -> dict[int, str]:
    """NetSuite id → outcome a run over [start, end) must reach with the toggle on (default: the whole world).

    Orders a run does not read as candidates are absent.
    """
    start = start or min(order.last_modified for order in world.sales_orders)
    end = end or max(order.last_modified for order in world.sales_orders) + timedelta(seconds=1)
    return {
        nid: SCENARIO_BY_NAME[world.scenarios[nid]].expected_outcome
        for nid in in_window(world, start, end)
        if SCENARIO_BY_NAME[world.scenarios[nid]].extracted
    }


def accepted_cancels(store) -> list[str]:
    """Order ids of every orderCancel the Shopify sandbox accepted, one entry per call."""
    return [call.order_id for call in store.cancel_calls if call.accepted]


def cancelled_twice(store) -> dict[str, int]:
    return {gid: count for gid, count in Counter(accepted_cancels(store)).items() if count > 1}
