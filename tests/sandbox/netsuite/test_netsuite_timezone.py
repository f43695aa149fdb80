"""The token user's time zone: SuiteQL reads literals, compares and prints `lastmodifieddate` on its wall clock.

Orders are stored at UTC instants; every expectation below is worked out by hand from the zone's offsets
(America/Los_Angeles: PST = UTC-8, PDT = UTC-7; 2026 DST starts 2026-03-08 02:00 and ends 2026-11-01 02:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandbox.netsuite import oracle_dates
from sandbox.netsuite.session_zone import SessionTimeZone

LA = "America/Los_Angeles"
SELECT = "SELECT t.id FROM transaction t WHERE {} ORDER BY t.id"


def ids(page: dict) -> list[int]:
    return [int(item["id"]) for item in page["items"]]


def window(start: str, end: str) -> str:
    return (
        f"t.lastmodifieddate >= TO_TIMESTAMP('{start}', 'YYYY-MM-DD HH24:MI:SS') "
        f"AND t.lastmodifieddate < TO_TIMESTAMP('{end}', 'YYYY-MM-DD HH24:MI:SS')"
    )


@pytest.fixture
def january(start_netsuite, make_order):
    """Two orders eight hours apart: 00:05 and 08:05 Pacific (08:05 and 16:05 UTC)."""

    def start(**options):
        orders = [make_order(1, "C", datetime(2026, 1, 15, 8, 5)), make_order(2, "C", datetime(2026, 1, 15, 16, 5))]
        return start_netsuite(orders, **options)[1]

    return start


def test_a_pacific_user_gets_the_wrong_orders_for_a_utc_window_and_the_right_ones_for_a_pacific_one(january):
    client = january(timezone=LA)
    # 08:00-08:15 written in UTC is read as 08:00-08:15 Pacific, i.e. 16:00-16:15 UTC: the other order.
    assert ids(client.ok(SELECT.format(window("2026-01-15 08:00:00", "2026-01-15 08:15:00")))) == [2]
    assert ids(client.ok(SELECT.format(window("2026-01-15 00:00:00", "2026-01-15 00:15:00")))) == [1]


def test_a_utc_user_reads_the_same_literals_as_utc(january):
    client = january()  # the default zone
    assert ids(client.ok(SELECT.format(window("2026-01-15 08:00:00", "2026-01-15 08:15:00")))) == [1]


def test_to_char_and_plain_dates_show_the_pacific_wall_clock(start_netsuite, make_order):
    late_evening = datetime(2026, 1, 15, 3, 30)  # 19:30 Pacific the day before
    _app, client = start_netsuite([make_order(1, "C", late_evening)], timezone=LA)
    item = client.ok(
        "SELECT TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS exact, t.lastmodifieddate, "
        "TO_CHAR(t.lastmodifieddate) AS plain, TO_CHAR(t.lastmodifieddate, 'HH12:MI AM') AS clock, "
        "MAX(t.lastmodifieddate) AS latest FROM transaction t GROUP BY t.lastmodifieddate"
    )["items"][0]
    assert item == {
        "links": [],
        "exact": "2026-01-14 19:30:00",
        "lastmodifieddate": "1/14/2026",
        "plain": "1/14/2026",
        "clock": "07:30 PM",
        "latest": "1/14/2026",
    }


def test_text_and_dates_beside_an_instant_are_pacific_wall_clock(start_netsuite, make_order):
    orders = [make_order(1, "C", datetime(2026, 1, 15, 7, 59)), make_order(2, "C", datetime(2026, 1, 15, 8, 0))]
    _app, client = start_netsuite(orders, timezone=LA)  # trandate 2026-01-15 for both
    assert ids(client.ok(SELECT.format("t.lastmodifieddate >= '1/15/2026'"))) == [2]  # user format, local midnight
    assert ids(client.ok(SELECT.format("t.lastmodifieddate >= t.trandate"))) == [2]  # a date is wall clock too
    assert ids(client.ok(SELECT.format("t.trandate = TO_DATE('2026-01-15', 'YYYY-MM-DD')"))) == [1, 2]  # no shift
    local = "TO_TIMESTAMP(TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS'), 'YYYY-MM-DD HH24:MI:SS')"
    assert ids(client.ok(SELECT.format(f"t.lastmodifieddate = {local}"))) == [1, 2]  # per-row round trip
    assert ids(client.ok(SELECT.format("NVL(t.lastmodifieddate, '1/1/2026') >= '1/15/2026'"))) == [2]


@pytest.fixture
def autumn(start_netsuite, make_order):
    """Around the end of DST: 01:00-02:00 Pacific happens twice on 2026-11-01."""
    instants = {
        1: datetime(2026, 11, 1, 7, 50),  # 00:50 PDT
        2: datetime(2026, 11, 1, 8, 10),  # 01:10 PDT (first pass)
        3: datetime(2026, 11, 1, 9, 10),  # 01:10 PST (second pass)
        4: datetime(2026, 11, 1, 10, 10),  # 02:10 PST
    }

    def start(**options):
        return start_netsuite([make_order(n, "C", at) for n, at in instants.items()], timezone=LA, **options)[1]

    return start


def test_both_passes_of_the_repeated_hour_print_the_same_wall_clock(autumn):
    page = autumn().ok("SELECT t.id, TO_CHAR(t.lastmodifieddate, 'HH24:MI') AS clock FROM transaction t ORDER BY 1")
    assert [item["clock"] for item in page["items"]] == ["00:50", "01:10", "01:10", "02:10"]


@pytest.mark.parametrize(
    ("overlap", "repeated_hour", "until_half_past_one"),
    [
        ("later", [3], [1, 2, 3]),  # Oracle: an ambiguous time is Standard Time, the second pass
        ("earlier", [2, 3], [1, 2]),  # Java's atZone: the earlier offset, the first pass
    ],
)
def test_a_window_across_the_repeated_hour_follows_the_chosen_reading(
    autumn, overlap, repeated_hour, until_half_past_one
):
    client = autumn(dst_overlap=overlap)
    assert ids(client.ok(SELECT.format(window("2026-11-01 01:00:00", "2026-11-01 02:00:00")))) == repeated_hour
    assert ids(client.ok(SELECT.format(window("2026-11-01 00:00:00", "2026-11-01 01:30:00")))) == until_half_past_one
    whole_night = window("2026-11-01 00:00:00", "2026-11-01 03:00:00")
    assert ids(client.ok(SELECT.format(whole_night))) == [1, 2, 3, 4]  # unambiguous bounds lose nothing


@pytest.fixture
def spring(start_netsuite, make_order):
    """Around the start of DST: 02:00-03:00 Pacific does not happen on 2026-03-08."""
    instants = {
        1: datetime(2026, 3, 8, 9, 59),  # 01:59 PST
        2: datetime(2026, 3, 8, 10, 0),  # 03:00 PDT, the first moment after the jump
        3: datetime(2026, 3, 8, 10, 30),  # 03:30 PDT
    }

    def start(**options):
        return start_netsuite([make_order(n, "C", at) for n, at in instants.items()], timezone=LA, **options)[1]

    return start


def test_a_time_in_the_spring_gap_is_read_one_hour_later_on_the_clock(spring):
    client = spring()
    page = client.ok("SELECT t.id, TO_CHAR(t.lastmodifieddate, 'HH24:MI') AS clock FROM transaction t ORDER BY 1")
    assert [item["clock"] for item in page["items"]] == ["01:59", "03:00", "03:30"]
    # 02:30 never happens; it is read as 02:30 PST = 03:30 PDT.
    at_half_past_two = "t.lastmodifieddate = TO_TIMESTAMP('2026-03-08 02:30', 'YYYY-MM-DD HH24:MI')"
    assert ids(client.ok(SELECT.format(at_half_past_two))) == [3]
    assert ids(client.ok(SELECT.format(window("2026-03-08 02:00:00", "2026-03-08 03:00:00")))) == []  # empty hour
    assert ids(client.ok(SELECT.format(window("2026-03-08 01:00:00", "2026-03-08 02:30:00")))) == [1, 2]
    assert ids(client.ok(SELECT.format(window("2026-03-08 01:00:00", "2026-03-08 04:00:00")))) == [1, 2, 3]


def test_a_time_in_the_spring_gap_can_be_refused_as_oracle_does(spring, invalid_query):
    client = spring(dst_gap="error")
    invalid_query(client.post(SELECT.format(window("2026-03-08 02:30:00", "2026-03-08 04:00:00"))), "ORA-01878")
    assert ids(client.ok(SELECT.format(window("2026-03-08 01:00:00", "2026-03-08 04:00:00")))) == [1, 2, 3]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("SELECT SYS_EXTRACT_UTC(t.lastmodifieddate) FROM transaction t", "SYS_EXTRACT_UTC is not supported"),
        ("SELECT t.id FROM transaction t WHERE t.lastmodifieddate > TO_TIMESTAMP_TZ('x')", "TO_TIMESTAMP_TZ is not"),
        ("SELECT TO_CHAR(t.lastmodifieddate, 'HH24:MI TZH:TZM') FROM transaction t", "does not support 'HH24:MI TZH"),
    ],
)
def test_zone_functions_and_format_elements_are_refused_not_guessed(january, invalid_query, query, fragment):
    invalid_query(january(timezone=LA).post(query), fragment)


def test_an_unknown_zone_or_reading_is_refused():
    with pytest.raises(ValueError, match="IANA"):
        SessionTimeZone("Pacific Time")
    with pytest.raises(ValueError, match="overlap"):
        SessionTimeZone(LA, overlap="standard")
    with pytest.raises(ValueError, match="gap"):
        SessionTimeZone(LA, gap="skip")


@pytest.mark.parametrize(
    ("zone", "wall", "overlap", "instant"),
    [
        ("UTC", datetime(2026, 1, 15, 0, 5), "later", datetime(2026, 1, 15, 0, 5)),
        (LA, datetime(2026, 7, 1, 12, 0), "later", datetime(2026, 7, 1, 19, 0)),
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), "later", datetime(2026, 10, 25, 1, 30)),  # CET
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), "earlier", datetime(2026, 10, 25, 0, 30)),  # CEST
        ("Australia/Sydney", datetime(2026, 4, 5, 2, 30), "later", datetime(2026, 4, 4, 16, 30)),  # AEST
    ],
)
def test_wall_clock_to_instant_and_back(zone, wall, overlap, instant):
    session = SessionTimeZone(zone, overlap=overlap)
    assert session.to_utc(wall) == instant
    assert session.to_local(instant) == wall


@pytest.mark.parametrize("zone", [LA, "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"])
def test_the_per_row_conversion_agrees_with_the_exact_one_all_year(zone):
    """Rows are shown with an offset worked out once per UTC hour; zones with half-hour shifts included."""
    session = SessionTimeZone(zone)
    moments = [datetime(2026, 1, 1) + timedelta(minutes=23 * step) for step in range(365 * 24 * 60 // 23)]
    shown = [session.canonical_to_local(oracle_dates.canonical(moment)) for moment in moments]
    assert shown == [oracle_dates.canonical(session.to_local(moment)) for moment in moments]
