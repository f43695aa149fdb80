"""A clock the test moves: code that takes a clock and a sleep is checked without a stopwatch."""

from __future__ import annotations


class FakeClock:
    """Monotonic seconds that move only when told to; `sleep` records the wait and moves the clock by it."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
