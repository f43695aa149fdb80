"""The stretch of NetSuite `lastmodifieddate` a run looks at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from include.cancel_sync.settings import SettingsError

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Window:
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.strftime(TIMESTAMP_FORMAT), "end": self.end.strftime(TIMESTAMP_FORMAT)}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Window:
        return cls(datetime.strptime(data["start"], TIMESTAMP_FORMAT), datetime.strptime(data["end"], TIMESTAMP_FORMAT))

    def split(self) -> tuple[Window, Window]:
        middle = self.start + (self.end - self.start) / 2
        middle = middle.replace(microsecond=0)
        return Window(self.start, middle), Window(middle, self.end)


def parse_timestamp(name: str, raw: Any) -> datetime:
    """ISO 8601 → naive UTC. A value without an offset is taken as UTC."""
    if isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw).strip().replace("Z", "+00:00")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise SettingsError(f"param {name} must be an ISO 8601 timestamp, got {raw!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def resolve_window(
    params: dict[str, Any],
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    overlap_minutes: int,
    manual_lookback_hours: int,
    now: datetime,
) -> Window:
    """Params override the data interval; a manual run without one looks back from `now`.

    The overlap widens the start only: NetSuite compares in the token user's time zone,
    and re-reading a few minutes twice is harmless because the sync is idempotent.
    """
    if params.get("window_start") or params.get("window_end"):
        if not (params.get("window_start") and params.get("window_end")):
            raise SettingsError("params window_start and window_end must be given together")
        start = parse_timestamp("window_start", params["window_start"])
        end = parse_timestamp("window_end", params["window_end"])
        overlap = timedelta(0)  # an explicit window is taken literally
    elif data_interval_start is not None and data_interval_end is not None and data_interval_end > data_interval_start:
        start = parse_timestamp("data_interval_start", data_interval_start)
        end = parse_timestamp("data_interval_end", data_interval_end)
        overlap = timedelta(minutes=overlap_minutes)
    else:
        end = parse_timestamp("now", now)
        start = end - timedelta(hours=manual_lookback_hours)
        overlap = timedelta(0)
    if end <= start:
        raise SettingsError(f"window_end ({end}) must be after window_start ({start})")
    return Window((start - overlap).replace(microsecond=0), _ceil_to_second(end))


def _ceil_to_second(value: datetime) -> datetime:
    # NetSuite stores whole seconds; the end is exclusive, so round it up, never down.
    return value.replace(microsecond=0) + timedelta(seconds=1 if value.microsecond else 0)


def sweep_window(days: int, now: datetime) -> Window:
    """The last `days` days up to `now` (the sweep's window; `now` rounded up to the whole second)."""
    end = _ceil_to_second(parse_timestamp("now", now))
    return Window(end - timedelta(days=days), end)
