"""Wait before a Shopify request when the cost bucket will not cover it.

Shopify reports its leaky bucket on every reply (`extensions.cost.throttleStatus`).
The pacer projects it forward at the restore rate and reserves each request's
cost, so concurrent workers queue up instead of bouncing off THROTTLED.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CostPacer:
    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._available: float | None = None  # unknown until the first reply
        self._maximum = 0.0
        self._restore_rate = 0.0
        self._as_of = 0.0
        self.waited_seconds = 0.0

    def _projected(self, now: float) -> float:
        assert self._available is not None
        return min(self._maximum, self._available + (now - self._as_of) * self._restore_rate)

    def reserve(self, cost: float) -> None:
        """Block until `cost` points are projected to be available, and book them."""
        with self._lock:
            if self._available is None or self._restore_rate <= 0:
                return
            now = self._clock()
            available = self._projected(now)
            wait = max(0.0, (cost - available) / self._restore_rate)
            self._available = available - cost
            self._as_of = now
            self.waited_seconds += wait
        if wait:
            self._sleep(wait)

    def observe(self, throttle_status: dict | None, refunded: float = 0.0) -> None:
        """Take the server's word for the bucket (plus any cost it refunded after the reply)."""
        if not throttle_status:
            return
        with self._lock:
            self._maximum = float(throttle_status.get("maximumAvailable") or 0.0)
            self._restore_rate = float(throttle_status.get("restoreRate") or 0.0)
            self._available = float(throttle_status.get("currentlyAvailable") or 0.0) + refunded
            self._as_of = self._clock()

    def throttle_wait(self, requested: float, throttle_status: dict | None) -> float:
        """Seconds to wait after THROTTLED: (requested - currentlyAvailable) / restoreRate."""
        if not throttle_status or not throttle_status.get("restoreRate"):
            return 1.0
        deficit = requested - float(throttle_status.get("currentlyAvailable") or 0.0)
        return max(0.1, deficit / float(throttle_status["restoreRate"]))
