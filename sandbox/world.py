"""Seeded world builder: NetSuite sales orders linked to Shopify orders.

Each NetSuite order is built from a named scenario, and the scenario is kept as
ground truth (`World.scenarios`) so tests can check the sync against what was
meant, not against the sync's own logic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandbox.model import SalesOrder, SalesOrderLine, ShopifyOrder

DEFAULT_LINK_FIELD = "custbody_fa_channel_order"
FIRST_SHOPIFY_ID = 5_800_000_000_000
FIRST_NETSUITE_ID = 10_000


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: int
    netsuite_status: str
    shipped: str = "none"  # none / partial / full
    shopify: str = "exists"  # exists / missing / none (no Shopify order made)
    financial_status: str = "PAID"
    fulfillment_status: str = "UNFULFILLED"
    return_status: str = "NO_RETURN"
    already_cancelled: bool = False
    link: str = "numeric"  # numeric / gid / empty / whitespace / garbage / other_gid / duplicate
    extracted: bool = True  # does NetSuite count it as canceled?
    cancellable: bool = False  # should the sync cancel it in Shopify?


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("cancel_paid", 18, "C", cancellable=True),
    Scenario("cancel_paid_closed_unshipped", 10, "H", cancellable=True),
    Scenario("cancel_authorized", 6, "C", financial_status="AUTHORIZED", cancellable=True),
    Scenario("cancel_pending_payment", 4, "H", financial_status="PENDING", cancellable=True),
    Scenario("cancel_partially_paid", 2, "C", financial_status="PARTIALLY_PAID", cancellable=True),
    Scenario("cancel_gid_link", 3, "C", link="gid", cancellable=True),
    Scenario("closed_partially_shipped", 6, "H", shipped="partial", extracted=False),
    Scenario("closed_fully_shipped", 6, "H", shipped="full", fulfillment_status="FULFILLED", extracted=False),
    Scenario("pending_approval", 5, "A", extracted=False),
    Scenario("pending_fulfillment", 8, "B", extracted=False),
    Scenario("partially_fulfilled", 3, "D", shipped="partial", extracted=False),
    Scenario("billed", 8, "G", shipped="full", fulfillment_status="FULFILLED", extracted=False),
    Scenario("already_cancelled", 5, "C", already_cancelled=True, financial_status="REFUNDED"),
    Scenario("fulfilled_in_shopify", 2, "C", fulfillment_status="FULFILLED"),
    Scenario("partially_fulfilled_in_shopify", 2, "H", fulfillment_status="PARTIALLY_FULFILLED"),
    Scenario("return_in_progress", 1, "C", return_status="IN_PROGRESS"),
    Scenario("missing_in_shopify", 2, "C", shopify="missing"),
    Scenario("empty_link", 2, "C", shopify="none", link="empty"),
    Scenario("garbage_link", 2, "H", shopify="none", link="garbage"),
    Scenario("other_gid_link", 1, "C", shopify="none", link="other_gid"),
    Scenario("duplicate_link", 2, "C", link="duplicate"),
)
SCENARIO_BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


@dataclass
class World:
    sales_orders: list[SalesOrder] = field(default_factory=list)
    shopify_orders: list[ShopifyOrder] = field(default_factory=list)
    scenarios: dict[int, str] = field(default_factory=dict)  # NetSuite id → scenario name
    link_field: str = DEFAULT_LINK_FIELD

    def ids_with(self, predicate) -> set[int]:
        return {ns_id for ns_id, name in self.scenarios.items() if predicate(SCENARIO_BY_NAME[name])}

    def sales_order(self, netsuite_id: int) -> SalesOrder:
        return next(order for order in self.sales_orders if order.id == netsuite_id)


def build_world(
    count: int,
    window_start: datetime,
    window_end: datetime,
    seed: int = 0,
    link_field: str = DEFAULT_LINK_FIELD,
    scenarios: dict[str, int] | None = None,
    every_scenario: bool = False,
) -> World:
    """Make `count` NetSuite orders (and their Shopify twins) modified within [window_start, window_end).

    `scenarios` overrides the weights by name (0 leaves a scenario out); `every_scenario`
    deals the scenarios round-robin (then shuffles) so small worlds still hold each one.
    """
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    rng = random.Random(seed)
    weights = {s.name: s.weight for s in SCENARIOS} | (scenarios or {})
    unknown = set(weights) - set(SCENARIO_BY_NAME)
    if unknown:
        raise ValueError(f"unknown scenarios: {sorted(unknown)}")
    names = [name for name, weight in weights.items() if weight > 0]
    if every_scenario:
        picks = [names[index % len(names)] for index in range(count)]
        rng.shuffle(picks)
    else:
        picks = rng.choices(names, weights=[weights[n] for n in names], k=count)
    span = (window_end - window_start).total_seconds()
    world = World(link_field=link_field)
    shared_target: ShopifyOrder | None = None  # the Shopify order that duplicate links point at
    for index, name in enumerate(picks):
        scenario = SCENARIO_BY_NAME[name]
        netsuite_id = FIRST_NETSUITE_ID + index
        shopify_id = FIRST_SHOPIFY_ID + index
        modified = window_start + timedelta(seconds=int(rng.random() * span))
        total = f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}"
        shopify_order = None
        if scenario.shopify == "exists" and not (scenario.link == "duplicate" and shared_target):
            shopify_order = _shopify_order(scenario, shopify_id, modified, total)
            world.shopify_orders.append(shopify_order)
        if scenario.link == "duplicate":
            shared_target = shared_target or shopify_order
            shopify_id = shared_target.id
        link = _link(scenario.link, shopify_id, rng)
        world.sales_orders.append(
            SalesOrder(
                id=netsuite_id,
                tranid=f"SO{netsuite_id}",
                status=scenario.netsuite_status,
                last_modified=modified,
                trandate=(modified - timedelta(days=rng.randint(0, 20))).date(),
                total=total,
                fields={link_field: link},
                lines=_lines(scenario.shipped, rng),
            )
        )
        world.scenarios[netsuite_id] = name
    return world


def _shopify_order(scenario: Scenario, shopify_id: int, modified: datetime, total: str) -> ShopifyOrder:
    created = modified - timedelta(days=1)
    return ShopifyOrder(
        id=shopify_id,
        name=f"#{shopify_id - FIRST_SHOPIFY_ID + 1001}",
        created_at=created,
        updated_at=created,
        financial_status=scenario.financial_status,
        fulfillment_status=scenario.fulfillment_status,
        return_status=scenario.return_status,
        cancelled_at=created + timedelta(hours=1) if scenario.already_cancelled else None,
        cancel_reason="CUSTOMER" if scenario.already_cancelled else None,
        closed=scenario.already_cancelled,
        total=total,
    )


def _link(kind: str, shopify_id: int, rng: random.Random) -> str | None:
    if kind in ("numeric", "duplicate"):
        return str(shopify_id)
    if kind == "gid":
        return f"gid://shopify/Order/{shopify_id}"
    if kind == "empty":
        return rng.choice([None, "", "   "])
    if kind == "garbage":
        return rng.choice(["N/A", "12ab34", "-5", "#"])
    if kind == "other_gid":
        return f"gid://shopify/Product/{shopify_id}"
    raise ValueError(f"unknown link kind {kind!r}")


def _lines(shipped: str, rng: random.Random) -> list[SalesOrderLine]:
    lines = []
    for number in range(1, rng.randint(1, 3) + 1):
        quantity = rng.randint(1, 4)
        if shipped == "full":
            done = quantity
        elif shipped == "partial":
            done = 1 if number == 1 else 0
        else:
            done = 0
        lines.append(
            SalesOrderLine(line=number, item=f"SKU-{rng.randint(100, 999)}", quantity=quantity, quantity_shipped=done)
        )
    return lines
