"""Seeded world builder: NetSuite sales orders linked to Shopify orders.

Each NetSuite order is built from a named scenario, and the scenario is kept as
ground truth (`World.scenarios`) so tests can check the sync against what was
meant, not against the sync's own logic.

Each order is dealt a Shopify store (`stores`, by weight; one store named "default" unless told) and
carries its store's marks (sandbox/stores.py); `World.store_of` keeps which. Stores are dealt from their own
random stream, so the same seed gives the same orders whatever the stores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandbox.model import SalesOrder, SalesOrderLine, ShopifyOrder
from sandbox.netsuite.session_zone import SessionTimeZone
from sandbox.stores import DEFAULT_STORES, UNKNOWN_STORE, StoreSpec, check_stores

DEFAULT_LINK_FIELD = "custbody_fa_channel_order"
FIRST_SHOPIFY_ID = 5_800_000_000_000
FIRST_NETSUITE_ID = 10_000


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: int
    netsuite_status: str
    shipped: str = "none"  # none / partial / full
    billed: str = "none"  # none / partial / full: quantitybilled, and an invoice or cash sale
    billing: str = "invoice"  # invoice / cash_sale (SalesOrder.billing)
    shopify: str = "exists"  # exists / missing / none (no Shopify order made)
    financial_status: str = "PAID"
    fulfillment_status: str = "UNFULFILLED"
    return_status: str = "NO_RETURN"
    already_cancelled: bool = False
    cancel_job_error: str | None = None  # Shopify accepts the cancel, then its job fails with this message
    link: str = "numeric"  # numeric / gid / spaced (" 123 ") / empty / whitespace / garbage / other_gid
    extracted: bool = True  # does a run read it as a candidate (NetSuite counts it as canceled, or it is reported)?
    cancellable: bool = False  # should the sync send a cancel to Shopify for it?
    # What the sync should decide for this NetSuite order when a run reads it (None: not read), and how it
    # ends with cancelling on when that is not what the decision implies (to_cancel → cancelled, else the decision).
    decision: str | None = None
    outcome: str | None = None
    # Further sales orders (these scenario names) linking the same Shopify order: re-entered orders.
    companions: tuple[str, ...] = ()
    companion: bool = False  # made only as another scenario's companion
    modified: str = "window"  # window / after: a companion modified days after the window ends
    unknown_store: bool = False  # marked as a store no one configured (World.unknown_store); in no served shop

    @property
    def expected_outcome(self) -> str | None:
        if self.outcome is not None or self.decision is None:
            return self.outcome
        return "cancelled" if self.decision == "to_cancel" else self.decision


JOB_FAILURE = "The cancellation could not be completed."  # a cancel_job_fails order's job error

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("cancel_paid", 18, "C", cancellable=True, decision="to_cancel"),
    Scenario("cancel_paid_closed_unshipped", 10, "H", cancellable=True, decision="to_cancel"),
    Scenario("cancel_authorized", 6, "C", financial_status="AUTHORIZED", cancellable=True, decision="to_cancel"),
    Scenario("cancel_pending_payment", 4, "H", financial_status="PENDING", cancellable=True, decision="to_cancel"),
    Scenario(
        "cancel_partially_paid", 2, "C", financial_status="PARTIALLY_PAID", cancellable=True, decision="to_cancel"
    ),
    Scenario("cancel_gid_link", 3, "C", link="gid", cancellable=True, decision="to_cancel"),
    Scenario("closed_partially_shipped", 6, "H", shipped="partial", extracted=False),
    Scenario("closed_fully_shipped", 6, "H", shipped="full", fulfillment_status="FULFILLED", extracted=False),
    Scenario("pending_approval", 5, "A", extracted=False),
    Scenario("pending_fulfillment", 8, "B", extracted=False),
    Scenario("partially_fulfilled", 3, "D", shipped="partial", extracted=False),
    Scenario("billed", 8, "G", shipped="full", billed="full", fulfillment_status="FULFILLED", extracted=False),
    Scenario(
        "already_cancelled", 5, "C", already_cancelled=True, financial_status="REFUNDED", decision="already_cancelled"
    ),
    Scenario("fulfilled_in_shopify", 2, "C", fulfillment_status="FULFILLED", decision="cannot_cancel"),
    Scenario(
        "partially_fulfilled_in_shopify", 2, "H", fulfillment_status="PARTIALLY_FULFILLED", decision="cannot_cancel"
    ),
    Scenario("return_in_progress", 1, "C", return_status="IN_PROGRESS", decision="cannot_cancel"),
    Scenario("missing_in_shopify", 2, "C", shopify="missing", decision="not_found"),
    Scenario("empty_link", 2, "C", shopify="none", link="empty", decision="invalid_link"),
    Scenario("garbage_link", 2, "H", shopify="none", link="garbage", decision="invalid_link"),
    Scenario("other_gid_link", 1, "C", shopify="none", link="other_gid", decision="invalid_link"),
    # Re-entered orders: a canceled order whose Shopify order a newer, open order still holds (modified after
    # the window, so no run over the window reads it as a candidate).
    Scenario("reentered_open", 2, "C", companions=("reentered_open_replacement",), decision="linked_to_open_order"),
    Scenario("reentered_open_replacement", 0, "B", link="spaced", extracted=False, companion=True, modified="after"),
    # Two canceled orders share one Shopify order: cancelled once, both reported.
    Scenario(
        "reentered_all_canceled",
        2,
        "C",
        companions=("reentered_canceled_twin",),
        cancellable=True,
        decision="to_cancel",
    ),
    # The twin comes after its main order (a higher id): the one cancel goes out for the main order, so
    # none is sent for the twin (not `cancellable`), and its Shopify order ends cancelled all the same.
    Scenario(
        "reentered_canceled_twin",
        0,
        "H",
        link="gid",
        companion=True,
        decision="to_cancel",
        outcome="cancelled_with_other_order",
    ),
    # Closed with nothing shipped but billed: NetSuite charged for it, so it is not a cancellation.
    Scenario("closed_billed_unshipped", 2, "H", billed="partial", decision="billed_in_netsuite"),
    Scenario("closed_cash_sale_unshipped", 1, "H", billed="full", billing="cash_sale", decision="billed_in_netsuite"),
    # Shopify states (sandbox/shopify/README.md has the table and its sources).
    Scenario("fulfillment_in_progress", 2, "C", fulfillment_status="IN_PROGRESS", decision="cannot_cancel"),
    Scenario("pending_fulfillment_service", 1, "H", fulfillment_status="PENDING_FULFILLMENT", decision="cannot_cancel"),
    Scenario("on_hold", 1, "C", fulfillment_status="ON_HOLD", cancellable=True, decision="to_cancel"),
    Scenario("scheduled", 1, "H", fulfillment_status="SCHEDULED", cancellable=True, decision="to_cancel"),
    # Shopify accepts the cancel (sandbox README), but the service may still hold the other items: the sync
    # leaves it to a person (decide.py's table).
    Scenario("request_declined", 1, "C", fulfillment_status="REQUEST_DECLINED", decision="cannot_cancel"),
    Scenario("legacy_open", 1, "C", fulfillment_status="OPEN", cancellable=True, decision="to_cancel"),
    Scenario("restocked", 1, "C", fulfillment_status="RESTOCKED", cancellable=True, decision="to_cancel"),
    # --- Opt-in (weight 0) ---
    # Shopify accepts the cancel, but its job finishes without cancelling: the order fails (the run turns red).
    Scenario("cancel_job_fails", 0, "C", cancel_job_error=JOB_FAILURE, decision="to_cancel", outcome="failed"),
)
# Which store an order belongs to, rather than its state: a canceled, paid order of a channel no configured
# store has, which a run reads and must leave alone. Opt-in like the others (`scenarios={"unknown_store": n}`).
STORE_SCENARIOS: tuple[Scenario, ...] = (Scenario("unknown_store", 0, "C", unknown_store=True, decision="no_store"),)
SCENARIO_BY_NAME = {scenario.name: scenario for scenario in SCENARIOS + STORE_SCENARIOS}
OPT_IN_SCENARIOS = tuple(s.name for s in SCENARIOS if s.weight == 0 and not s.companion)


@dataclass
class World:
    sales_orders: list[SalesOrder] = field(default_factory=list)
    shopify_orders: list[ShopifyOrder] = field(default_factory=list)
    scenarios: dict[int, str] = field(default_factory=dict)  # NetSuite id → scenario name
    link_field: str = DEFAULT_LINK_FIELD
    # The NetSuite token user's time zone (IANA): SuiteQL shows and reads lastmodifieddate in it. Every
    # datetime in the world is naive UTC whatever this says; only trandate (a date) is the zone's.
    netsuite_timezone: str = "America/Los_Angeles"
    shopify_ids: dict[int, int] = field(default_factory=dict)  # NetSuite id → Shopify order id its link names
    stores: tuple[StoreSpec, ...] = DEFAULT_STORES  # the served stores; the first is the default one
    unknown_store: StoreSpec = UNKNOWN_STORE  # how orders of no configured store are marked
    # NetSuite id → store name (None: the unknown store), and Shopify id → the store whose shop holds it (None: no
    # served shop). Orders a test adds by hand are absent from both and belong to the first store.
    store_of: dict[int, str | None] = field(default_factory=dict)
    shop_of: dict[int, str | None] = field(default_factory=dict)

    def ids_with(self, predicate) -> set[int]:
        return {ns_id for ns_id, name in self.scenarios.items() if predicate(SCENARIO_BY_NAME[name])}

    def sales_order(self, netsuite_id: int) -> SalesOrder:
        return next(order for order in self.sales_orders if order.id == netsuite_id)

    def linked(self, shopify_id: int) -> list[int]:
        """NetSuite ids of every sales order whose link names this Shopify order (re-entered orders share one)."""
        return sorted(ns_id for ns_id, linked in self.shopify_ids.items() if linked == shopify_id)

    def store(self, name: str) -> StoreSpec:
        return next(spec for spec in self.stores if spec.name == name)

    def orders_of(self, store: str | None) -> list[ShopifyOrder]:
        """The Shopify orders in one store's shop (None: the unknown store's, which no sandbox serves)."""
        first = self.stores[0].name
        return [order for order in self.shopify_orders if self.shop_of.get(order.id, first) == store]


def build_world(
    count: int,
    window_start: datetime,
    window_end: datetime,
    seed: int = 0,
    link_field: str = DEFAULT_LINK_FIELD,
    scenarios: dict[str, int] | None = None,
    every_scenario: bool = False,
    netsuite_timezone: str = "America/Los_Angeles",
    stores: tuple[StoreSpec, ...] | list[StoreSpec] | None = None,
    unknown_store: StoreSpec = UNKNOWN_STORE,
) -> World:
    """Make `count` NetSuite orders (and their Shopify twins) modified within [window_start, window_end) UTC.

    `scenarios` overrides the weights by name (0 leaves a scenario out); `every_scenario`
    deals the scenarios round-robin (then shuffles) so small worlds still hold each one.
    A scenario's companions (re-entered orders) come on top of `count`, with ids after the others;
    a companion `modified="after"` is modified days after `window_end`.
    `stores` (None: one store "default", marked as NetSuite Connector's default account marks its orders)
    share the orders by weight; a companion belongs to its main order's store. `unknown_store` marks the
    orders of the unknown_store scenario. Shopify ids are unique across stores; order names count per store.
    """
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    zone = SessionTimeZone(netsuite_timezone)
    served = check_stores(DEFAULT_STORES if stores is None else stores, unknown_store)
    rng = random.Random(seed)
    weights = {s.name: s.weight for s in SCENARIOS + STORE_SCENARIOS} | (scenarios or {})
    unknown = set(weights) - set(SCENARIO_BY_NAME)
    if unknown:
        raise ValueError(f"unknown scenarios: {sorted(unknown)}")
    standalone = sorted(name for name, weight in weights.items() if weight > 0 and SCENARIO_BY_NAME[name].companion)
    if standalone:
        raise ValueError(f"companion scenarios come only with their main scenario: {standalone}")
    names = [name for name, weight in weights.items() if weight > 0]
    if every_scenario:
        picks = [names[index % len(names)] for index in range(count)]
        rng.shuffle(picks)
    else:
        picks = rng.choices(names, weights=[weights[n] for n in names], k=count)
    span = (window_end - window_start).total_seconds()
    world = World(
        link_field=link_field, netsuite_timezone=netsuite_timezone, stores=served, unknown_store=unknown_store
    )
    dealt = random.Random(f"{seed}:stores").choices(served, weights=[spec.weight for spec in served], k=count)
    numbers: dict[str, int] = {}  # order names count per store, as each shop numbers its own
    next_companion_id = FIRST_NETSUITE_ID + count
    for index, name in enumerate(picks):
        scenario = SCENARIO_BY_NAME[name]
        spec = unknown_store if scenario.unknown_store else dealt[index]
        store = None if scenario.unknown_store else spec.name
        netsuite_id = FIRST_NETSUITE_ID + index
        shopify_id = FIRST_SHOPIFY_ID + index
        number = numbers[spec.name] = numbers.get(spec.name, 1000) + 1
        modified = window_start + timedelta(seconds=int(rng.random() * span))
        total = f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}"
        if scenario.shopify == "exists":
            world.shopify_orders.append(_shopify_order(scenario, shopify_id, f"#{number}", modified, total))
            world.shop_of[shopify_id] = store
        made = [_sales_order(scenario, netsuite_id, shopify_id, modified, total, zone, world, rng)]
        for companion_name in scenario.companions:
            companion = SCENARIO_BY_NAME[companion_name]
            when = window_end + timedelta(days=3) if companion.modified == "after" else modified
            made.append(_sales_order(companion, next_companion_id, shopify_id, when, total, zone, world, rng))
            next_companion_id += 1
        for order in made:
            _mark(order, spec)
            world.store_of[order.id] = store
        world.sales_orders.extend(made)
    return world


def _mark(order: SalesOrder, spec: StoreSpec) -> None:
    marks = spec.marks()
    order.fields.update(marks.fields)
    order.list_fields.update(marks.list_fields)
    order.subsidiary = marks.subsidiary


def _sales_order(
    scenario: Scenario,
    netsuite_id: int,
    shopify_id: int,
    modified: datetime,
    total: str,
    zone: SessionTimeZone,
    world: World,
    rng: random.Random,
) -> SalesOrder:
    """One sales order of `scenario` linking `shopify_id`, recorded in the world's ground truth."""
    link = _link(scenario.link, shopify_id, rng)
    world.scenarios[netsuite_id] = scenario.name
    if scenario.link in VALID_LINKS:
        world.shopify_ids[netsuite_id] = shopify_id
    return SalesOrder(
        id=netsuite_id,
        tranid=f"SO{netsuite_id}",
        status=scenario.netsuite_status,
        last_modified=modified,
        trandate=(zone.to_local(modified) - timedelta(days=rng.randint(0, 20))).date(),
        total=total,
        fields={world.link_field: link},
        lines=_lines(scenario.shipped, scenario.billed, rng),
        billing=scenario.billing,
    )


def _shopify_order(scenario: Scenario, shopify_id: int, name: str, modified: datetime, total: str) -> ShopifyOrder:
    created = modified - timedelta(days=1)
    return ShopifyOrder(
        id=shopify_id,
        name=name,
        created_at=created,
        updated_at=created,
        financial_status=scenario.financial_status,
        fulfillment_status=scenario.fulfillment_status,
        return_status=scenario.return_status,
        cancelled_at=created + timedelta(hours=1) if scenario.already_cancelled else None,
        cancel_reason="CUSTOMER" if scenario.already_cancelled else None,
        closed=scenario.already_cancelled,
        total=total,
        cancel_job_error=scenario.cancel_job_error,
    )


VALID_LINKS = ("numeric", "gid", "spaced")  # spellings that name a Shopify order


def _link(kind: str, shopify_id: int, rng: random.Random) -> str | None:
    if kind == "numeric":
        return str(shopify_id)
    if kind == "gid":
        return f"gid://shopify/Order/{shopify_id}"
    if kind == "spaced":
        return f"  {shopify_id} "
    if kind == "empty":
        return rng.choice([None, "", "   "])
    if kind == "garbage":
        return rng.choice(["N/A", "12ab34", "-5", "#"])
    if kind == "other_gid":
        return f"gid://shopify/Product/{shopify_id}"
    raise ValueError(f"unknown link kind {kind!r}")


def _lines(shipped: str, billed: str, rng: random.Random) -> list[SalesOrderLine]:
    lines = []
    for number in range(1, rng.randint(1, 3) + 1):
        quantity = rng.randint(1, 4)
        lines.append(
            SalesOrderLine(
                line=number,
                item=f"SKU-{rng.randint(100, 999)}",
                quantity=quantity,
                quantity_shipped=_done(shipped, quantity, number),
                quantity_billed=_done(billed, quantity, number),
            )
        )
    return lines


def _done(how_much: str, quantity: int, number: int) -> int:
    """none / partial (one unit of line 1) / full."""
    if how_much == "full":
        return quantity
    if how_much == "partial":
        return 1 if number == 1 else 0
    return 0
