"""NetSuite's wall clock: SuiteQL compares and prints datetimes in the token user's time-zone preference.

A run's window is UTC; the query needs that zone's wall-clock text. Daylight saving makes the mapping
uneven, and Oracle documents neither how a literal in the repeated autumn hour is read nor one in the
skipped spring hour. So each bound is taken with the zone's offset a few hours away on the outer side
as well as its own, whichever reaches further: near a change the window then reads up to that change's
size more than it asked for, never less, under either reading of a repeated or skipped wall time
(tests/cancel_sync/netsuite/test_time_zone.py checks both). Re-reading is harmless: the sync is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from include.cancel_sync.settings import SettingsError
from include.cancel_sync.window import TIMESTAMP_FORMAT, Window

# Longer than any change of a zone's UTC offset (DST moves 30 min to 2 h): two offsets this far apart
# bracket every change near a bound.
_LOOK_AROUND = timedelta(hours=3)


def parse_zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, e.g. "Pacific"
        raise SettingsError(f"{where} must be an IANA time zone name like America/Los_Angeles, got {name!r}") from None


@dataclass(frozen=True)
class NetSuiteClock:
    """Turns UTC into the wall-clock text SuiteQL compares with, and the text it prints back into UTC."""

    zone: ZoneInfo

    @property
    def name(self) -> str:
        return self.zone.key

    def wall(self, instant: datetime) -> datetime:
        """A naive UTC instant as this zone's naive wall clock."""
        return instant.replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)

    def wall_bounds(self, window: Window) -> tuple[datetime, datetime]:
        """Wall-clock [low, high) holding every instant of the UTC window, however NetSuite reads them."""
        low = min(self.wall(window.start), self.wall(window.start + _LOOK_AROUND) - _LOOK_AROUND)
        high = max(self.wall(window.end), self.wall(window.end - _LOOK_AROUND) + _LOOK_AROUND)
        return low, high

    def to_utc(self, printed: str) -> str:
        """NetSuite's 'YYYY-MM-DD HH24:MI:SS' in this zone → ISO 8601 UTC ('…Z'). A time in the repeated
        autumn hour is taken as its first occurrence (NetSuite prints no offset to tell them apart)."""
        wall = datetime.strptime(printed, TIMESTAMP_FORMAT)
        instant = wall.replace(tzinfo=self.zone).astimezone(UTC)
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def netsuite_clock(name: str, where: str = "the NetSuite time zone") -> NetSuiteClock:
    return NetSuiteClock(parse_zone(name, where))
