"""One knob for every timeout and wait in the tests: the environment variable TEST_TIMEOUT_SCALE.

A timeout here only says when to stop waiting for something that must happen (a run to finish, a
server to answer): the tests assert counts, states and invariants, never how fast anything was; speed
is what `make bench` reports. Each base value below is what this project's 2-core machine needs with
room to spare; the scale multiplies them all. Its default, 2, keeps the suite green on a machine twice
as slow; raise it on a slower or busier one (`TEST_TIMEOUT_SCALE=4 make test`).

Timeouts a test provokes on purpose (a client timeout shorter than an injected slow reply) are part of
the scenario, not a wait, and stay fixed.
"""

from __future__ import annotations

import os

SCALE_VARIABLE = "TEST_TIMEOUT_SCALE"
DEFAULT_SCALE = 2.0


def _scale() -> float:
    text = os.environ.get(SCALE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SCALE
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{SCALE_VARIABLE} must be a number, got {text!r}") from None
    if not value > 0:
        raise ValueError(f"{SCALE_VARIABLE} must be above 0, got {text!r}")
    return value


SCALE = _scale()


def scaled(seconds: float) -> float:
    """A timeout of `seconds` on this project's machine, stretched by TEST_TIMEOUT_SCALE."""
    return seconds * SCALE


HTTP_TIMEOUT = scaled(10)  # one request to a sandbox or an API server on loopback
PROCESS_EXIT = scaled(10)  # a process we stopped, to exit
TEST_TIMEOUT = scaled(300)  # pytest-timeout's limit for one test, its fixtures' setup included


# What the real-Airflow tests measured, printed at the end of the session (tests/conftest.py): facts to read,
# never asserted.
AIRFLOW_TIMINGS: dict[str, float] = {}
