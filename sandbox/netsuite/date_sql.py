"""TO_CHAR of a date compiled to SQLite expressions.

Dates are canonical 'YYYY-MM-DD HH24:MI:SS' text, so TO_CHAR is substrings and
a little arithmetic. Doing it in SQL instead of a Python function per row makes
a 100,000-row result several times faster; the Python versions in
`oracle_dates` are the reference the tests hold these to.
"""

from __future__ import annotations

from sqlglot import exp

from sandbox.netsuite import oracle_dates

# Element → (start, length) within the canonical text.
_SLICES = {"YYYY": (1, 4), "MM": (6, 2), "DD": (9, 2), "HH24": (12, 2), "MI": (15, 2), "SS": (18, 2)}


def _slice(value: exp.Expression, element: str) -> exp.Expression:
    return _substr(value, *_SLICES[element])


def _substr(value: exp.Expression, start: int, length: int) -> exp.Expression:
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


def _canonical_runs(tokens: tuple[oracle_dates.Token, ...]) -> list[oracle_dates.Token | tuple[int, int]]:
    """The tokens, with each stretch that copies consecutive characters of the canonical text
    ('YYYY-MM-DD HH24:MI:SS' itself, or a part such as 'YYYY-MM') as one (start, length) slice:
    one substr per row instead of one per element and separator."""
    runs: list[oracle_dates.Token | tuple[int, int]] = []
    for kind, token in tokens:
        last = runs[-1] if runs and isinstance(runs[-1][0], int) else None
        if kind == "element" and token in _SLICES:
            start, length = _SLICES[token]
            if last is not None and last[0] + last[1] == start:
                runs[-1] = (last[0], last[1] + length)
            else:
                runs.append((start, length))
        elif kind == "text" and last is not None and _separators_at(last[0] + last[1], token):
            runs[-1] = (last[0], last[1] + len(token))
        else:
            runs.append((kind, token))
    return runs


def _separators_at(position: int, text: str) -> bool:
    return all(_CANONICAL_SEPARATORS.get(position + index) == char for index, char in enumerate(text))


# 1-based positions of the fixed characters of the canonical text 'YYYY-MM-DD HH:MI:SS'.
_CANONICAL_SEPARATORS = {5: "-", 8: "-", 11: " ", 14: ":", 17: ":"}


def to_char(value: exp.Expression, model: str) -> exp.Expression:
    """TO_CHAR(date, model) for a model `oracle_dates.compile_format` accepts."""
    parts: list[exp.Expression] = []
    for kind, token in _canonical_runs(oracle_dates.compile_format(model)):
        if isinstance(kind, int):
            parts.append(_substr(value, kind, int(token)))
        elif kind == "text":
            parts.append(exp.Literal.string(token))
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
    if len(parts) == 1 and parts[0].name == "substr":
        return parts[0]  # one substr: NULL stays NULL by itself
    return _null_if_null(value, _concat(parts) if parts else exp.null())
