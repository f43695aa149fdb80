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
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

PROBE_TIMEOUT = 30.0  # seconds other requests wait for the first reply before going blind


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
        self._newest_report = 0  # ticket of the newest reply taken
        self.waited_seconds = 0.0

    def _projected(self, now: float) -> float:
        assert self._available is not None
        return min(self._maximum, self._available + (now - self._as_of) * self._restore_rate)

    def reserve(self, cost: float) -> int:
        """Block until `cost` points are projected to be available, and book them; returns a ticket."""
        with self._lock:
            if self._available is None and self._unanswered:
                # Someone is already probing the unknown bucket: wait for its reply rather than guess.
                self._lock.wait_for(lambda: self._available is not None or not self._unanswered, PROBE_TIMEOUT)
            ticket = next(self._tickets)
            self._unanswered[ticket] = cost
            if self._available is None or self._restore_rate <= 0:
                return ticket
            now = self._clock()
            available = self._projected(now)
            wait = max(0.0, (cost - available) / self._restore_rate)
            self._available = available - cost
            self._as_of = now
            self.waited_seconds += wait
        if wait:
            self._sleep(wait)
        return ticket

    def observe(self, throttle_status: dict | None, ticket: int | None = None, refunded: float = 0.0) -> None:
        """Take the server's word for the bucket as of the request `ticket` (plus any cost refunded after it)."""
        with self._lock:
            if ticket is not None:
                self._unanswered.pop(ticket, None)
            if throttle_status and (ticket is None or ticket > self._newest_report):
                self._newest_report = max(self._newest_report, ticket or 0)
                self._maximum = float(throttle_status.get("maximumAvailable") or 0.0)
                self._restore_rate = float(throttle_status.get("restoreRate") or 0.0)
                reported = float(throttle_status.get("currentlyAvailable") or 0.0) + refunded
                # Reservations not yet answered may not have reached Shopify when it reported: count them spent.
                self._available = reported - (sum(self._unanswered.values()) if ticket is not None else 0.0)
                self._as_of = self._clock()
            self._lock.notify_all()

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
