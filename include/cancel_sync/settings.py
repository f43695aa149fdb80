"""Run settings: the merchant's toggles (Airflow Variables) and the run's params, validated.

Everything that decides whether money moves is parsed strictly: a value we cannot
read fails the run with the Variable's name rather than being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from include.cancel_sync.constants import (
    CANCEL_ENABLED_VARIABLE,
    LINK_FIELD_VARIABLE,
    LOOKBACK_VARIABLE,
    MAX_SWEEP_DAYS,
    NOTIFY_VARIABLE,
    OVERLAP_VARIABLE,
    PREVENT_REFUND_VARIABLE,
    REASON_VARIABLE,
    RESTOCK_VARIABLE,
    SWEEP_DAYS_VARIABLE,
)

CANCEL_REASONS = ("CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF")
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}
_LINK_FIELD = re.compile(r"^custbody_[a-z0-9_]{1,90}$")


class SettingsError(ValueError):
    """A Variable or param holds a value the sync refuses to guess about."""


def parse_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false (also accepted: 1/0, yes/no), got {raw!r}")


def parse_int(name: str, raw: Any, minimum: int, maximum: int) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def parse_link_field(name: str, raw: Any) -> str:
    text = str(raw).strip().lower()
    if not _LINK_FIELD.match(text):
        raise SettingsError(f"{name} must be a NetSuite body field id like custbody_fa_channel_order, got {raw!r}")
    return text


def parse_reason(name: str, raw: Any) -> str:
    text = str(raw).strip().upper()
    if text not in CANCEL_REASONS:
        raise SettingsError(f"{name} must be one of {', '.join(CANCEL_REASONS)}, got {raw!r}")
    return text


@dataclass(frozen=True)
class SyncSettings:
    cancel_enabled: bool = False
    prevent_refund: bool = False
    link_field: str = "custbody_fa_channel_order"
    reason: str = "OTHER"
    restock: bool = False
    notify_customer: bool = False
    overlap_minutes: int = 15
    manual_lookback_hours: int = 24
    dry_run: bool = False
    order_ids: tuple[int, ...] = field(default_factory=tuple)
    sweep_days: int | None = None  # a sweep run: every order canceled in the last this many days

    @property
    def is_sweep(self) -> bool:
        return self.sweep_days is not None

    @property
    def may_cancel(self) -> bool:
        return self.cancel_enabled and not self.dry_run

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["order_ids"] = list(self.order_ids)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncSettings:
        return cls(**{**data, "order_ids": tuple(data.get("order_ids", ()))})


# (Variable, default, parser) for every setting kept in Variables.
_VARIABLES: dict[str, tuple[str, Any, Callable[[str, Any], Any]]] = {
    "cancel_enabled": (CANCEL_ENABLED_VARIABLE, "false", parse_bool),
    "prevent_refund": (PREVENT_REFUND_VARIABLE, "false", parse_bool),
    "link_field": (LINK_FIELD_VARIABLE, "custbody_fa_channel_order", parse_link_field),
    "reason": (REASON_VARIABLE, "OTHER", parse_reason),
    "restock": (RESTOCK_VARIABLE, "false", parse_bool),
    "notify_customer": (NOTIFY_VARIABLE, "false", parse_bool),
    "overlap_minutes": (OVERLAP_VARIABLE, "15", lambda n, v: parse_int(n, v, 0, 24 * 60)),
    "manual_lookback_hours": (LOOKBACK_VARIABLE, "24", lambda n, v: parse_int(n, v, 1, 24 * 366)),
}


# The settings a store may override in netsuite_shopify_stores (stores.py): the merchant's per-store choices.
STORE_SETTINGS = ("cancel_enabled", "prevent_refund", "link_field", "reason", "restock", "notify_customer")


def parse_setting(key: str, name: str, raw: Any) -> Any:
    """`raw` read by the parser of setting `key` (a SyncSettings field kept in a Variable); `name` is what an
    error calls it."""
    return _VARIABLES[key][2](name, raw)


SWEEP_DAYS_DEFAULT = "7"


def parse_sweep_days(name: str, raw: Any) -> int:
    return parse_int(name, raw, 1, MAX_SWEEP_DAYS)


# The sweep's own Variable (the sync never reads it), checked with the others.
_SWEEP_DAYS = (SWEEP_DAYS_VARIABLE, SWEEP_DAYS_DEFAULT, parse_sweep_days)


@dataclass(frozen=True)
class VariableCheck:
    """One merchant Variable as a run would read it now: what is set, what the run would use, or why it fails."""

    variable: str
    raw: Any  # None: not set (the default applies)
    default: str
    value: Any = None  # what the run would use; None when invalid
    problem: str | None = None  # the error the run would fail with

    @property
    def valid(self) -> bool:
        return self.problem is None


def check_variables(get_variable: Callable[[str, Any], Any]) -> list[VariableCheck]:
    """Every merchant Variable through the parser a run uses (load_settings), one by one, so each bad value
    is named instead of the first only. `get_variable(name, None)` returns None for a Variable not set."""
    checks = []
    for name, default, parser in [*_VARIABLES.values(), _SWEEP_DAYS]:
        raw = get_variable(name, None)
        try:
            checks.append(VariableCheck(name, raw, default, value=parser(name, default if raw is None else raw)))
        except SettingsError as exc:
            checks.append(VariableCheck(name, raw, default, problem=str(exc)))
    return checks


def load_settings(
    get_variable: Callable[[str, Any], Any], params: Mapping[str, Any], sweep: bool = False
) -> SyncSettings:
    """Read the Variables through `get_variable(name, default)` and merge the run's params. A sweep also reads
    how many days back it looks (param `days`, else the Variable); the sync never reads that Variable."""
    values = {key: parser(name, get_variable(name, default)) for key, (name, default, parser) in _VARIABLES.items()}
    values["dry_run"] = parse_bool("param dry_run", params.get("dry_run") or False)
    values["order_ids"] = parse_order_ids(params.get("netsuite_order_ids"))
    if sweep:
        days = params.get("days")
        if days in (None, ""):
            values["sweep_days"] = parse_sweep_days(
                SWEEP_DAYS_VARIABLE, get_variable(SWEEP_DAYS_VARIABLE, SWEEP_DAYS_DEFAULT)
            )
        else:
            values["sweep_days"] = parse_sweep_days("param days", days)
    return SyncSettings(**values)


# The settings that guard money: read again by each cancel task (as_strict_as).
MONEY_SETTINGS = ("cancel_enabled", "prevent_refund")


def load_money_settings(get_variable: Callable[[str, Any], Any]) -> SyncSettings:
    """Only the Variables that guard money, as they are now (the rest at their defaults)."""
    values = {key: _VARIABLES[key][2](_VARIABLES[key][0], get_variable(*_VARIABLES[key][:2])) for key in MONEY_SETTINGS}
    return SyncSettings(**values)


def as_strict_as(settings: SyncSettings, now: SyncSettings) -> SyncSettings:
    """The run's settings, made as strict as the merchant's settings are now: a task retried (or cleared by
    hand, days later) after the cancel toggle was switched off sends nothing, after prevent-refund was switched
    on refunds nothing. A setting loosened since the run began does not loosen the run."""
    return replace(
        settings,
        cancel_enabled=settings.cancel_enabled and now.cancel_enabled,
        prevent_refund=settings.prevent_refund or now.prevent_refund,
    )


def parse_order_ids(raw: Any) -> tuple[int, ...]:
    """Accept a list or a comma/space separated string of NetSuite internal ids."""
    if raw in (None, "", []):
        return ()
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,]+", str(raw).strip())
    ids = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or int(text) <= 0:
            raise SettingsError(f"param netsuite_order_ids must hold positive NetSuite internal ids, got {item!r}")
        ids.append(int(text))
    return tuple(dict.fromkeys(ids))
