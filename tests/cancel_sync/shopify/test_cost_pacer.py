import threading

import pytest

from devtools.local_airflow import wait_until
from include.cancel_sync.shopify.cost_pacer import ALONE_SECONDS, HEADROOM, SHARE_SECONDS, CostPacer
from tests.clocks import FakeClock
from tests.timing import scaled


def status(available, maximum=1000.0, rate=100.0):
    return {"currentlyAvailable": available, "maximumAvailable": maximum, "restoreRate": rate}


def alone_pacer(clock):
    """A pacer that has seen ALONE_SECONDS of reports in which nobody else spent: the bucket is its own."""
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(700.0))
    while pacer.shared:  # ends right after an estimate of others' spending, with a fresh window
        ticket = pacer.reserve(10)
        clock.now += 0.1
        pacer.observe(status(700.0), ticket)  # we spent exactly what came back
    clock.slept.clear()
    return pacer


def learn_others(pacer, clock, start=1400.0, seconds=6.0, others_per_step=5.0):
    """We spend 10 points per 0.1 s (what comes back at 100/s); the bucket drops by `others_per_step` more."""
    pacer.observe(status(start, maximum=2000.0))
    level = start
    for _ in range(round(seconds / 0.1)):
        ticket = pacer.reserve(10)
        clock.now += 0.1
        level -= others_per_step
        pacer.observe(status(level, maximum=2000.0), ticket)
    return level


def reserving_in_background(pacer, cost=10):
    """Start `pacer.reserve(cost)` in a thread; returns (event set when it returned, errors it raised, thread)."""
    went, errors = threading.Event(), []

    def request():
        try:
            pacer.reserve(cost)
        except Exception as exc:  # handed to the test
            errors.append(exc)
        went.set()

    worker = threading.Thread(target=request)
    worker.start()
    return went, errors, worker


def blocked(pacer, count: int = 1) -> None:
    """Until `count` requests wait inside the pacer: a check that one has not gone means something only then."""
    wait_until(lambda: pacer.waiting == count, scaled(10), f"{count} request(s) waiting in the pacer")


def test_no_wait_before_the_first_reply():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.reserve(500)
    assert clock.slept == []


def test_waits_exactly_the_deficit_over_the_restore_rate():
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(30.0))
    pacer.reserve(50)  # 20 points short at 100/s
    assert clock.slept == [0.2]


def test_reservations_queue_concurrent_requests():
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(100.0))
    pacer.reserve(100)  # uses what is there
    pacer.reserve(100)  # must wait a full second for the restore
    assert clock.slept == [1.0]


def test_projection_is_capped_at_the_bucket_size():
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(0.0, maximum=200.0))
    clock.now += 60  # would restore 6000 points uncapped
    pacer.reserve(200)
    pacer.reserve(100)
    assert clock.slept == [1.0]


def test_throttle_wait_follows_shopifys_formula():
    pacer = CostPacer()
    assert pacer.throttle_wait(250, status(50.0, rate=100.0)) == 2.0


def test_a_report_counts_requests_still_unanswered_as_spent():
    # Shopify's report for the first request cannot include the second, still in flight.
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(100.0))
    first = pacer.reserve(50)
    pacer.reserve(50)
    pacer.observe(status(50.0), first)  # 50 left after the first; the second will take the rest
    pacer.reserve(50)
    assert clock.slept == [0.5]


def test_an_older_report_arriving_late_is_ignored():
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(200.0))
    first, second = pacer.reserve(100), pacer.reserve(100)
    pacer.observe(status(0.0), second)  # the first was still unanswered: counted spent too (-100)
    pacer.observe(status(100.0), first)  # older news: the bucket was drained since
    pacer.reserve(100)
    assert clock.slept == [2.0]


