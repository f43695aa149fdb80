"""SuiteQL function calls: NetSuite's BUILTIN.CF/DF, Oracle's date conversions, text functions, aggregates.

Every function here is on Oracle's list of functions SuiteQL supports ("SuiteQL Supported and Unsupported
Functions", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158513731864.html; full
list as of 2020.1 in docs.tibco.com/pub/tdv/8.5.4/doc/html/en-US/AdapterHelp/AdapterHelp/word-frame_netsuite.63.22.html):
ABS, AVG, COALESCE, CONCAT, COUNT, LENGTH, LOWER, LTRIM, MAX, MIN, NVL, REPLACE, RTRIM, SUBSTR, SUM, TO_CHAR,
TO_DATE, TO_TIMESTAMP, UPPER; and TRIM, which Oracle's SQL has but that list does not name (UNVERIFIED for
SuiteQL: LTRIM(RTRIM(x)) is the listed spelling).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from sandbox.netsuite import date_sql, oracle_dates
from sandbox.netsuite.errors import search_error, unsupported_search
from sandbox.netsuite.schema import COMPOSITE_STATUS_LABELS, LIST_COLUMNS, TYPE_LABELS, Kind
from sandbox.netsuite.suiteql_scope import Scope
from sandbox.netsuite.suiteql_syntax import call, snippet, string_value

if TYPE_CHECKING:
    from sandbox.netsuite.suiteql_expressions import ExpressionTranslator

Translated = tuple[exp.Expression, Kind]

SUPPORTED_FUNCTIONS = (
    "BUILTIN.CF, BUILTIN.DF, TO_CHAR, TO_DATE, TO_TIMESTAMP, NVL, COALESCE, ABS, UPPER, LOWER, TRIM, LTRIM, RTRIM, "
    "REPLACE, CONCAT, LENGTH, SUBSTR, COUNT, SUM, AVG, MIN, MAX"
)
_TRIM_FUNCTIONS = {None: "trim", "BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}


class FunctionTranslator:
    def __init__(self, expressions: ExpressionTranslator) -> None:
        self.expressions = expressions

    def handlers(self) -> dict[type[exp.Expression], Callable[[exp.Expression, Scope], Translated]]:
        return {
            exp.Abs: self._abs,
            exp.Upper: self._text_function,
            exp.Lower: self._text_function,
            exp.Trim: self._trim,
            exp.Replace: self._replace,
            exp.Concat: self._concat,
            exp.Length: self._length,
            exp.Substring: self._substr,
            exp.Count: self._count,
            exp.Sum: self._numeric_aggregate,
            exp.Avg: self._numeric_aggregate,
            exp.Min: self._min_max,
            exp.Max: self._min_max,
            exp.Anonymous: self._named_function,
            exp.Dot: self._builtin,
        }

    # --- numbers and text -------------------------------------------------------------------------

    def _abs(self, node: exp.Abs, scope: Scope) -> Translated:
        return exp.Abs(this=self.expressions.number(node.this, scope)), Kind.NUMBER

    def _text_operand(self, node: exp.Expression, scope: Scope) -> exp.Expression:
        value, kind = self.expressions.value(node, scope)
        if kind.is_datetime:
            raise unsupported_search(f"text functions on a date without TO_CHAR ({snippet(node)})")
        return call("ns_to_char_number", value) if kind is Kind.NUMBER else value  # 2.0 is '2', as in Oracle

    def _text_function(self, node: exp.Func, scope: Scope) -> Translated:
        return type(node)(this=self._text_operand(node.this, scope)), Kind.TEXT

    def _trim(self, node: exp.Trim, scope: Scope) -> Translated:
        """TRIM([LEADING|TRAILING|BOTH] [c FROM] x), LTRIM(x [, set]) and RTRIM(x [, set]) (sqlglot reads
        LTRIM/RTRIM as TRIM LEADING/TRAILING): blanks by default, else the characters given."""
        if node.args.get("collation"):
            raise unsupported_search(f"TRIM with a collation ({snippet(node)})")
        position = node.args.get("position")
        arguments = [self._text_operand(node.this, scope)]
        characters = node.args.get("expression")
        if characters is not None:
            text = string_value(characters)
            if position in (None, "BOTH") and text is not None and len(text) != 1:
                raise search_error("ORA-30001: trim set should have only one character")
            arguments.append(self._text_operand(characters, scope))
        trimmed = call(_TRIM_FUNCTIONS[position], *arguments)
        return exp.Nullif(this=trimmed, expression=exp.Literal.string("")), Kind.TEXT  # Oracle: '' is NULL

    def _replace(self, node: exp.Replace, scope: Scope) -> Translated:
        """REPLACE(x, search [, replacement]): Oracle's NULL rules, which SQLite's replace() does not share."""
        parts = [node.this, node.expression, node.args.get("replacement")]
        arguments = [exp.null() if part is None else self._text_operand(part, scope) for part in parts]
        return call("ns_replace", *arguments), Kind.TEXT

    def _concat(self, node: exp.Concat, scope: Scope) -> Translated:
        if len(node.expressions) != 2:
            raise search_error("ORA-00909: invalid number of arguments (CONCAT takes two)")
        left, right = (self._text_operand(part, scope) for part in node.expressions)
        return call("ns_concat", left, right), Kind.TEXT

    def _length(self, node: exp.Length, scope: Scope) -> Translated:
        return call("length", self._text_operand(node.this, scope)), Kind.NUMBER

    def _substr(self, node: exp.Substring, scope: Scope) -> Translated:
        text = self._text_operand(node.this, scope)
        start, length = node.args.get("start"), node.args.get("length")
        if start is None:
            raise search_error("ORA-00938: not enough arguments for function SUBSTR")
        if length is None:
            return call("ns_substr2", text, self.expressions.number(start, scope)), Kind.TEXT
        return call(
            "ns_substr3", text, self.expressions.number(start, scope), self.expressions.number(length, scope)
        ), Kind.TEXT

    # --- aggregates -------------------------------------------------------------------------------

    def _count(self, node: exp.Count, scope: Scope) -> Translated:
        argument = node.this
        if isinstance(argument, exp.Star):
            return exp.Count(this=exp.Star()), Kind.NUMBER
        if isinstance(argument, exp.Distinct):
            if len(argument.expressions) != 1:
                raise unsupported_search("COUNT(DISTINCT ...) over several expressions")
            value, _kind = self.expressions.value(argument.expressions[0], scope)
            return exp.Count(this=exp.Distinct(expressions=[value])), Kind.NUMBER
        if argument is None or node.expressions:
            raise search_error("ORA-00909: invalid number of arguments for COUNT")
        return exp.Count(this=self.expressions.value(argument, scope)[0]), Kind.NUMBER

    def _numeric_aggregate(self, node: exp.AggFunc, scope: Scope) -> Translated:
        if isinstance(node.this, exp.Distinct):
            raise unsupported_search(f"DISTINCT inside {snippet(node)}")
        return type(node)(this=self.expressions.number(node.this, scope)), Kind.NUMBER

    def _min_max(self, node: exp.AggFunc, scope: Scope) -> Translated:
        if node.expressions:
            raise unsupported_search(f"{snippet(node)} with several arguments (use GREATEST/LEAST)")
        value, kind = self.expressions.value(node.this, scope)
        return type(node)(this=value), kind

    # --- Oracle date conversions ------------------------------------------------------------------

    def _named_function(self, node: exp.Anonymous, scope: Scope) -> Translated:
        name = node.name.upper()
        if name == "TO_CHAR":
            return self._to_char(node.expressions, scope), Kind.TEXT
        if name in ("TO_DATE", "TO_TIMESTAMP"):
            return self._to_date(name, node.expressions, scope), Kind.DATE
        raise search_error(
            f"Invalid or unsupported search. Function {name} is not supported by the sandbox ({SUPPORTED_FUNCTIONS})."
        )

    @staticmethod
    def _format_model(name: str, node: exp.Expression) -> str:
        model = string_value(node)
        if model is None:
            raise unsupported_search(f"a {name} format model that is not a string literal")
        try:
            oracle_dates.compile_format(model)
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None
        return model

    def _to_char(self, arguments: list[exp.Expression], scope: Scope) -> exp.Expression:
        if not 1 <= len(arguments) <= 2:
            raise search_error("ORA-00909: invalid number of arguments for TO_CHAR")
        value, kind = self.expressions.value(arguments[0], scope)
        if kind.is_datetime:
            wall = self.expressions.as_date(value, kind, arguments[0])  # an instant in the user's time zone
            if len(arguments) == 1:
                return date_sql.user_date(wall)
            return date_sql.to_char(wall, self._format_model("TO_CHAR", arguments[1]))
        if len(arguments) == 2:
            raise unsupported_search("TO_CHAR with a number format model")
        return call("ns_to_char_number", value)

    def _to_date(self, name: str, arguments: list[exp.Expression], scope: Scope) -> exp.Expression:
        if not 1 <= len(arguments) <= 2:
            raise search_error(f"ORA-00909: invalid number of arguments for {name}")
        value, kind = self.expressions.value(arguments[0], scope)
        if kind.is_datetime:
            raise unsupported_search(f"{name} of a value that already is a date")
        model = self._format_model(name, arguments[1]) if len(arguments) == 2 else None
        text = string_value(value)
        if text is None:
            return call("ns_to_date", value, exp.Literal.string(model) if model else exp.null())
        # Fold literals now: the error surfaces with its message and SQLite can use the date index.
        try:
            folded = oracle_dates.parse(text, model) if model else oracle_dates.parse_user_date(text)
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None
        return exp.Literal.string(folded)

    # --- NetSuite built-ins -----------------------------------------------------------------------

    def _builtin(self, node: exp.Dot, scope: Scope) -> Translated:
        function = node.expression
        if not (isinstance(node.this, exp.Identifier) and node.this.name.upper() == "BUILTIN"):
            raise unsupported_search(snippet(node))
        if not isinstance(function, exp.Anonymous) or function.name.upper() not in ("CF", "DF"):
            raise unsupported_search(f"{snippet(node)} (only BUILTIN.CF and BUILTIN.DF)")
        if len(function.expressions) != 1 or not isinstance(function.expressions[0], exp.Column):
            raise unsupported_search(f"{snippet(node)} on anything but a field")
        column = function.expressions[0]
        name = column.name.lower()
        alias, table, kind = scope.resolve(name, column.table.lower())
        field = exp.column(name, table=alias, quoted=True)
        builtin = function.name.upper()
        if builtin == "DF" and (table, name) in LIST_COLUMNS:
            return _list_name(table, name, field), Kind.TEXT
        if builtin == "DF" and kind is Kind.TEXT and name.startswith("custbody_"):
            # A free-text field has no target record: its display value is taken to be the text itself
            # (UNVERIFIED: article_1029114613 describes BUILTIN.DF on references only).
            return field, Kind.TEXT
        if (table, name) == ("transaction", "status"):
            # 'SalesOrd:C': the record type's code and the status letter.
            record_type = exp.column("type", table=alias, quoted=True)
            code = exp.DPipe(this=exp.DPipe(this=record_type, expression=exp.Literal.string(":")), expression=field)
            if builtin == "CF":
                return exp.Paren(this=code), Kind.TEXT
            return _labels(code, COMPOSITE_STATUS_LABELS), Kind.TEXT
        if (table, name) == ("transaction", "type") and builtin == "DF":
            return _labels(field, TYPE_LABELS), Kind.TEXT
        raise unsupported_search(
            f"BUILTIN.{builtin} on {table}.{name} (only transaction.status, and DF of transaction.type, "
            "List/Record fields and text custom body fields)"
        )


def _list_name(table: str, column: str, field: exp.Expression) -> exp.Expression:
    """The name of the record a List/Record column points at (NULL when it points nowhere)."""
    alias = "__list_value"  # not a name a SuiteQL alias can take (Oracle's start with a letter)
    conditions = [
        exp.EQ(this=exp.column("tbl", table=alias, quoted=True), expression=exp.Literal.string(table)),
        exp.EQ(this=exp.column("col", table=alias, quoted=True), expression=exp.Literal.string(column)),
        exp.EQ(this=exp.column("id", table=alias, quoted=True), expression=field),
    ]
    source = exp.Table(
        this=exp.to_identifier("list_value", quoted=True),
        alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
    )
    select = exp.select(exp.column("name", table=alias, quoted=True)).from_(source).where(exp.and_(*conditions))
    return exp.Subquery(this=select)


def _labels(field: exp.Expression, labels: dict[str, str]) -> exp.Expression:
    return exp.Case(
        this=field,
        ifs=[exp.If(this=exp.Literal.string(key), true=exp.Literal.string(label)) for key, label in labels.items()],
    )
