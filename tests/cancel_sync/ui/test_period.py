"""The Recent runs page's period: what a person types, read in UTC, or refused with what to type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from include.cancel_sync.ui.period import PeriodError, parse_period

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def test_nothing_typed_is_the_last_24_hours():
    period = parse_period("", "  ", NOW)
    assert (period.since, period.until, period.label) == (NOW - timedelta(hours=24), None, "the last 24 hours")


def test_a_date_alone_is_its_whole_day_and_a_time_is_exact():
    period = parse_period("2026-03-01", "2026-03-02", NOW)
    assert period.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert period.until == datetime(2026, 3, 3, tzinfo=UTC)  # through the end of the 2nd
    assert period.label == "2026-03-01 00:00 to 2026-03-03 00:00 (UTC)"
    exact = parse_period("2026-03-01T06:15", "2026-03-01 08:00:30", NOW)
    assert (exact.since, exact.until) == (
        datetime(2026, 3, 1, 6, 15, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 0, 30, tzinfo=UTC),
    )
    assert parse_period("2026-03-01", "", NOW).label == "since 2026-03-01 00:00 (UTC)"
    assert parse_period("", "2026-03-01", NOW).label == "before 2026-03-02 00:00 (UTC)"


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("yesterday", "", "“from” must be a date like"),
        ("", "2026-02-30", "“to” must be a date like"),
        ("2026-03-01T25:00", "", "“from” must be a date like"),
        ("2026-03-02", "2026-03-01", "“from” must come before “to”"),
        ("2026-03-01T10:00", "2026-03-01T10:00", "“from” must come before “to”"),
        ("2" * 60, "", "“from” must be a date like"),
    ],
)
def test_what_cannot_be_read_is_refused_with_what_to_type(start, end, said):
    with pytest.raises(PeriodError, match=said):
        parse_period(start, end, NOW)