def test_a_request_without_reply_stops_counting_once_settled():
    clock = FakeClock()
    pacer = alone_pacer(clock)
    pacer.observe(status(100.0))
    lost = pacer.reserve(100)
    pacer.settle(lost)
    other = pacer.reserve(10)  # 1 s of restore: the lost request was booked against the projection
    pacer.observe(status(100.0), other)
    pacer.reserve(100)
    assert clock.slept == [0.1]


def test_until_the_first_reply_one_request_probes_alone():
    pacer = CostPacer()
    pacer.reserve(10)  # the probe, in flight
    second_went, _, worker = reserving_in_background(pacer)
    blocked(pacer)
    assert not second_went.wait(0.2), "a second request went out before the bucket was known"
    pacer.observe(status(500.0), 1)
    assert second_went.wait(scaled(2))
    worker.join()


def test_alone_it_counts_on_the_whole_restore_rate():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    learn_others(pacer, clock, seconds=ALONE_SECONDS / 2, others_per_step=0.0)  # we spend what restores
    assert pacer.foreign_rate < 1e-6
    assert pacer.shared, "a few quiet seconds prove nothing: the others may be starting or waiting"
    learn_others(pacer, clock, seconds=ALONE_SECONDS, others_per_step=0.0)
    assert not pacer.shared
    pacer.observe(status(10.0, maximum=2000.0), pacer.reserve(0))
    pacer.reserve(10)  # alone, the bucket is spent down to zero: no headroom kept
    assert clock.slept == []


def test_points_others_spend_from_the_same_bucket_are_left_to_them():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    learn_others(pacer, clock)  # others take 5 points per 0.1 s: 50 points/s
    assert 40.0 <= pacer.foreign_rate <= 50.0
    assert pacer.shared
    clock.slept.clear()
    pacer.observe(status(pacer.floor, maximum=2000.0), pacer.reserve(0))
    pacer.reserve(10)  # 10 points above the floor come back at our ~50 points/s, not at 100
    assert 0.18 <= clock.slept[0] <= 0.25


def test_below_the_floor_everyone_waits_so_it_fills_at_the_whole_restore_rate():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    learn_others(pacer, clock)
    clock.slept.clear()
    pacer.observe(status(100.0, maximum=2000.0), pacer.reserve(0))
    pacer.reserve(10)
    # 400 points up to the floor at 100/s (the others wait below it too), 10 more at our ~55/s:
    # not 410 points at our share (7.5 s).
    assert 4.1 <= sum(clock.slept) <= 4.3, clock.slept


def test_a_throttled_request_is_not_counted_as_our_spending():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    level = 1400.0
    pacer.observe(status(level, maximum=2000.0))
    for _ in range(60):  # every other request of ours is refused; others take 5 points per 0.1 s
        refused = pacer.reserve(10)
        pacer.observe(status(level, maximum=2000.0), refused, spent=False)
        ticket = pacer.reserve(10)
        clock.now += 0.1
        level -= 5.0
        pacer.observe(status(level, maximum=2000.0), ticket)
    # Counted as spent, the refused requests would hide the others' ~50 points/s entirely.
    assert 40.0 <= pacer.foreign_rate <= 65.0


def test_a_bucket_filling_up_means_others_have_stopped():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    learn_others(pacer, clock)
    assert pacer.foreign_rate > 40.0
    pacer.observe(status(1900.0, maximum=2000.0), pacer.reserve(0))
    assert pacer.foreign_rate == 0.0


def test_until_it_knows_small_requests_leave_the_headroom_to_large_ones():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)  # no estimate of others yet: they may be there
    pacer.observe(status(HEADROOM + 20.0, maximum=2000.0))
    pacer.reserve(10)  # leaves the headroom
    pacer.reserve(HEADROOM - 20.0)  # a large read: takes it at once, no saving up
    assert clock.slept == []
    pacer.reserve(10)  # 30 points left: back up to the headroom at the whole restore rate, then 10 points
    assert sum(clock.slept) == pytest.approx((HEADROOM + 10.0 - 30.0) / 100.0)


