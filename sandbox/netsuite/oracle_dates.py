"""Oracle datetime format models for TO_CHAR / TO_DATE / TO_TIMESTAMP, and NetSuite's user date format.

Dates live in SQLite as canonical 'YYYY-MM-DD HH24:MI:SS' text, which sorts and
compares like the dates themselves. Only the format elements listed here are
understood; anything else is refused rather than guessed. Parsing runs here;
rendering runs in SQL (`date_sql`), and `to_char` / `user_date` are its reference.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

CANONICAL_FORMAT = "%Y-%m-%d %H:%M:%S"

# Longest first, so HH24 is not read as HH followed by "24".
_ELEMENTS = ("HH24", "HH12", "YYYY", "HH", "MM", "DD", "MI", "SS", "AM", "PM")
_ZONE_ELEMENTS = ("TZH", "TZM", "TZR", "TZD")
_PUNCTUATION = frozenset("-/,.;: ")
_MERIDIEM = ("AM", "PM")
_USER_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


class DateFormatError(ValueError):
    """A format model or a date string Oracle would reject."""


Token = tuple[str, str]  # ("element", "YYYY") or ("text", "-")


@lru_cache(maxsize=256)
def compile_format(model: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    upper = model.upper()
    position = 0
    while position < len(model):
        char = model[position]
        if char == '"':
            end = model.find('"', position + 1)
            if end < 0:
                raise DateFormatError(f"ORA-01821: date format not recognized: {model!r}")
            tokens.append(("text", model[position + 1 : end]))
            position = end + 1
        elif char in _PUNCTUATION:
            tokens.append(("text", char))
            position += 1
        else:
            element = next((e for e in _ELEMENTS if upper.startswith(e, position)), None)
            if element is None and upper.startswith(_ZONE_ELEMENTS, position):
                # Oracle has these (for zone-aware values); whether SuiteQL's lastmodifieddate takes them is
                # UNVERIFIED, and the sandbox does not guess.
                raise DateFormatError(f"Invalid or unsupported search. The sandbox does not support {model!r}")
            if element is None:
                raise DateFormatError(f"ORA-01821: date format not recognized: {model!r}")
            tokens.append(("element", "AM" if element == "PM" else element))
            position += len(element)
    elements = [value for kind, value in tokens if kind == "element"]
    if len(elements) != len(set(elements)):
        raise DateFormatError(f"ORA-01810: format code appears twice in {model!r}")
    return tuple(tokens)


def canonical(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(" ")
    return value.isoformat() + " 00:00:00"


def from_canonical(text: str) -> datetime:
    return datetime.strptime(text, CANONICAL_FORMAT)


def to_char(text: str, model: str) -> str:
    """TO_CHAR(date, model) for a canonical date string."""
    moment = from_canonical(text)
    hour12 = moment.hour % 12 or 12
    rendered = {
        "YYYY": f"{moment.year:04d}",
        "MM": f"{moment.month:02d}",
        "DD": f"{moment.day:02d}",
        "HH24": f"{moment.hour:02d}",
        "HH12": f"{hour12:02d}",
        "HH": f"{hour12:02d}",
        "MI": f"{moment.minute:02d}",
        "SS": f"{moment.second:02d}",
        "AM": _MERIDIEM[moment.hour >= 12],
    }
    return "".join(rendered[value] if kind == "element" else value for kind, value in compile_format(model))


def parse(text: str, model: str) -> str:
    """TO_DATE / TO_TIMESTAMP(text, model) → canonical date string.

    Like Oracle without FX: punctuation need not match exactly, numbers may drop
    leading zeros, and trailing elements may be missing (they default to zero).
    """
    fields: dict[str, int | str] = {}
    position = 0
    for kind, value in compile_format(model):
        if position >= len(text):
            break
        if kind == "text":
            position = _skip_literal(text, position, value)
        elif value == "AM":
            meridiem = text[position : position + 2].upper()
            if meridiem not in _MERIDIEM:
                raise DateFormatError(f"ORA-01855: AM/A.M. or PM/P.M. required in {text!r}")
            fields["AM"] = meridiem
            position += 2
        else:
            width = 4 if value == "YYYY" else 2
            match = re.compile(rf"\d{{1,{width}}}").match(text, position)
            if not match:
                raise DateFormatError(
                    f"ORA-01858: a non-numeric character was found where a numeric was expected: {text!r}"
                )
            fields[value] = int(match.group())
            position = match.end()
    if text[position:].strip():
        raise DateFormatError(f"ORA-01830: date format picture ends before converting entire input string: {text!r}")
    return canonical(_assemble(fields, text))


def _skip_literal(text: str, position: int, literal: str) -> int:
    if literal in _PUNCTUATION:
        while position < len(text) and not text[position].isalnum():
            position += 1
        return position
    if text[position : position + len(literal)].upper() != literal.upper():
        raise DateFormatError(f"ORA-01861: literal does not match format string: {text!r}")
    return position + len(literal)


def _assemble(fields: dict[str, int | str], text: str) -> datetime:
    if "YYYY" not in fields:
        raise DateFormatError(f"the sandbox needs a YYYY element to read {text!r}")
    hour = int(fields.get("HH24", 0))
    for twelve_hour in ("HH12", "HH"):
        if twelve_hour in fields:
            value = int(fields[twelve_hour])
            if not 1 <= value <= 12:
                raise DateFormatError(f"ORA-01849: hour must be between 1 and 12: {text!r}")
            hour = value % 12 + (12 if fields.get("AM") == "PM" else 0)
    try:
        return datetime(
            int(fields["YYYY"]),
            int(fields.get("MM", 1)),
            int(fields.get("DD", 1)),
            hour,
            int(fields.get("MI", 0)),
            int(fields.get("SS", 0)),
        )
    except ValueError as exc:
        raise DateFormatError(f"ORA-01847/01843: {exc} in {text!r}") from None


def user_date(text: str) -> str:
    """How SuiteQL renders a date column without TO_CHAR (user preference M/D/YYYY)."""
    moment = from_canonical(text)
    return f"{moment.month}/{moment.day}/{moment.year}"


def parse_user_date(text: str) -> str:
    """A string compared with a date is read in the user's date format, as NetSuite does."""
    match = _USER_DATE.match(text)
    if not match:
        raise DateFormatError(f"ORA-01858: {text!r} is not a date in the user format M/D/YYYY")
    month, day, year = (int(part) for part in match.groups())
    try:
        return canonical(datetime(year, month, day))
    except ValueError as exc:
        raise DateFormatError(f"ORA-01843: {exc} in {text!r}") from None
