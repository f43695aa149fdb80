"""How the core's errors reach Airflow: a wrong setting stays wrong, so its task fails without retries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from include.cancel_sync.settings import SettingsError


@contextmanager
def bad_settings_fail_at_once() -> Iterator[None]:
    """A SettingsError (a Variable, param or connection field the sync refuses to guess about) becomes
    AirflowFailException: the task fails once, with the message naming what to set, instead of retrying."""
    try:
        yield
    except SettingsError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None
