"""The period the Recent runs page lists and counts: the last 24 hours, or the dates a person typed (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_SPAN = timedelta(hours=24)
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_DATE = "%Y-%m-%d"
_EXAMPLE = "2026-01-15 or 2026-01-15T10:00"
MAX_INPUT = 40


class PeriodError(ValueError):
    """A date the page cannot read; the message says what to type."""


@dataclass(frozen=True)
class Period:
    since: datetime | None  # runs finished at or after (UTC)
    until: datetime | None  # runs finished before (UTC)
    label: str  # what the page's counts cover, in words
    start: str = ""  # the form's values, as typed
    end: str = ""


def parse_period(start: str, end: str, now: datetime) -> Period:
    """From/to as typed (UTC). A date alone means its whole day: `to` 2026-01-15 counts runs up to the end of
    that day. Neither given: the last 24 hours."""
    start, end = start.strip(), end.strip()
    if not start and not end:
        return Period(now - DEFAULT_SPAN, None, "the last 24 hours")
    since = _instant("from", start, end_of_day=False) if start else None
    until = _instant("to", end, end_of_day=True) if end else None
    if since and until and since >= until:
        raise PeriodError("“from” must come before “to”")
    if since and until:
        label = f"{_words(since)} to {_words(until)} (UTC)"
    elif since:
        label = f"since {_words(since)} (UTC)"
    else:
        label = f"before {_words(until)} (UTC)"
    return Period(since, until, label, start, end)


def _instant(field: str, text: str, end_of_day: bool) -> datetime:
    if len(text) > MAX_INPUT:
        raise PeriodError(f"“{field}” must be a date like {_EXAMPLE} (UTC)")
    try:
        day = datetime.strptime(text, _DATE).replace(tzinfo=UTC)
        return day + timedelta(days=1) if end_of_day else day
    except ValueError:
        pass
    for pattern in _FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise PeriodError(f"“{field}” must be a date like {_EXAMPLE} (UTC), got “{text}”")


def _words(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M")
