"""The window of cancels in flight: Little's law over Shopify's bucket, halved when Shopify says it wants less,
and never more requests out at once than it admits."""

from __future__ import annotations

import threading

from include.cancel_sync.cancel import staff_note
from include.cancel_sync.shopify.cancel_requests import MUTATION_COST, send_cancels
from include.cancel_sync.shopify.cost_pacer import HEADROOM, CostPacer
from include.cancel_sync.shopify.in_flight import MIN_IN_FLIGHT, UNSIZED, InFlightWindow
from include.cancel_sync.shopify.order_states import read_order_states
from sandbox.runner import SandboxOptions
from tests.cancel_sync.shopify.test_cancel_requests import SETTINGS, calls_by_order, only, outcomes_for, shopify_client
from tests.clocks import FakeClock
from tests.timing import HTTP_TIMEOUT

PLUS = {"maximumAvailable": 20000.0, "restoreRate": 1000.0}
STANDARD = {"maximumAvailable": 2000.0, "restoreRate": 100.0}


def window(clock, bucket=None, available=0.0, round_trip=0.3, overloads=None, cap=250, pacer=None):
    """A window over a real pacer that has seen one report of `bucket` with `available` points."""
    pacer = pacer or CostPacer(clock, clock.sleep)
    if bucket is not None:
        pacer.observe(bucket | {"currentlyAvailable": available})
    counter = overloads if overloads is not None else [0]
    return InFlightWindow(pacer, lambda: round_trip, lambda: counter[0], MUTATION_COST, cap, clock)


def test_until_the_bucket_and_a_round_trip_are_known_the_window_is_the_former_fixed_one():
    clock = FakeClock()
    assert window(clock).sized() == UNSIZED
    assert window(clock, PLUS, 20000.0, round_trip=None).sized() == UNSIZED
    assert window(clock, cap=4).sized() == 4


def test_an_empty_bucket_keeps_twice_the_restore_rate_in_flight_over_a_round_trip():
    clock = FakeClock()
    # Plus, nothing above the floor, 300 ms a cancel: 2 × 1000 points/s × 0.3 s ÷ 10 points = 60
    assert window(clock, PLUS, HEADROOM, round_trip=0.3).sized() == 60
    assert window(clock, PLUS, HEADROOM, round_trip=0.05).sized() == 10
    # Standard at 50 ms would be one request: never fewer than MIN_IN_FLIGHT
    assert window(clock, STANDARD, HEADROOM, round_trip=0.05).sized() == MIN_IN_FLIGHT


def test_what_the_bucket_holds_above_the_floor_goes_out_at_once_up_to_the_cap():
    clock = FakeClock()
    # 1,000 points above the floor: 100 cancels now, and 60 to keep up with the restore
    assert window(clock, PLUS, HEADROOM + 1000.0, round_trip=0.3).sized() == 160
    assert window(clock, PLUS, 20000.0, round_trip=0.3).sized() == 250  # a full Plus bucket: the cap
    assert window(clock, PLUS, 20000.0, round_trip=0.3, cap=40).sized() == 40


def test_overloads_halve_the_window_once_a_round_trip_and_replies_give_it_back():
    clock = FakeClock()
    overloads, pacer = [0], CostPacer(clock, clock.sleep)
    w = window(clock, PLUS, HEADROOM, round_trip=0.3, overloads=overloads, pacer=pacer)
    assert w.limit() == 60
    overloads[0] += 3  # a burst of THROTTLED replies: one signal
    assert w.limit() == 30
    overloads[0] += 1
    assert w.limit() == 30  # within the same round trip
    clock.advance(0.3)
    pacer.observe(PLUS | {"currentlyAvailable": HEADROOM})  # the bucket as it was: what moves is the backing off
    overloads[0] += 1
    assert w.limit() == 15
    for _ in range(15):
        w.acquire()
    for _ in range(15):  # each reply without a new overload gives back a sixtieth of the window
        w.release()
    assert w.limit() == 30
    for _ in range(100):
        w.acquire()
        w.release()
    assert w.limit() == 60  # and never more than the bucket allows


def test_the_window_never_goes_below_one_request():
    clock = FakeClock()
    overloads, pacer = [0], CostPacer(clock, clock.sleep)
    w = window(clock, STANDARD, HEADROOM, round_trip=0.05, overloads=overloads, cap=3, pacer=pacer)
    for _ in range(10):
        overloads[0] += 1
        clock.advance(1.0)
        pacer.observe(STANDARD | {"currentlyAvailable": HEADROOM})
        assert w.limit() >= 1
    assert w.limit() == 1


def test_no_more_cancels_leave_than_the_window_admits(make_sandboxes):
    # Every orderCancel is held at Shopify: with a window of 5, exactly 5 intents are written and 5 requests
    # arrive; the rest wait in the window (not in the pacer, not on the wire) until replies come back.
    options = SandboxOptions(shopify_preset="plus")
    sandboxes = make_sandboxes(count=12, seed=3, scenarios=only(cancel_paid=1), options=options)
    outcomes = outcomes_for(sandboxes)
    client = shopify_client(sandboxes)
    read_order_states(client, [o["gid"] for o in outcomes])  # the bucket and a round trip are known: sized
    sandboxes.shopify.hold.arm(after=0, body_contains="orderCancel")
    intents: list[dict] = []

    def claim(outcome: dict) -> bool:  # the ledger's claim: True lets the request leave
        intents.append(outcome)
        return True

    sender = threading.Thread(
        target=send_cancels, args=(client, SETTINGS, outcomes, staff_note, 5), kwargs={"before_send": claim}
    )
    sender.start()

    assert len(sandboxes.shopify.hold.wait_held(5, HTTP_TIMEOUT)) == 5
    assert len(intents) == 5  # the sixth waits for a reply: its intent is not written yet
    sandboxes.shopify.hold.release()
    sender.join(HTTP_TIMEOUT)

    assert not sender.is_alive()
    assert client.stats["peak_in_flight"] == 5
    assert len(intents) == len(outcomes) == 12
    assert all(len(calls) == 1 for calls in calls_by_order(sandboxes).values())
    assert {o["outcome"] for o in outcomes} == {"accepted"}