def test_shared_it_spends_what_is_above_the_floor_over_a_second():
    # Every process sees the same level, so each gets the same rate: (level - floor) / SHARE_SECONDS.
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(HEADROOM + 100.0, maximum=2000.0))
    gaps = []
    for _ in range(5):
        began = clock.now
        ticket = pacer.reserve(10)
        gaps.append(clock.now - began)
        pacer.observe(status(HEADROOM + 100.0, maximum=2000.0), ticket)  # the level holds: others spend the rest
    assert gaps[0] == 0.0
    assert all(abs(gap - 10.0 / 100.0 * SHARE_SECONDS) < 1e-6 for gap in gaps[1:]), gaps


def test_the_bucket_is_ours_only_once_others_were_quiet_for_a_while():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    level = learn_others(pacer, clock)
    quiet_from = clock.now
    alone_at = None
    while alone_at is None and clock.now - quiet_from < 30:  # nobody else spends any more
        ticket = pacer.reserve(10)
        clock.now += 0.1
        pacer.observe(status(level, maximum=2000.0), ticket)
        if not pacer.shared:
            alone_at = clock.now - quiet_from
    # The estimate of others falls under a tenth of R within a few seconds; ALONE_SECONDS after they were
    # last seen, the bucket is ours (a process waiting below the floor looks just as quiet).
    assert alone_at is not None and ALONE_SECONDS <= alone_at <= ALONE_SECONDS + 4.0, alone_at
    assert pacer.floor == 0.0


def test_a_waiting_request_goes_as_soon_as_a_reply_shows_the_points():
    pacer = CostPacer()  # real time: waits on its condition
    pacer.observe(status(0.0, maximum=2000.0, rate=1.0))  # 1 point/s: the projection says minutes
    went, _, worker = reserving_in_background(pacer)
    blocked(pacer)
    assert not went.wait(0.2)
    pacer.observe(status(1500.0, maximum=2000.0, rate=1.0))  # another request's reply: plenty there
    assert went.wait(scaled(2)), "the waiting request slept through the news"
    worker.join()


def test_a_large_request_waits_for_the_whole_headroom_then_may_take_it_all():
    # Two large reads back to back must not meet others' small requests at the bottom of the headroom.
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(HEADROOM - 10.0, maximum=2000.0))
    pacer.reserve(200)  # the bucket holds its 200, but not the full headroom: 10 points at 100/s first
    pacer.reserve(HEADROOM - 200.0)  # 300 left: the headroom again, 200 points at 100/s
    assert clock.slept == [pytest.approx(0.1), pytest.approx(2.0)]


@pytest.mark.parametrize("reply", [status(0.0, rate=0.0), {"currentlyAvailable": 0.0, "restoreRate": 100.0}])
def test_a_reply_with_nothing_to_pace_by_lets_a_waiting_request_go(reply):
    # A restore rate of 0 or no maximum: no projection can say when points come back, so nobody waits on
    # one (it divided by the rate, or waited for a level above a maximum of 0, forever); Shopify decides.
    pacer = CostPacer()
    pacer.observe(status(0.0, maximum=2000.0, rate=1.0))
    went, failed, worker = reserving_in_background(pacer)
    blocked(pacer)
    assert not went.wait(0.2)
    pacer.observe(reply)
    assert went.wait(scaled(2)), "the waiting request is stuck"
    worker.join()
    assert failed == []
    pacer.reserve(10)  # and the next one goes at once


def test_spendable_is_unknown_until_a_reply_then_what_lies_above_the_floor():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    assert pacer.spendable() is None
    pacer.observe(status(700.0, maximum=2000.0))
    assert pacer.spendable() == (700.0 - HEADROOM, 100.0)  # shared until known alone: the floor is kept
    clock.advance(1.0)
    assert pacer.spendable() == (700.0 + 100.0 - HEADROOM, 100.0)  # projected forward at the restore rate
    alone = alone_pacer(clock)
    alone.observe(status(300.0))
    assert alone.spendable() == (300.0, 100.0)
