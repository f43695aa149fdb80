from datetime import UTC, datetime

import pytest

from include.cancel_sync.settings import SettingsError
from include.cancel_sync.window import Window, resolve_window

NOW = datetime(2026, 3, 1, 12, 0, 0)


def test_scheduled_run_uses_data_interval_widened_by_overlap():
    window = resolve_window(
        {}, datetime(2026, 3, 1, 10, 0, tzinfo=UTC), datetime(2026, 3, 1, 10, 15, tzinfo=UTC), 15, 24, NOW
    )
    assert window == Window(datetime(2026, 3, 1, 9, 45), datetime(2026, 3, 1, 10, 15))


def test_params_override_and_are_taken_literally():
    window = resolve_window(
        {"window_start": "2026-02-01T00:00:00+01:00", "window_end": "2026-02-02T00:00:00Z"},
        datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 10, 15, tzinfo=UTC),
        15,
        24,
        NOW,
    )
    assert window == Window(datetime(2026, 1, 31, 23, 0), datetime(2026, 2, 2, 0, 0))


def test_manual_run_without_logical_date_looks_back_from_now():
    window = resolve_window({}, None, None, 15, 6, NOW)
    assert window == Window(datetime(2026, 3, 1, 6, 0), NOW)


def test_end_is_rounded_up_to_whole_seconds():
    window = resolve_window({}, None, None, 0, 1, datetime(2026, 3, 1, 12, 0, 0, 250000))
    assert window.end == datetime(2026, 3, 1, 12, 0, 1)


@pytest.mark.parametrize(
    "params",
    [
        {"window_start": "yesterday", "window_end": "2026-02-02T00:00:00"},
        {"window_start": "2026-02-02T00:00:00"},
        {"window_start": "2026-02-03T00:00:00", "window_end": "2026-02-02T00:00:00"},
    ],
)
def test_bad_windows_fail_clearly(params):
    with pytest.raises(SettingsError, match="window"):
        resolve_window(params, None, None, 15, 24, NOW)


def test_split_halves_cover_the_window():
    window = Window(datetime(2026, 1, 1), datetime(2026, 1, 2))
    first, second = window.split()
    assert first.start == window.start and second.end == window.end and first.end == second.start
    assert Window.from_dict(window.to_dict()) == window
