"""Timestamps the way Shopify's DateTime prints them: UTC, second precision, `Z` suffix."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the world builder's convention)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    """ISO 8601 date-time (naive means UTC), or None when it does not parse."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_utc(moment)
