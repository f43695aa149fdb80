"""Shopify's calculated-cost leaky bucket, one per access token.

Restore rates per plan are documented by Shopify (standard 100, advanced 200, plus 1000, enterprise
2000 points/s). The bucket size is UNVERIFIED (Shopify's docs do not state it per plan): the presets
use 20 × restore rate, which matches the 2000/100 pair seen in Shopify's own examples. Clients must
read `throttleStatus` from every reply instead of assuming either number.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

RESTORE_RATES = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0, "enterprise": 2000.0}
BUCKET_SECONDS = 20.0  # UNVERIFIED: bucket size = 20 s of restore


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def to_extension(self) -> dict:
        # Shopify prints the maximum and the rate as floats and the level as a whole number.
        return {
            "maximumAvailable": float(self.maximum_available),
            "currentlyAvailable": int(math.floor(self.currently_available)),
            "restoreRate": float(self.restore_rate),
        }


def preset_limits(preset: str, bucket_size: float | None, restore_rate: float | None) -> tuple[float, float]:
    if preset not in RESTORE_RATES:
        raise ValueError(f"unknown rate-limit preset {preset!r}; expected one of {', '.join(RESTORE_RATES)}")
    rate = float(restore_rate) if restore_rate is not None else RESTORE_RATES[preset]
    size = float(bucket_size) if bucket_size is not None else rate * BUCKET_SECONDS
    if rate <= 0 or size <= 0:
        raise ValueError("bucket_size and restore_rate must be positive")
    return size, rate


class LeakyBucket:
    """Points refill continuously at `restore_rate` up to `size`; a request reserves its requested cost."""

    def __init__(self, size: float, restore_rate: float, clock: Callable[[], float]) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self._clock = clock
        self._available = size
        self._updated = clock()
        self._lock = threading.Lock()
        self.restore_lost = 0.0  # points the restore would have added while the bucket was full (benchmarks)

    def _refill(self) -> None:
        now = self._clock()
        refilled = self._available + (now - self._updated) * self.restore_rate
        self.restore_lost += max(0.0, refilled - self.size)
        self._available = min(self.size, refilled)
        self._updated = now

    def try_reserve(self, cost: int) -> tuple[bool, ThrottleStatus]:
        """Take `cost` points if available; otherwise take nothing."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False, self._status()
            self._available -= cost
            return True, self._status()

    def give_back(self, points: int) -> ThrottleStatus:
        """Return the unused part of a reservation (requested minus actual cost)."""
        with self._lock:
            self._refill()
            self._available = min(self.size, self._available + max(points, 0))
            return self._status()

    def status(self) -> ThrottleStatus:
        with self._lock:
            self._refill()
            return self._status()

    def _status(self) -> ThrottleStatus:
        return ThrottleStatus(self.size, self._available, self.restore_rate)


class BucketsByToken:
    """Shopify limits per app and store; in the sandbox that is per access token."""

    def __init__(self, size: float, restore_rate: float, clock: Callable[[], float]) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self._clock = clock
        self._buckets: dict[str, LeakyBucket] = {}
        self._lock = threading.Lock()

    def for_token(self, token: str) -> LeakyBucket:
        with self._lock:
            bucket = self._buckets.get(token)
            if bucket is None:
                bucket = self._buckets[token] = LeakyBucket(self.size, self.restore_rate, self._clock)
            return bucket
