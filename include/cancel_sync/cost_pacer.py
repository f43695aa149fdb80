"""Wait before a Shopify request when the cost bucket will not cover it.

Shopify reports its leaky bucket on every reply (`extensions.cost.throttleStatus`).
The pacer projects it forward at the restore rate and reserves each request's
cost, so concurrent workers queue up instead of bouncing off THROTTLED.

A reply tells the bucket as it was when Shopify ran that request: requests sent
since (or still unanswered) are not in it yet. So the pacer keeps every
reservation until its reply is seen, subtracts the unanswered ones from each
report, and ignores a report older than one already taken. Underestimating
the bucket costs nothing while it is below full (the points wait in Shopify's
bucket), overestimating costs a THROTTLED round trip: the pacer errs low.
Until the first reply the bucket is unknown, so one request probes it alone.

The bucket belongs to the app and the store, not to this process: other task
processes (mapped cancel tasks side by side in the pool) drain it too. Between
two reports the pacer knows what it spent itself, so whatever else went is
someone else's; that rate, averaged over a second or more, is taken off the
restore rate this process counts on. N such processes settle near R/N each.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

PROBE_TIMEOUT = 30.0  # seconds other requests wait for the first reply before going blind
FOREIGN_WINDOW = 1.0  # seconds of reports averaged into one estimate of others' spending
MIN_OWN_SHARE = 0.05  # of the restore rate, whatever others seem to spend
_NEAR_FULL = 0.9  # reports above this share of the bucket say nothing about spending (restore was capped)


class CostPacer:
    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Condition()
        self._available: float | None = None  # unknown until the first reply
        self._maximum = 0.0
        self._restore_rate = 0.0
        self._as_of = 0.0
        self._tickets = itertools.count(1)
        self._unanswered: dict[int, float] = {}  # ticket → points reserved, until its reply is seen
        self._booked: dict[int, float] = {}  # ticket → points, since the newest report (for others' spending)
        self._newest_report = 0  # ticket of the newest reply taken
        self._last_report: tuple[float, float] | None = None  # (points reported, when)
        self._window = [0.0, 0.0]  # others' points and seconds, accumulating toward FOREIGN_WINDOW
        self.foreign_rate = 0.0  # points/s others are estimated to spend from the same bucket
        self.waited_seconds = 0.0

    @property
    def _own_rate(self) -> float:
        return max(self._restore_rate * MIN_OWN_SHARE, self._restore_rate - self.foreign_rate)

    def _projected(self, now: float) -> float:
        assert self._available is not None
        return min(self._maximum, self._available + (now - self._as_of) * self._own_rate)

    def reserve(self, cost: float) -> int:
        """Block until `cost` points are projected to be available, and book them; returns a ticket."""
        with self._lock:
            if self._available is None and self._unanswered:
                # Someone is already probing the unknown bucket: wait for its reply rather than guess.
                self._lock.wait_for(lambda: self._available is not None or not self._unanswered, PROBE_TIMEOUT)
            ticket = next(self._tickets)
            self._unanswered[ticket] = cost
            self._booked[ticket] = cost
            if self._available is None or self._restore_rate <= 0:
                return ticket
            now = self._clock()
            available = self._projected(now)
            wait = max(0.0, (cost - available) / self._own_rate)
            self._available = available - cost
            self._as_of = now
            self.waited_seconds += wait
        if wait:
            self._sleep(wait)
        return ticket

    def observe(
        self, throttle_status: dict | None, ticket: int | None = None, refunded: float = 0.0, spent: bool = True
    ) -> None:
        """Take the server's word for the bucket as of the request `ticket` (plus any cost refunded after it).
        `spent=False`: the request did not run (THROTTLED), so it took nothing from the bucket."""
        with self._lock:
            if ticket is not None:
                self._unanswered.pop(ticket, None)
                if not spent:
                    self._booked.pop(ticket, None)
            if throttle_status and (ticket is None or ticket > self._newest_report):
                now = self._clock()
                self._maximum = float(throttle_status.get("maximumAvailable") or 0.0)
                self._restore_rate = float(throttle_status.get("restoreRate") or 0.0)
                reported = float(throttle_status.get("currentlyAvailable") or 0.0) + refunded
                if ticket is not None:
                    self._learn_foreign_spending(ticket, reported, now)
                    self._newest_report = ticket
                # Reservations not yet answered may not have reached Shopify when it reported: count them spent.
                self._available = reported - (sum(self._unanswered.values()) if ticket is not None else 0.0)
                self._as_of = now
            self._lock.notify_all()

    def _learn_foreign_spending(self, ticket: int, reported: float, now: float) -> None:
        """Between the previous report and this one the bucket gained R·Δt and lost our requests sent in
        between (tickets up to this one); anything else it lost, someone else spent."""
        own = sum(cost for booked, cost in self._booked.items() if booked <= ticket)
        self._booked = {booked: cost for booked, cost in self._booked.items() if booked > ticket}
        previous, self._last_report = self._last_report, (reported, now)
        if reported > _NEAR_FULL * self._maximum:
            # Nearly full: nobody is short of points, and restore beyond full is lost. Count on all of it.
            self.foreign_rate = 0.0
            self._window = [0.0, 0.0]
            return
        if previous is None or previous[0] > _NEAR_FULL * self._maximum:
            return
        elapsed = now - previous[1]
        others = self._restore_rate * elapsed - own - (reported - previous[0])
        self._window[0] += others
        self._window[1] += elapsed
        if self._window[1] >= FOREIGN_WINDOW:
            sample = max(0.0, self._window[0] / self._window[1])
            self.foreign_rate = min(0.5 * self.foreign_rate + 0.5 * sample, self._restore_rate)
            self._window = [0.0, 0.0]

    def settle(self, ticket: int) -> None:
        """The request `ticket` ended without a readable reply: stop counting it as pending."""
        with self._lock:
            if self._unanswered.pop(ticket, None) is not None:
                self._lock.notify_all()

    def throttle_wait(self, requested: float, throttle_status: dict | None) -> float:
        """Seconds to wait after THROTTLED: (requested - currentlyAvailable) / restoreRate."""
        if not throttle_status or not throttle_status.get("restoreRate"):
            return 1.0
        deficit = requested - float(throttle_status.get("currentlyAvailable") or 0.0)
        return max(0.1, deficit / float(throttle_status["restoreRate"]))
