"""How many cancel requests a task keeps in flight: as many as Shopify's bucket can pay for within a round trip.

Little's law: requests in flight = requests/s × seconds each. The bucket lets a task spend at once what it
holds above the pacer's floor, and after that the restore rate R it may count on (cost_pacer.py); a cancel
costs c points and takes W seconds, sent to answered (the client's measured average). So

    in flight = (level − floor) / c  +  2 · R · W / c

— the first term drains what the bucket holds (the full bucket at the start, or the points restored while
the task was reading orders), the second keeps up with the restore at twice its rate, as round trips vary
and a batch's pauses (its re-check and confirmation reads) leave restored points to catch up on. Requests
past that would only wait in the pacer, each holding a thread, a connection and a ledger intent whose
request has not left.

The window stays between MIN_IN_FLIGHT and the caller's cap (cancel.CONCURRENCY). Shopify documents no limit
on concurrent Admin API requests, only the cost bucket (shopify.dev/docs/apps/build/apis/graphql-admin/
rate-limits) and that it "may temporarily reduce API rate limits": so a THROTTLED, 429 or 5xx reply halves
the window (at most once a round trip), and every reply without one gives back a request's worth over a
window's worth of replies (additive increase, multiplicative decrease, as TCP does).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from include.cancel_sync.shopify.client import ShopifyClient
from include.cancel_sync.shopify.cost_pacer import CostPacer

MIN_IN_FLIGHT = 2
UNSIZED = 10  # in flight until the client has seen the bucket and a round trip (the former fixed concurrency)
RESTORE_ROUND_TRIPS = 2.0  # the restore kept up with, in round trips' worth
_RECHECK = 0.05  # seconds: a waiting sender looks again at least this often (the bucket refills meanwhile)


class InFlightWindow:
    """Admits requests while fewer than `limit()` are in flight. One sender waits in `acquire`; each request
    that ends calls `release`. `peak` is the most that were in flight at once.

    `pacer` tells the bucket, `round_trip()` the seconds a cancel takes (None: not known yet), `overloads()`
    how many replies so far said Shopify wants less: `for_client` takes all three from a client."""

    def __init__(
        self,
        pacer: CostPacer,
        round_trip: Callable[[], float | None],
        overloads: Callable[[], int],
        cost: float,
        cap: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pacer = pacer
        self._round_trip = round_trip
        self._overloads = overloads
        self._cost = cost
        self._cap = max(1, cap)
        self._clock = clock
        self._changed = threading.Condition()
        self._in_flight = 0
        self._backoff = 1.0  # share of the sized window allowed since Shopify last said it wanted less
        self._overloads_seen = overloads()
        self._last_cut = -math.inf
        self.peak = 0

    @classmethod
    def for_client(cls, client: ShopifyClient, cost: float, cap: int) -> InFlightWindow:
        return cls(
            client.pacer, lambda: client.round_trip(mutation=True), lambda: client.stats["overloaded"], cost, cap
        )

    def sized(self) -> int:
        """The window Shopify's bucket allows now, before any backing off."""
        spendable = self._pacer.spendable()
        round_trip = self._round_trip()
        if spendable is None or round_trip is None:
            wanted = UNSIZED
        else:
            above_floor, rate = spendable
            wanted = math.ceil((above_floor + RESTORE_ROUND_TRIPS * rate * round_trip) / self._cost)
        return min(self._cap, max(MIN_IN_FLIGHT, wanted))

    def limit(self) -> int:
        self._back_off_on_overload()
        return max(1, math.floor(self.sized() * self._backoff + 1e-9))  # 1e-9: sums of fractions fall short

    def _back_off_on_overload(self) -> None:
        overloads = self._overloads()
        if overloads == self._overloads_seen:
            return
        self._overloads_seen = overloads
        now = self._clock()
        if now - self._last_cut >= (self._round_trip() or 0.0):  # one cut per round trip: a burst is one signal
            self._backoff = max(self._backoff / 2, 1 / self._cap)
            self._last_cut = now

    def acquire(self) -> None:
        with self._changed:
            while self._in_flight >= self.limit():
                self._changed.wait(_RECHECK)
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)

    def release(self) -> None:
        with self._changed:
            self._in_flight -= 1
            if self._overloads() == self._overloads_seen:
                self._backoff = min(1.0, self._backoff + 1 / max(1, self.sized()))
            self._changed.notify()
