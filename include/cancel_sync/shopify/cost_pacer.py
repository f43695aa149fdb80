"""Wait before a Shopify request when the cost bucket will not cover it.

Shopify reports its leaky bucket on every reply (`extensions.cost.throttleStatus`).
The pacer projects it forward and lets requests go one after the other, first
come first served, each when the projection covers it; a waiting request looks
again at every reply, so news (the bucket lower or higher than projected)
counts at once instead of after a sleep decided earlier.

A reply tells the bucket as it was when Shopify ran that request: requests sent
since (or still unanswered) are not in it yet. So the pacer keeps every sent
request until its reply is seen, subtracts the unanswered ones from each
report, and ignores a report older than one already taken. Underestimating
the bucket costs nothing while it is below full (the points wait in Shopify's
bucket), overestimating costs a THROTTLED round trip: the pacer errs low.
Until the first reply the bucket is unknown, so one request probes it alone.

The bucket belongs to the app and the store, not to this process: other task
processes (mapped cancel tasks side by side in the pool) drain it too. Between
two reports the pacer knows what it spent itself, so whatever else went is
someone else's: that rate F, averaged over a second or more, is taken off the
restore rate R when projecting the bucket.

That alone left 4 cancel processes at Standard 5-6% THROTTLED: each counted
every point in the bucket as its own. Their requests met at the bottom of an
empty bucket; a process saving up for a large read (a 250-order re-check is
~350 points, 35 cancels) never got there, the others spending each point as it
came back; and "spend R - F" does not pull towards equal shares, so one process
could take nearly all of R, see F near 0 and think itself alone. So, until the
pacer knows the bucket is its own:

- headroom: small requests (up to a quarter of it) leave HEADROOM points in the
  bucket, enough for the largest read the sync sends; a larger request waits
  for the full headroom and may then take it all, so a large read never saves
  up against the others. Every process keeps the same floor (unless it sends
  something larger itself);
- below that floor only large requests spend, so a process waiting there counts
  on the whole restore rate to fill it (the others wait too), not on its share;
- above it, each process spends at (level - floor) / SHARE_SECONDS. They all see
  the same level, so they all get the same rate: N processes hold the bucket
  near floor + R × SHARE_SECONDS / N and together spend R;
- the bucket counts as our own once others have spent under a tenth of R for
  ALONE_SECONDS, from the start too: processes waiting below the floor, or
  still starting, spend nothing, so a short silence proves nothing. Alone, the
  pacer spends the bucket down to zero.

While shared, about HEADROOM + R × SHARE_SECONDS / N points stay in the bucket:
~5 s of restore at Standard, ~0.75 s at Plus, once per run.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable

PROBE_TIMEOUT = 30.0  # seconds other requests wait for the first reply before going blind
FOREIGN_WINDOW = 1.0  # seconds of reports averaged into one estimate of others' spending
MIN_OWN_SHARE = 0.05  # of the restore rate, whatever others seem to spend
ALONE_SHARE = 0.1  # others spending less than this share of the restore rate…
ALONE_SECONDS = 10.0  # …for this long: the bucket is ours alone (others waiting below the floor look as quiet)
HEADROOM = 500.0  # points kept for large requests while shared: a 250-order re-check at 2 points an order
LARGE_SHARE = 0.25  # a request costing more than this share of the headroom may use it
SHARE_SECONDS = 1.0  # shared: each process spends what is above the floor over about this long
_NEAR_FULL = 0.9  # reports above this share of the bucket say nothing about spending (restore was capped)
_SOON = 1e-6  # seconds: close enough to go
_RECHECK = 0.1  # seconds: a request paced by the level looks again at least this often


class CostPacer:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] | None = None
    ) -> None:
        """`sleep` None: wait on a condition woken by every reply (real time). Tests inject a fake clock
        and its sleep; time then moves only when the pacer sleeps."""
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Condition()
        self._level: float | None = None  # the bucket at _as_of, minus what we sent since; unknown until a reply
        self._maximum = 0.0
        self._restore_rate = 0.0
        self._as_of = 0.0
        self._tickets = itertools.count(1)
        self._queue: deque[int] = deque()  # tickets waiting to go, in order of arrival
        self._awaiting_probe = 0  # requests waiting for the first reply
        self._unanswered: dict[int, float] = {}  # ticket → points, from sending until its reply is seen
        self._booked: dict[int, float] = {}  # ticket → points, since the newest report (for others' spending)
        self._newest_report = 0  # ticket of the newest reply taken
        self._last_report: tuple[float, float] | None = None  # (points reported, when)
        self._window = [0.0, 0.0]  # others' points and seconds, accumulating toward FOREIGN_WINDOW
        self._quiet_since: float | None = None  # since when every estimate of others' spending was under ALONE_SHARE
        self._largest = 0.0  # the largest request seen
        self._last_sent: float | None = None  # when our latest small request went, while shared
        self.foreign_rate = 0.0  # points/s others are estimated to spend from the same bucket
        self.waited_seconds = 0.0

    # -- the model ------------------------------------------------------------------------------

    @property
    def _own_rate(self) -> float:
        return max(self._restore_rate * MIN_OWN_SHARE, self._restore_rate - self.foreign_rate)

    @property
    def waiting(self) -> int:
        """Requests blocked in `reserve`: waiting for the first reply, or for their points and turn."""
        with self._lock:
            return self._awaiting_probe + len(self._queue)

    @property
    def shared(self) -> bool:
        """Others may be spending from the bucket: until their estimate has stayed low for ALONE_SECONDS."""
        return self._quiet_since is None or self._clock() < self._quiet_since + ALONE_SECONDS

    @property
    def floor(self) -> float:
        """Level under which only large requests spend: room for one large request."""
        if not self.shared:
            return 0.0
        return min(max(HEADROOM, self._largest), 0.5 * self._maximum) if self._maximum else HEADROOM

    def _small(self, cost: float) -> bool:
        return self.shared and cost <= LARGE_SHARE * self.floor

    def needed(self, cost: float) -> float:
        """Level the bucket must reach before a request of `cost` goes."""
        if not self.shared:
            need = cost
        elif self._small(cost):
            need = cost + self.floor  # never below the floor
        else:
            need = max(cost, self.floor)  # a large one starts from a full headroom, then may take it all
        return min(need, self._maximum) if self._maximum else need

    @property
    def _can_pace(self) -> bool:
        """A reply without a restore rate or a maximum says nothing to pace by: requests go, Shopify decides."""
        return self._restore_rate > 0 and self._maximum > 0

    def _projected(self, now: float) -> float:
        """Below the floor everyone sharing the bucket waits, so it fills at R; above, at R minus others' F."""
        assert self._level is not None
        level, elapsed = self._level, max(0.0, now - self._as_of)
        if not self._can_pace:
            return level
        floor = self.floor
        if level < floor:
            rise = min(floor - level, elapsed * self._restore_rate)
            level += rise
            elapsed -= rise / self._restore_rate
        return min(self._maximum, level + elapsed * self._own_rate)

    def _seconds_until(self, cost: float, now: float) -> float:
        level, need = self._projected(now), self.needed(cost)
        seconds = 0.0
        if level < need:
            floor, rising = self.floor, level
            if rising < floor:
                step = min(need, floor)
                seconds += (step - rising) / self._restore_rate
                rising = step
            seconds += max(0.0, need - rising) / self._own_rate
        if self._small(cost) and self._last_sent is not None:
            # Our share of a shared bucket: spend what is above the floor over SHARE_SECONDS. Every process
            # sees the same level, so each gets the same rate, whatever the others' estimates say. The
            # level moves while we wait: look again at least every _RECHECK seconds.
            rate = max(0.0, level - self.floor) / SHARE_SECONDS
            remaining = self._last_sent + (cost / rate if rate > 0 else float("inf")) - now
            if remaining > seconds:
                seconds = min(remaining, max(seconds, _RECHECK))
        return seconds

    def spendable(self) -> tuple[float, float] | None:
        """(points above the floor now, points/s this process may count on) as projected; None until a reply
        has told the bucket (or while it gives nothing to pace by)."""
        with self._lock:
            if self._level is None or not self._can_pace:
                return None
            return max(0.0, self._projected(self._clock()) - self.floor), self._own_rate

    # -- requests -------------------------------------------------------------------------------

    def reserve(self, cost: float) -> int:
        """Block until `cost` points are projected to be available (and our turn has come), and book them;
        returns a ticket for `observe` / `settle`."""
        with self._lock:
            if self._level is None and self._unanswered:
                # Someone is already probing the unknown bucket: wait for its reply rather than guess.
                self._awaiting_probe += 1
                try:
                    self._lock.wait_for(lambda: self._level is not None or not self._unanswered, PROBE_TIMEOUT)
                finally:
                    self._awaiting_probe -= 1
            ticket = next(self._tickets)
            self._largest = max(self._largest, cost)
            if self._level is not None and self._can_pace:
                self._wait_turn(ticket, cost)
            self._unanswered[ticket] = cost
            self._booked[ticket] = cost
        return ticket

    def _wait_turn(self, ticket: int, cost: float) -> None:
        began = self._clock()
        self._queue.append(ticket)
        try:
            while True:
                now = self._clock()
                wait: float | None = None  # not first in line: wait for the ones ahead
                if not self._can_pace:  # a reply while waiting said no restore rate or no maximum
                    break
                if self._queue[0] == ticket:
                    wait = self._seconds_until(cost, now)
                    if wait <= _SOON:
                        break
                if self._sleep is None or wait is None:
                    self._lock.wait(wait)  # a reply or the one ahead leaving wakes it early
                else:
                    self._sleep(wait)
        finally:
            self._queue.remove(ticket)
            self._lock.notify_all()
        self._level = self._projected(now) - cost
        self._as_of = now
        if self._small(cost):
            self._last_sent = now
        self.waited_seconds += now - began

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
                # Requests sent but not yet answered may not have reached Shopify when it reported: count them spent.
                self._level = reported - (sum(self._unanswered.values()) if ticket is not None else 0.0)
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
            if self.foreign_rate >= ALONE_SHARE * self._restore_rate:
                self._quiet_since = None
            elif self._quiet_since is None:
                self._quiet_since = now
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
