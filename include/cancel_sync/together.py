"""Two independent reads at once: a batch's Shopify states and its NetSuite links each take a round trip, and
neither needs the other, so a step waits for the slower one instead of for both, one after the other."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def together(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Run `second` on a thread while `first` runs here; both results, or the first error once both ended."""
    with ThreadPoolExecutor(1, thread_name_prefix="read") as pool:
        other = pool.submit(second)
        try:
            result = first()
        finally:
            error = other.exception()  # waits for it either way
        if error is not None:
            raise error
        return result, other.result()
