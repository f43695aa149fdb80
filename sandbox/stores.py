"""Several Shopify stores on one NetSuite account: how each store's orders are marked in NetSuite.

What the integrations write on the orders they import (/work/research/netsuite.md section 5):
- NetSuite Connector: the text body field `custbody_fa_channel` — "Shopify" for its default account,
  "Shopify-<AccountName>" for others (seen in public SuiteScripts; UNVERIFIED as a rule).
- Celigo: the List/Record fields `custbody_celigo_shopify_store` (a "Celigo Shopify Store" custom record made
  from the shop's name, docs.celigo.com/hc/en-us/articles/49643838951707) and `custbody_celigo_etail_channel`
  (the channel record "Shopify"). Both hold internal ids, which differ per account.
- Either may put each store's orders in their own subsidiary (per-account or per-market subsidiary mappings).

A `StoreSpec` says which of these marks a store's orders carry; `selector` is the matching entry of the
`netsuite_shopify_stores` Variable. Every order also has a subsidiary: orders of stores not told apart by
subsidiary stay in the parent company, which no store may use as its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CONNECTOR_FIELD = "custbody_fa_channel"
CELIGO_STORE_FIELD = "custbody_celigo_shopify_store"
CELIGO_CHANNEL_FIELD = "custbody_celigo_etail_channel"
CELIGO_SHOPIFY_CHANNEL = (101, "Shopify")  # the eTail channel record on Celigo's Shopify orders (id: any)
PARENT_SUBSIDIARY = (1, "Parent Company")
DEFAULT_STORE_NAME = "default"
MARK_KINDS = ("connector", "celigo", "subsidiary")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # it names the connection shopify_<name>


@dataclass(frozen=True)
class OrderMarks:
    """What a sales order of one store carries (SalesOrder.fields, .list_fields, .subsidiary)."""

    fields: dict[str, str] = field(default_factory=dict)
    list_fields: dict[str, int] = field(default_factory=dict)
    subsidiary: int = PARENT_SUBSIDIARY[0]


@dataclass(frozen=True)
class StoreSpec:
    """One Shopify store, its orders marked by exactly one of: `connector` (custbody_fa_channel's text),
    `celigo` (the Celigo Shopify Store record: internal id, name) or `subsidiary` (internal id, name).
    `weight`: its share of a world's orders."""

    name: str
    connector: str | None = None
    celigo: tuple[int, str] | None = None
    subsidiary: tuple[int, str] | None = None
    weight: int = 1

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"store name {self.name!r}: lowercase letters, digits and _, starting with a letter")
        given = [kind for kind in MARK_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"store {self.name!r}: give exactly one of {', '.join(MARK_KINDS)}, got {given or 'none'}")
        if self.weight < 0:
            raise ValueError(f"store {self.name!r}: weight must be at least 0")
        if self.subsidiary is not None and self.subsidiary[0] == PARENT_SUBSIDIARY[0]:
            raise ValueError(f"store {self.name!r}: subsidiary {PARENT_SUBSIDIARY[0]} is the parent company")
        if self.connector is not None and not self.connector.strip():
            raise ValueError(f"store {self.name!r}: the connector's channel text is empty")

    @property
    def kind(self) -> str:
        return next(kind for kind in MARK_KINDS if getattr(self, kind) is not None)

    def marks(self) -> OrderMarks:
        if self.connector is not None:
            return OrderMarks(fields={CONNECTOR_FIELD: self.connector})
        if self.celigo is not None:
            list_fields = {CELIGO_STORE_FIELD: self.celigo[0], CELIGO_CHANNEL_FIELD: CELIGO_SHOPIFY_CHANNEL[0]}
            return OrderMarks(list_fields=list_fields)
        assert self.subsidiary is not None
        return OrderMarks(subsidiary=self.subsidiary[0])

    def selector(self, celigo_match: str = "id") -> dict[str, Any]:
        """This store's `netsuite` entry in netsuite_shopify_stores; a Celigo store by its record's internal id
        (`celigo_match="id"`) or by its name (`"text"`: BUILTIN.DF)."""
        if self.connector is not None:
            return {"field": CONNECTOR_FIELD, "values": [self.connector]}
        if self.celigo is not None:
            if celigo_match == "id":
                return {"field": CELIGO_STORE_FIELD, "values": [str(self.celigo[0])]}
            if celigo_match == "text":
                return {"field": CELIGO_STORE_FIELD, "values": [self.celigo[1]], "match": "text"}
            raise ValueError(f"celigo_match must be 'id' or 'text', got {celigo_match!r}")
        assert self.subsidiary is not None
        return {"subsidiary": [self.subsidiary[0]]}

    @classmethod
    def parse(cls, text: str, position: int = 0) -> StoreSpec:
        """`name:connector[=text]`, `name:celigo[=id[:name]]`, `name:subsidiary[=id[:name]]`. Left out: the
        text `Shopify-<name>`, the id 201 + position (celigo) or 2 + position (subsidiary), the name
        `<name> store` / `<name> subsidiary`."""
        name, _, rest = text.strip().partition(":")
        kind, _, value = rest.partition("=")
        if kind == "connector":
            return cls(name, connector=value or f"Shopify-{name}")
        if kind in ("celigo", "subsidiary"):
            record_id, _, record_name = value.partition(":")
            default_id = 201 + position if kind == "celigo" else 2 + position
            try:
                noun = "store" if kind == "celigo" else kind
                record = (int(record_id) if record_id else default_id, record_name or f"{name} {noun}")
            except ValueError:
                raise ValueError(f"store {text!r}: the {kind} id must be an integer") from None
            return cls(name, **{kind: record})
        raise ValueError(f"store {text!r}: expected name:connector, name:celigo or name:subsidiary")


