"""Shopify stores on one NetSuite account: which NetSuite orders belong to which store, and each store's settings.

Variable `netsuite_shopify_stores` (JSON) lists them:

    [{"name": "eu", "shopify_conn_id": "shopify_eu",
      "netsuite": {"field": "custbody_fa_channel", "values": ["Shopify-EU"]},
      "prevent_refund": true},
     {"name": "us", "shopify_conn_id": "shopify_us",
      "netsuite": {"field": "custbody_celigo_shopify_store", "values": ["US Store"], "match": "text"}},
     {"name": "b2b", "shopify_conn_id": "shopify_b2b", "netsuite": {"subsidiary": [3]}}]

A store's orders are recognised by a body field holding one of `values` (NetSuite Connector writes the
connector account into `custbody_fa_channel` as text, e.g. `Shopify` or `Shopify-<account>`; Celigo sets the list
fields `custbody_celigo_shopify_store` / `custbody_celigo_etail_channel`, compared by internal id, or by their
display text with `"match": "text"`), or by the order's subsidiary. Every setting the Variables hold per merchant
may be overridden per store (STORE_SETTINGS). Without the Variable there is one store, `default`: connection
`shopify_default`, every order, the global Variables, exactly as before stores existed.

The store list is checked whole before a run reads anything: unknown keys, a connection Airflow does not know,
two stores sharing a connection or a selector value. An order no store claims is reported `no_store` and never
cancelled; one that two stores claim (their selectors read different fields) is `several_stores`, for a person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from include.cancel_sync.constants import SHOPIFY_CONN_ID, STORES_VARIABLE
from include.cancel_sync.records import Decision
from include.cancel_sync.settings import STORE_SETTINGS, SettingsError, SyncSettings, parse_setting

DEFAULT_STORE = "default"
NO_STORE_KEY = "(no store)"  # orders of no store, counted beside the stores (a store name cannot hold brackets)
MAX_STORES = 50
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_FIELD = re.compile(r"^custbody_[a-z0-9_]{1,90}$")
_CONN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")
_STORE_KEYS = {"name", "shopify_conn_id", "netsuite", *STORE_SETTINGS}
_FIELD_SELECTOR_KEYS = {"field", "values", "match"}
MATCH_VALUE = "value"  # the field's stored value: the text of a text field, the internal id of a list field
MATCH_TEXT = "text"  # a list field's display text (BUILTIN.DF)


@dataclass(frozen=True)
class SelectorSource:
    """What a selector reads of an order: a body field's value or display text, or the order's subsidiary.
    Stores reading the same source must not share a value; the extraction reads each source once."""

    kind: str  # "value" | "text" | "subsidiary"
    field: str | None = None  # the body field, for "value" and "text"

    def describe(self) -> str:
        if self.kind == "subsidiary":
            return "subsidiary"
        return f"BUILTIN.DF({self.field})" if self.kind == MATCH_TEXT else str(self.field)


@dataclass(frozen=True)
class StoreSelector:
    source: SelectorSource
    values: frozenset[str]  # normalised (normalise_value)

    def matches(self, raw: Any) -> bool:
        return normalise_value(raw) in self.values


def normalise_value(raw: Any) -> str:
    """How selector values and what NetSuite returns are compared: trimmed, case-insensitive (`Shopify-EU` and
    `shopify-eu` name one connector account; SuiteQL returns ids as text)."""
    return str(raw if raw is not None else "").strip().casefold()


@dataclass(frozen=True)
class Store:
    name: str
    shopify_conn_id: str
    selector: StoreSelector | None = None  # None: the only store, taking every order
    overrides: Mapping[str, Any] = field(default_factory=dict)  # STORE_SETTINGS keys, parsed

    def describe(self) -> str:
        """`eu (shopify_eu: custbody_fa_channel in ['shopify-eu'], prevent_refund=True)`."""
        selector = self.selector
        orders = "every order" if selector is None else f"{selector.source.describe()} in {sorted(selector.values)}"
        overrides = "".join(f", {key}={value}" for key, value in self.overrides.items())
        return f"{self.name} ({self.shopify_conn_id}: {orders}{overrides})"

    def settings(self, base: SyncSettings) -> SyncSettings:
        """The run's settings with this store's overrides."""
        return replace(base, **dict(self.overrides))

    def to_dict(self) -> dict[str, Any]:
        selector = None
        if self.selector is not None:
            source = self.selector.source
            selector = {"kind": source.kind, "field": source.field, "values": sorted(self.selector.values)}
        return {
            "name": self.name,
            "shopify_conn_id": self.shopify_conn_id,
            "selector": selector,
            "overrides": dict(self.overrides),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Store:
        selector = data.get("selector")
        return cls(
            name=data["name"],
            shopify_conn_id=data["shopify_conn_id"],
            selector=None
            if selector is None
            else StoreSelector(SelectorSource(selector["kind"], selector["field"]), frozenset(selector["values"])),
            overrides=dict(data.get("overrides") or {}),
        )


def store_key(store: str | None) -> str:
    """How counts per store name an order's store."""
    return NO_STORE_KEY if store is None else store


