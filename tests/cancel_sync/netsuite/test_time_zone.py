"""Window bounds in NetSuite's wall clock cover every instant of the UTC window, however NetSuite reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.settings import SettingsError
from include.cancel_sync.window import Window

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Changes of 2026 in Los Angeles: 2026-03-08 10:00Z (02:00 PST → 03:00 PDT), 2026-11-01 09:00Z (02:00 PDT → 01:00 PST).
SPRING = datetime(2026, 3, 8, 10, 0)
AUTUMN = datetime(2026, 11, 1, 9, 0)


def readings(clock, wall: datetime) -> list[datetime]:
    """Every instant NetSuite might take a wall-clock literal for: both sides of a repeated or skipped hour."""
    return [wall.replace(tzinfo=clock.zone, fold=fold).astimezone(UTC).replace(tzinfo=None) for fold in (0, 1)]


def assert_covers(clock, window: Window) -> None:
    low, high = clock.wall_bounds(window)
    for instant in (window.start, window.end - timedelta(seconds=1), window.start + (window.end - window.start) / 2):
        instant = instant.replace(microsecond=0)
        assert all(reading <= instant for reading in readings(clock, low)), (window, low, instant)
        assert all(instant < reading for reading in readings(clock, high)), (window, high, instant)


@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 40),
)
def test_every_instant_of_the_window_is_inside_the_bounds_under_either_reading(zone, start, minutes):
    start = start.replace(microsecond=0)
    assert_covers(netsuite_clock(zone), Window(start, start + timedelta(minutes=minutes)))


@pytest.mark.parametrize("change", [SPRING, AUTUMN], ids=["spring-gap", "autumn-repeat"])
@given(before=st.integers(min_value=-180, max_value=180), minutes=st.integers(min_value=1, max_value=240))
def test_windows_near_a_daylight_saving_change_lose_nothing(change, before, minutes):
    start = change + timedelta(minutes=before)
    assert_covers(netsuite_clock("America/Los_Angeles"), Window(start, start + timedelta(minutes=minutes)))


def test_a_window_across_the_repeated_hour_asks_for_the_whole_repeated_hour():
    clock = netsuite_clock("America/Los_Angeles")
    # 08:30Z = 01:30 PDT, 09:30Z = 01:30 PST: the same wall time at both ends.
    low, high = clock.wall_bounds(Window(datetime(2026, 11, 1, 8, 30), datetime(2026, 11, 1, 9, 30)))
    assert low <= datetime(2026, 11, 1, 0, 59, 59) and high >= datetime(2026, 11, 1, 2, 0)


def test_away_from_any_change_the_bounds_are_the_plain_wall_clock():
    clock = netsuite_clock("America/Los_Angeles")
    window = Window(datetime(2026, 1, 15, 18, 0), datetime(2026, 1, 15, 18, 15))
    assert clock.wall_bounds(window) == (datetime(2026, 1, 15, 10, 0), datetime(2026, 1, 15, 10, 15))
    summer = Window(datetime(2026, 7, 1, 18, 0), datetime(2026, 7, 1, 18, 15))
    assert clock.wall_bounds(summer) == (datetime(2026, 7, 1, 11, 0), datetime(2026, 7, 1, 11, 15))


def test_printed_times_are_read_back_as_utc():
    clock = netsuite_clock("America/Los_Angeles")
    assert clock.to_utc("2026-01-15 10:05:00") == "2026-01-15T18:05:00Z"
    assert clock.to_utc("2026-07-01 11:05:00") == "2026-07-01T18:05:00Z"
    assert clock.to_utc("2026-11-01 01:30:00") == "2026-11-01T08:30:00Z"  # the repeated hour: its first reading
    assert netsuite_clock("UTC").to_utc("2026-01-15 10:05:00") == "2026-01-15T10:05:00Z"


@given(
    zone=st.sampled_from(ZONES), instant=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31))
)
def test_wall_then_back_is_the_same_instant_outside_repeated_hours(zone, instant):
    clock = netsuite_clock(zone)
    instant = instant.replace(microsecond=0)
    wall = clock.wall(instant)
    if len(set(readings(clock, wall))) == 1:
        assert clock.to_utc(wall.strftime("%Y-%m-%d %H:%M:%S")) == instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("name", ["", "Pacific", "PST", "America/Nowhere", "../etc/passwd"])
def test_a_name_that_is_no_zone_is_refused_with_what_to_set(name):
    with pytest.raises(SettingsError, match="IANA time zone name like America/Los_Angeles"):
        netsuite_clock(name, "connection netsuite_default extra timezone")
