"""A hold on requests: how a test stops a sandbox at an exact request instead of sleeping and hoping.

Armed with `arm(after=n, body_contains=...)`, the sandbox lets the first n matching requests through
and keeps every later one waiting at its hold point (the Shopify sandbox: before the request runs; the
NetSuite sandbox: inside an account concurrency slot) until the test calls `release()`. The test
learns that requests are waiting from `wait_held(count)`, an event, never from a clock.

`release()` lets the held requests run, as a service runs a request it has received even when the
client that sent it has died meanwhile; `release(drop=True)` closes their connections unanswered, as
if they never arrived. Shopify's "Idempotent requests" page (https://shopify.dev/docs/api/usage/idempotent-requests)
treats a request that failed on a connection issue as one that may have run (hence its idempotency
keys, which `orderCancel` does not take), but no page says what happens to a mutation whose client is
gone: tests use both readings, and the sync must be right either way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(eq=False)
class _Held:
    body: bytes
    released: bool = False
    drop: bool = False


class RequestHold:
    """Inactive until armed; one per sandbox app (`app.hold`)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed = False
        self._after = 0
        self._body_contains = b""
        self._matched = 0
        self._held: list[_Held] = []

    def arm(self, after: int = 0, body_contains: str = "") -> None:
        """Hold every request whose body contains `body_contains` after the first `after` such requests."""
        with self._changed:
            self._armed, self._after, self._body_contains = True, after, body_contains.encode()
            self._matched = 0

    def enter(self, body: bytes) -> bool:
        """The sandbox's hold point: returns at once unless held; then when released. False: drop the request."""
        with self._changed:
            if not self._armed or self._body_contains not in body:
                return True
            self._matched += 1
            if self._matched <= self._after:
                return True
            held = _Held(body)
            self._held.append(held)
            self._changed.notify_all()
            self._changed.wait_for(lambda: held.released)
            return not held.drop

    def wait_held(self, count: int, timeout: float) -> list[bytes]:
        """Block until `count` requests are held; their bodies, in arrival order."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._held) >= count, timeout):
                raise TimeoutError(f"{len(self._held)} of {count} requests held after {timeout:.0f}s")
            return [held.body for held in self._held]

    def release(self, drop: bool = False) -> int:
        """Disarm, and let the held requests run (or drop them); returns how many were held."""
        with self._changed:
            released = self._held
            for held in released:
                held.released, held.drop = True, drop
            self._held, self._armed = [], False
            self._changed.notify_all()
            return len(released)

    @contextmanager
    def meeting(self, count: int, timeout: float, after: int = 0, body_contains: str = "") -> Iterator[None]:
        """Hold matching requests (after the first `after`) until `count` wait together, then let them all go:
        `count` requests in the service at once by construction, for a test of a client's parallelism. Gives up
        after `timeout` or when the block ends, and lets them go then too (the test's own check then fails)."""
        done = threading.Event()

        def release_when_met() -> None:
            with self._changed:
                self._changed.wait_for(lambda: len(self._held) >= count or done.is_set(), timeout)
            self.release()

        self.arm(after, body_contains)
        releaser = threading.Thread(target=release_when_met, name="hold-meeting", daemon=True)
        releaser.start()
        try:
            yield
        finally:
            done.set()
            with self._changed:
                self._changed.notify_all()
            releaser.join()
            self.release()
