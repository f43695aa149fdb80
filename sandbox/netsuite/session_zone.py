"""The token user's time zone: how SuiteQL turns stored instants into wall-clock text and back.

The sandbox keeps `lastmodifieddate` as a UTC instant and shows it, reads literals against it and prints it
in the zone of the user the token belongs to. Oracle's help says datetime fields are "stored as UTC values
and converted to the time zone found in the current user's User Preferences before being displayed"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0122025133.html); no Oracle page
states which zone SuiteQL compares and prints in (/work/research/netsuite.md 1.1: UNVERIFIED), so this is
the most likely reading, not a documented one. The model is Oracle's TIMESTAMP WITH LOCAL TIME ZONE:
"does not store time zone information internally, but you can see local time zone information in SQL
output" (Oracle Database Globalization Support Guide, 4.2 Datetime and Interval Data Types).

Wall-clock text that names no single instant (DST):
- The autumn repeated hour (e.g. 01:30 on 2026-11-01 in America/Los_Angeles happens twice):
  `overlap="later"` (default) takes the second occurrence, Standard Time, as Oracle does: "If
  ERROR_ON_OVERLAP_TIME is set to FALSE (the default value), then Oracle interprets the ambiguous datetime
  as Standard Time" (Oracle Database SQL Language Reference, Datetime Format Elements, TZD).
  `overlap="earlier"` takes the first, daylight, one, as Java's `LocalDateTime.atZone` does ("In the case
  of an overlap ... this method uses the earlier offset").
- The spring gap (02:30 on 2026-03-08 in Los Angeles never happens): `gap="shift"` (default) reads it with
  the offset in force before the jump, i.e. one hour later on the clock (02:30 PST = 03:30 PDT), as
  `LocalDateTime.atZone` does ("the local date-time is adjusted to be later by the length of the gap").
  `gap="error"` refuses it as Oracle does for a nonexistent local time (ORA-01878).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.netsuite.oracle_dates import DateFormatError, canonical, from_canonical

OVERLAP_READINGS = ("later", "earlier")
GAP_READINGS = ("shift", "error")
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT"})


@dataclass(frozen=True)
class SessionTimeZone:
    name: str = "UTC"  # IANA name, as the user's Set Preferences > Time Zone
    overlap: str = "later"
    gap: str = "shift"
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    # UTC hour ('YYYY-MM-DD HH') → the zone's offset all through it, or None when it changes within the hour.
    _hour_offsets: dict[str, timedelta | None] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.overlap not in OVERLAP_READINGS:
            raise ValueError(f"overlap must be one of {OVERLAP_READINGS}, got {self.overlap!r}")
        if self.gap not in GAP_READINGS:
            raise ValueError(f"gap must be one of {GAP_READINGS}, got {self.gap!r}")
        try:
            zone = ZoneInfo(self.name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {self.name!r}") from None
        object.__setattr__(self, "_zone", zone)

    @property
    def is_utc(self) -> bool:
        """Wall clock and instant coincide: conversions can be skipped."""
        return self.name in UTC_NAMES

    def to_utc(self, wall: datetime) -> datetime:
        """Naive wall-clock time in this zone → naive UTC instant, with the readings above."""
        earlier = wall.replace(tzinfo=self._zone, fold=0)
        later = wall.replace(tzinfo=self._zone, fold=1)
        if earlier.utcoffset() == later.utcoffset():
            return _naive_utc(earlier)
        if _round_trips(earlier):  # both readings exist: the repeated hour
            return _naive_utc(later if self.overlap == "later" else earlier)
        if self.gap == "error":
            raise DateFormatError(f"ORA-01878: specified field not found in datetime or interval: {canonical(wall)}")
        return _naive_utc(earlier)  # fold=0 in a gap uses the offset before the jump

    def to_local(self, instant: datetime) -> datetime:
        """Naive UTC instant → naive wall-clock time in this zone."""
        return instant.replace(tzinfo=UTC).astimezone(self._zone).replace(tzinfo=None)

    def canonical_to_utc(self, text: str | None) -> str | None:
        return None if text is None else canonical(self.to_utc(from_canonical(text)))

    def canonical_to_local(self, text: str | None) -> str | None:
        """Runs once per row of a query that shows an instant: an hour's offset is worked out once."""
        if text is None:
            return None
        offset = self._hour_offset(text[:13])
        if offset is None:
            return canonical(self.to_local(from_canonical(text)))
        return canonical(datetime.fromisoformat(text) + offset)

    def _hour_offset(self, hour: str) -> timedelta | None:
        if hour not in self._hour_offsets:
            start = datetime.fromisoformat(hour + ":00:00")
            last = start + timedelta(minutes=59, seconds=59)
            first_offset, last_offset = self.to_local(start) - start, self.to_local(last) - last
            self._hour_offsets[hour] = first_offset if first_offset == last_offset else None
        return self._hour_offsets[hour]

    def register(self, connection: sqlite3.Connection, wrap) -> None:
        """SQL functions for values only known per row; `wrap` keeps a raised error's message."""
        connection.create_function("ns_to_utc", 1, wrap(self.canonical_to_utc), deterministic=True)
        connection.create_function("ns_to_local", 1, wrap(self.canonical_to_local), deterministic=True)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _round_trips(moment: datetime) -> bool:
    """Whether this aware time exists: a time in a gap comes back with another wall clock."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None, fold=0) == moment.replace(tzinfo=None, fold=0)
