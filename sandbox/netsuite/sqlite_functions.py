"""SQLite functions that give translated SuiteQL Oracle semantics.

SQLite hides a Python exception behind "user-defined function raised
exception"; `FunctionErrors` keeps the real message so the sandbox can answer
with it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sandbox.netsuite import oracle_dates

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def oracle_text(value: Any) -> str:
    """A value as SuiteQL prints it: numbers without a trailing '.0' or binary noise (Oracle's are decimal)."""
    if not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"  # 0.1 + 0.2 shows as 0.3, as Oracle's exact NUMBER would


def _oracle_null(text: str) -> str | None:
    return text if text != "" else None  # Oracle treats '' as NULL


def to_char_number(value: Any) -> str | None:
    return None if value is None else oracle_text(value)


def to_date(value: Any, model: str | None) -> str | None:
    if value is None:
        return None
    text = oracle_text(value)
    return oracle_dates.parse(text, model) if model is not None else oracle_dates.parse_user_date(text)


def substr(value: Any, start: int | None, length: int | None = None) -> str | None:
    """Oracle SUBSTR: 1-based, 0 counts as 1, negative counts from the end."""
    if value is None or start is None:
        return None
    text = oracle_text(value)
    start = int(start)
    begin = start - 1 if start > 0 else (0 if start == 0 else len(text) + start)
    if begin < 0 or begin >= len(text):
        return None
    if length is None:
        return _oracle_null(text[begin:])
    if int(length) < 1:
        return None
    return _oracle_null(text[begin : begin + int(length)])


def concat(left: Any, right: Any) -> str | None:
    """Oracle ||: NULL counts as ''; an empty result is NULL."""
    return _oracle_null(("" if left is None else oracle_text(left)) + ("" if right is None else oracle_text(right)))


def replace(value: Any, search: Any, replacement: Any) -> str | None:
    """Oracle REPLACE: a NULL search leaves the text alone, a NULL replacement removes what was found."""
    if value is None:
        return None
    text = oracle_text(value)
    if search is None:
        return _oracle_null(text)
    return _oracle_null(text.replace(oracle_text(search), "" if replacement is None else oracle_text(replacement)))


def to_number(value: Any) -> int | float | None:
    """Oracle's implicit text → number conversion, which fails loudly on non-numeric text."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    if not _NUMBER.match(text):
        raise ValueError(f"ORA-01722: invalid number: {text!r}")
    return int(text) if _INTEGER.match(text) else float(text)


def divide(dividend: Any, divisor: Any) -> float | int | None:
    """Oracle division is exact (5/2 = 2.5) and dividing by zero is an error, not NULL."""
    if dividend is None or divisor is None:
        return None
    if divisor == 0:
        raise ZeroDivisionError("ORA-01476: divisor is equal to zero")
    quotient = float(dividend) / float(divisor)
    return int(quotient) if quotient.is_integer() else quotient


FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    "ns_to_char_number": (to_char_number, 1),
    "ns_to_date": (to_date, 2),
    "ns_substr2": (substr, 2),
    "ns_substr3": (substr, 3),
    "ns_concat": (concat, 2),
    "ns_replace": (replace, 3),
    "ns_divide": (divide, 2),
    "ns_to_number": (to_number, 1),
}


class FunctionErrors:
    """Remembers, per thread, the last exception a sandbox function raised."""

    def __init__(self) -> None:
        self._local = threading.local()

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any) -> Any:
            try:
                return function(*args)
            except Exception as exc:
                self._local.error = exc
                raise

        return guarded

    def remember(self, error: Exception) -> None:
        self._local.error = error

    def take(self) -> Exception | None:
        error = getattr(self._local, "error", None)
        self._local.error = None
        return error


def _single_value(errors: FunctionErrors) -> type:
    """Aggregate wrapped around a scalar subquery's value: SQLite would quietly take the first of several rows."""

    class SingleValue:
        def __init__(self) -> None:
            self.rows = 0
            self.value: Any = None

        def step(self, value: Any) -> None:
            self.rows += 1
            self.value = value

        def finalize(self) -> Any:
            if self.rows > 1:
                error = ValueError("ORA-01427: single-row subquery returns more than one row")
                errors.remember(error)
                raise error
            return self.value

    return SingleValue


def register(connection: sqlite3.Connection, errors: FunctionErrors) -> None:
    for name, (function, arity) in FUNCTIONS.items():
        connection.create_function(name, arity, errors.wrap(function), deterministic=True)
    connection.create_aggregate("ns_single_value", 1, _single_value(errors))