def store_list_argument(text: str) -> tuple[StoreSpec, ...]:
    """A command line's `eu:connector,us:celigo,b2b:subsidiary` (StoreSpec.parse each), for argparse's `type=`."""
    import argparse

    try:
        return tuple(StoreSpec.parse(part, position) for position, part in enumerate(text.split(",")))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


DEFAULT_STORES = (StoreSpec(DEFAULT_STORE_NAME, connector="Shopify"),)  # NetSuite Connector's default account
# Orders of a channel no configured store has (the unknown_store scenario); their Shopify orders are in no shop.
UNKNOWN_STORE = StoreSpec("outlet", connector="Shopify-Outlet")


def check_stores(stores: Iterable[StoreSpec], unknown: StoreSpec) -> tuple[StoreSpec, ...]:
    """The stores, refused when names repeat (the unknown store's too), no store has a weight, or two stores (or a store and the
    unknown one) share a mark."""
    stores = tuple(stores)
    if not stores:
        raise ValueError("give at least one store")
    names = [spec.name for spec in (*stores, unknown)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"store names repeat: {repeated}")
    if not any(spec.weight for spec in stores):
        raise ValueError("every store has weight 0")
    seen: dict[tuple[str, object], str] = {}
    for spec in (*stores, unknown):
        for key in _mark_keys(spec):
            if key in seen:
                raise ValueError(f"stores {seen[key]!r} and {spec.name!r} share the mark {key[0]} = {key[1]!r}")
            seen[key] = spec.name
    return stores


def _mark_keys(spec: StoreSpec) -> list[tuple[str, object]]:
    if spec.connector is not None:
        return [("connector", spec.connector)]
    if spec.celigo is not None:
        return [("celigo id", spec.celigo[0]), ("celigo name", spec.celigo[1])]
    assert spec.subsidiary is not None
    return [("subsidiary", spec.subsidiary[0])]


def list_values(specs: Iterable[StoreSpec]) -> dict[tuple[str, str], dict[int, str]]:
    """(table, column) → internal id → name, for BUILTIN.DF on the List/Record columns the marks use."""
    specs = tuple(specs)
    return {
        ("transaction", CELIGO_STORE_FIELD): {spec.celigo[0]: spec.celigo[1] for spec in specs if spec.celigo},
        ("transaction", CELIGO_CHANNEL_FIELD): dict([CELIGO_SHOPIFY_CHANNEL]),
        ("transactionline", "subsidiary"): dict(
            [PARENT_SUBSIDIARY, *(spec.subsidiary for spec in specs if spec.subsidiary)]
        ),
    }