def implicit_stores() -> tuple[Store, ...]:
    """No store list: one store on shopify_default taking every order, with the global Variables."""
    return (Store(DEFAULT_STORE, SHOPIFY_CONN_ID),)


def load_stores(raw: Any, connection_exists: Callable[[str], bool] | None = None) -> tuple[Store, ...]:
    """The store list from the Variable's raw value (None or empty: the implicit store). `connection_exists`
    tells whether Airflow has a connection id; without it connections are not checked."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return implicit_stores()
    entries = _json(raw)
    if not isinstance(entries, list) or not entries:
        raise SettingsError(f"{STORES_VARIABLE} must be a JSON list of stores, got {type(entries).__name__}")
    if len(entries) > MAX_STORES:
        raise SettingsError(f"{STORES_VARIABLE} lists {len(entries)} stores; at most {MAX_STORES} are supported")
    stores = tuple(_store(index, entry, len(entries)) for index, entry in enumerate(entries))
    _check_unique(stores)
    _check_disjoint(stores)
    if connection_exists is not None:
        for store in stores:
            if not connection_exists(store.shopify_conn_id):
                raise SettingsError(
                    f"{STORES_VARIABLE}: store {store.name!r} field 'shopify_conn_id': Airflow has no connection "
                    f"{store.shopify_conn_id!r} (add it on Admin → Connections: host https://<shop>.myshopify.com, "
                    "password the Admin API access token)"
                )
    return stores


def _json(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw  # already parsed (a test, or Variable.get(deserialize_json=True))
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{STORES_VARIABLE} is not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _where(index: int, entry: Mapping[str, Any]) -> str:
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    return f"{STORES_VARIABLE}: store {name!r}" if name else f"{STORES_VARIABLE}: store #{index + 1}"


def _store(index: int, entry: Any, count: int) -> Store:
    if not isinstance(entry, dict):
        raise SettingsError(f"{STORES_VARIABLE}: store #{index + 1} must be a JSON object, got {entry!r}")
    where = _where(index, entry)
    unknown = sorted(set(entry) - _STORE_KEYS)
    if unknown:
        raise SettingsError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; known: {sorted(_STORE_KEYS)}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SettingsError(
            f"{where} field 'name' must be 1-40 lowercase letters, digits, '-' or '_' (it names the store in "
            f"reports and links), got {name!r}"
        )
    conn_id = entry.get("shopify_conn_id")
    if not isinstance(conn_id, str) or not _CONN_ID.match(conn_id):
        raise SettingsError(f"{where} field 'shopify_conn_id' must be an Airflow connection id, got {conn_id!r}")
    selector = entry.get("netsuite")
    if selector is None and count > 1:
        raise SettingsError(
            f"{where} field 'netsuite' is required when there are several stores: it says which NetSuite orders "
            'are this store\'s, e.g. {"field": "custbody_fa_channel", "values": ["Shopify"]}'
        )
    overrides = {
        key: parse_setting(key, f"{where} field {key!r}", value)
        for key, value in entry.items()
        if key in STORE_SETTINGS
    }
    return Store(name, conn_id, None if selector is None else _selector(where, selector), overrides)


def _selector(where: str, raw: Any) -> StoreSelector:
    where = f"{where} field 'netsuite'"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where} must be a JSON object, got {raw!r}")
    if "subsidiary" in raw:
        if set(raw) != {"subsidiary"}:
            raise SettingsError(f"{where}: 'subsidiary' goes alone, got {sorted(raw)}")
        ids = raw["subsidiary"]
        if not isinstance(ids, list) or not ids or not all(_positive_id(i) for i in ids):
            raise SettingsError(f"{where}.subsidiary must be a list of subsidiary internal ids, got {ids!r}")
        return StoreSelector(SelectorSource("subsidiary"), frozenset(normalise_value(i) for i in ids))
    unknown = sorted(set(raw) - _FIELD_SELECTOR_KEYS)
    if unknown:
        raise SettingsError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; use {{field, values, match}} or {{subsidiary}}"
        )
    field_id = str(raw.get("field") or "").strip().lower()
    if not _FIELD.match(field_id):
        raise SettingsError(
            f"{where}.field must be a NetSuite body field id like custbody_fa_channel, got {raw.get('field')!r}"
        )
    values = raw.get("values")
    if not isinstance(values, list) or not values or not all(_usable_value(v) for v in values):
        raise SettingsError(f"{where}.values must be a list of non-empty values, got {values!r}")
    match = raw.get("match", MATCH_VALUE)
    if match not in (MATCH_VALUE, MATCH_TEXT):
        raise SettingsError(f"{where}.match must be {MATCH_VALUE!r} or {MATCH_TEXT!r}, got {match!r}")
    return StoreSelector(SelectorSource(match, field_id), frozenset(normalise_value(v) for v in values))


def _positive_id(value: Any) -> bool:
    return not isinstance(value, bool) and str(value).strip().isdigit() and int(str(value).strip()) > 0


def _usable_value(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(normalise_value(value))


def _check_unique(stores: tuple[Store, ...]) -> None:
    for attribute, what in (("name", "name"), ("shopify_conn_id", "connection")):
        seen: dict[str, str] = {}
        for store in stores:
            value = getattr(store, attribute)
            if value in seen:
                raise SettingsError(
                    f"{STORES_VARIABLE}: stores {seen[value]!r} and {store.name!r} have the same {what} {value!r}"
                    + ("; each store is one Shopify shop with its own connection" if what == "connection" else "")
                )
            seen[value] = store.name


def _check_disjoint(stores: tuple[Store, ...]) -> None:
    """Stores reading the same source must not claim the same value: an order would belong to both."""
    claimed: dict[tuple[SelectorSource, str], str] = {}
    for store in stores:
        if store.selector is None:
            continue
        for value in sorted(store.selector.values):
            key = (store.selector.source, value)
            if key in claimed:
                raise SettingsError(
                    f"{STORES_VARIABLE}: store {store.name!r} field 'netsuite' overlaps store {claimed[key]!r}: both "
                    f"claim orders whose {store.selector.source.describe()} is {value!r}"
                )
            claimed[key] = store.name


@dataclass(frozen=True)
class Route:
    """Where an order goes: its store, or (store None) the decision and reason that keep it from any store."""

    store: str | None
    decision: Decision | None = None
    reason: str = ""


class StoreRouter:
    """Routes extracted orders to stores from the selector sources' values (`sources`, in the order the query
    reads them)."""

    def __init__(self, stores: Iterable[Store]) -> None:
        self.stores = tuple(stores)
        self.sources: tuple[SelectorSource, ...] = tuple(
            dict.fromkeys(s.selector.source for s in self.stores if s.selector is not None)
        )
        self._everything = next((s.name for s in self.stores if s.selector is None), None)

    def route(self, values: tuple[Any, ...]) -> Route:
        """`values`: each source's value for the order, in `sources` order."""
        if self._everything is not None:
            return Route(self._everything)
        by_source = dict(zip(self.sources, values, strict=True))
        matched = [s.name for s in self.stores if s.selector.matches(by_source[s.selector.source])]
        if len(matched) == 1:
            return Route(matched[0])
        if matched:
            return Route(
                None,
                Decision.SEVERAL_STORES,
                f"stores {', '.join(matched)} all claim this order: make their 'netsuite' selectors exclusive "
                f"in {STORES_VARIABLE}",
            )
        shown = "; ".join(f"{source.describe()} = {value!r}" for source, value in by_source.items() if value)
        return Route(None, Decision.NO_STORE, f"no store in {STORES_VARIABLE} claims it ({shown or 'no store marks'})")


def run_stores(run: Mapping[str, Any]) -> tuple[Store, ...]:
    """The stores a run resolved (a run resolved before stores existed has the implicit one)."""
    stored = run.get("stores")
    return tuple(Store.from_dict(s) for s in stored) if stored else implicit_stores()


def store_named(run: Mapping[str, Any], name: str) -> Store:
    for store in run_stores(run):
        if store.name == name:
            return store
    raise SettingsError(f"the run has no store {name!r} (stores: {', '.join(s.name for s in run_stores(run))})")
