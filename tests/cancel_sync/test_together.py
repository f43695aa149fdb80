"""Two reads at once: both run side by side, both results come back, an error surfaces once both ended."""

from __future__ import annotations

import threading

import pytest

from include.cancel_sync.together import together
from tests.timing import HTTP_TIMEOUT


def test_both_run_at_the_same_time_and_return_in_order():
    meet = threading.Barrier(2, timeout=HTTP_TIMEOUT)  # only passes when both are running at once

    def read(value):
        meet.wait()
        return value

    assert together(lambda: read("states"), lambda: read("links")) == ("states", "links")


@pytest.mark.parametrize("failing", ["first", "second"])
def test_an_error_of_either_is_raised_after_the_other_has_finished(failing):
    finished = []

    def read(name):
        if name == failing:
            raise ValueError(name)
        finished.append(name)
        return name

    with pytest.raises(ValueError, match=failing):
        together(lambda: read("first"), lambda: read("second"))
    assert finished == [{"first": "second", "second": "first"}[failing]]
