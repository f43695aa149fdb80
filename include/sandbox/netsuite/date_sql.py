"""TO_CHAR of a date compiled to SQLite expressions.

Dates are canonical 'YYYY-MM-DD HH24:MI:SS' text, so TO_CHAR is substrings and
a little arithmetic. Doing it in SQL instead of a Python function per row makes
a 100,000-row result several times faster; the Python versions in
`oracle_dates` are the reference the tests hold these to.
"""

from __future__ import annotations

from sqlglot import exp

from include.sandbox.netsuite import oracle_dates

# Element → (start, length) within the canonical text.
_SLICES = {"YYYY": (1, 4), "MM": (6, 2), "DD": (9, 2), "HH24": (12, 2), "MI": (15, 2), "SS": (18, 2)}


def _slice(value: exp.Expression, element: str) -> exp.Expression:
    start, length = _SLICES[element]
    return exp.Anonymous(
        this="substr", expressions=[value.copy(), exp.Literal.number(start), exp.Literal.number(length)]
    )


def _integer(value: exp.Expression, element: str) -> exp.Expression:
    return exp.Cast(this=_slice(value, element), to=exp.DataType.build("INTEGER"))


def _concat(parts: list[exp.Expression]) -> exp.Expression:
    joined = parts[0]
    for part in parts[1:]:
        joined = exp.DPipe(this=joined, expression=part)
    return joined


def _null_if_null(value: exp.Expression, rendered: exp.Expression) -> exp.Expression:
    # A format of only quoted text would otherwise turn a NULL date into that text.
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null())], default=rendered
    )


def user_date(value: exp.Expression) -> exp.Expression:
    """TO_CHAR(date) without a model: the user's M/D/YYYY."""
    slash = exp.Literal.string("/")
    return _concat([_integer(value, "MM"), slash, _integer(value, "DD"), slash, _slice(value, "YYYY")])


def to_char(value: exp.Expression, model: str) -> exp.Expression:
    """TO_CHAR(date, model) for a model `oracle_dates.compile_format` accepts."""
    parts: list[exp.Expression] = []
    for kind, token in oracle_dates.compile_format(model):
        if kind == "text":
            parts.append(exp.Literal.string(token))
        elif token in _SLICES:
            parts.append(_slice(value, token))
        elif token in ("HH12", "HH"):
            hour = exp.Paren(this=exp.Add(this=_integer(value, "HH24"), expression=exp.Literal.number(11)))
            twelve = exp.Add(
                this=exp.Mod(this=hour, expression=exp.Literal.number(12)), expression=exp.Literal.number(1)
            )
            parts.append(exp.Anonymous(this="printf", expressions=[exp.Literal.string("%02d"), twelve]))
        else:  # the meridian indicator
            morning = exp.LT(this=_slice(value, "HH24"), expression=exp.Literal.string("12"))
            parts.append(
                exp.Case(ifs=[exp.If(this=morning, true=exp.Literal.string("AM"))], default=exp.Literal.string("PM"))
            )
    return _null_if_null(value, _concat(parts) if parts else exp.null())
