"""SuiteQL expressions → SQLite, keeping Oracle's meaning.

Every expression comes back with its value kind (number, text, date, instant,
condition) so Oracle's implicit conversions can be applied where they are exact (a
text literal beside a date is read in the user's date format; text beside a number
converts, failing on non-numeric text; a wall-clock date beside an instant is read in
the user's time zone, `session_zone`) and refused where the sandbox would otherwise
answer differently (date arithmetic, a condition used as a value).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from sandbox.netsuite import oracle_dates, sqlite_functions
from sandbox.netsuite.errors import search_error, unsupported_search
from sandbox.netsuite.schema import Kind
from sandbox.netsuite.session_zone import SessionTimeZone
from sandbox.netsuite.suiteql_functions import FunctionTranslator, Translated
from sandbox.netsuite.suiteql_scope import Operand, Output, Scope
from sandbox.netsuite.suiteql_syntax import call, has_aggregate, snippet, string_value, written

MAX_IN_LIST = 1000  # Oracle's limit on an IN list (ORA-01795)

SubqueryTranslator = Callable[[exp.Select, Scope], list[Output]]


class ExpressionTranslator:
    """Checks and rewrites expressions; subqueries go back to the SELECT translator through `subquery`."""

    def __init__(self, subquery: SubqueryTranslator, zone: SessionTimeZone) -> None:
        self._subquery = subquery
        self.zone = zone
        self._handlers: dict[type[exp.Expression], Callable[[exp.Expression, Scope], Translated]] = {
            exp.Column: self._column,
            exp.Literal: self._literal,
            exp.Null: lambda node, scope: (node, Kind.NULL),
            exp.Paren: self._paren,
            exp.Neg: self._negate,
            exp.Add: self._arithmetic,
            exp.Sub: self._arithmetic,
            exp.Mul: self._arithmetic,
            exp.Div: self._divide,
            exp.DPipe: self._concat,
            exp.EQ: self._comparison,
            exp.NEQ: self._comparison,
            exp.GT: self._comparison,
            exp.GTE: self._comparison,
            exp.LT: self._comparison,
            exp.LTE: self._comparison,
            exp.And: self._connective,
            exp.Or: self._connective,
            exp.Not: self._not,
            exp.Is: self._is_null,
            exp.In: self._in,
            exp.Between: self._between,
            exp.Like: self._like,
            exp.Escape: self._escape,
            exp.Exists: self._exists,
            exp.Subquery: self._scalar_subquery,
            exp.Case: self._case,
            exp.Coalesce: self._coalesce,
            **FunctionTranslator(self).handlers(),
        }

    # --- entry points -----------------------------------------------------------------------------

    def expression(self, node: exp.Expression, scope: Scope) -> Translated:
        handler = self._handlers.get(type(node))
        if handler is None:
            raise unsupported_search(snippet(node))
        return handler(node, scope)

    def value(self, node: exp.Expression, scope: Scope) -> Translated:
        """An expression used as a value (not a condition)."""
        value, kind = self.expression(node, scope)
        if kind is Kind.BOOL:
            raise search_error(f"ORA-00923: a condition cannot be used as a value: {snippet(node)}")
        return value, kind

    def condition(self, node: exp.Expression, scope: Scope) -> exp.Expression:
        value, kind = self.expression(node, scope)
        if kind is not Kind.BOOL:
            raise search_error(f"ORA-00920: invalid relational operator near {snippet(node)}")
        return value

    def number(self, node: exp.Expression, scope: Scope) -> exp.Expression:
        """An operand used as a number: text converts (or fails) as in Oracle; dates are refused."""
        return self.as_number(*self.operand(node, scope))

    def operand(self, node: exp.Expression, scope: Scope) -> Operand:
        return Operand(*self.value(node, scope), node)

    # --- Oracle's implicit conversions ------------------------------------------------------------

    @staticmethod
    def as_number(value: exp.Expression, kind: Kind, node: exp.Expression) -> exp.Expression:
        if kind.is_datetime:
            raise unsupported_search(f"date arithmetic or dates used as numbers ({snippet(node)})")
        if kind is not Kind.TEXT:
            return value
        text = string_value(value)
        if text is None:
            return call("ns_to_number", value)
        try:
            return exp.Literal.number(sqlite_functions.to_number(text))
        except ValueError as exc:
            raise search_error(str(exc)) from None

    def as_date(self, value: exp.Expression, kind: Kind, node: exp.Expression) -> exp.Expression:
        """A wall-clock date: a text literal is read in the user's date format, as NetSuite does, and an
        instant is shown in the user's time zone (Oracle's TIMESTAMP WITH LOCAL TIME ZONE → TIMESTAMP)."""
        if kind in (Kind.DATE, Kind.NULL):
            return value
        if kind is Kind.INSTANT:
            return self.local(value)
        text = string_value(value)
        if text is None:
            raise search_error(
                f"ORA-00932: inconsistent datatypes: expected DATE got {kind.value.upper()} in {snippet(node)}"
            )
        try:
            return exp.Literal.string(oracle_dates.parse_user_date(text))
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None

    def as_instant(self, value: exp.Expression, kind: Kind, node: exp.Expression) -> exp.Expression:
        """A UTC instant: wall-clock text or dates are read in the user's time zone (see `session_zone`
        for the DST readings). Literals are converted here, so the comparison can still use plain text."""
        if kind in (Kind.INSTANT, Kind.NULL):
            return value
        wall = self.as_date(value, kind, node)
        if self.zone.is_utc:
            return wall
        text = string_value(wall)
        if text is None:
            return call("ns_to_utc", wall)
        try:
            return exp.Literal.string(self.zone.canonical_to_utc(text))
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None

    def local(self, instant: exp.Expression) -> exp.Expression:
        """An instant's wall-clock text in the user's time zone."""
        return instant if self.zone.is_utc else call("ns_to_local", instant)

    def comparable(self, left: Operand, right: Operand) -> tuple[exp.Expression, exp.Expression]:
        """Both sides of a comparison, converted the way Oracle converts mixed kinds."""
        kinds = {left.kind, right.kind}
        if Kind.INSTANT in kinds:
            return self.as_instant(*left), self.as_instant(*right)
        if Kind.DATE in kinds:
            return self.as_date(*left), self.as_date(*right)
        if kinds == {Kind.TEXT, Kind.NUMBER}:
            return self.as_number(*left), self.as_number(*right)
        return left.value, right.value

    # --- values -----------------------------------------------------------------------------------

    def _column(self, node: exp.Column, scope: Scope) -> Translated:
        if node.args.get("join_mark"):
            raise unsupported_search("Oracle (+) outer joins; use LEFT JOIN")
        if isinstance(node.this, exp.Star):
            raise unsupported_search("* outside the select list or COUNT(*)")
        if node.args.get("db") or node.args.get("catalog"):
            raise search_error(f"Unknown identifier '{written(node)}'.")
        name = node.name.lower()
        alias, _table, kind = scope.resolve(name, node.table.lower(), written=written(node))
        return exp.column(name, table=alias, quoted=True), kind

    @staticmethod
    def _literal(node: exp.Literal, scope: Scope) -> Translated:
        if not node.is_string:
            return node, Kind.NUMBER
        if node.this == "":
            return exp.null(), Kind.NULL  # Oracle: '' is NULL
        return node, Kind.TEXT

    def _paren(self, node: exp.Paren, scope: Scope) -> Translated:
        value, kind = self.expression(node.this, scope)
        return exp.Paren(this=value), kind

    def _negate(self, node: exp.Neg, scope: Scope) -> Translated:
        return exp.Neg(this=self.number(node.this, scope)), Kind.NUMBER

    def _arithmetic(self, node: exp.Binary, scope: Scope) -> Translated:
        return type(node)(this=self.number(node.left, scope), expression=self.number(node.right, scope)), Kind.NUMBER

    def _divide(self, node: exp.Div, scope: Scope) -> Translated:
        return call("ns_divide", self.number(node.left, scope), self.number(node.right, scope)), Kind.NUMBER

    def _concat(self, node: exp.DPipe, scope: Scope) -> Translated:
        parts = []
        for side in (node.left, node.right):
            value, kind = self.value(side, scope)
            if kind.is_datetime:
                raise unsupported_search(f"concatenating a date without TO_CHAR ({snippet(side)})")
            parts.append(value)
        return call("ns_concat", *parts), Kind.TEXT

    def _scalar_subquery(self, node: exp.Subquery, scope: Scope) -> Translated:
        if not isinstance(node.this, exp.Select) or node.alias:
            raise unsupported_search(snippet(node))
        select = node.this
        outputs = self._subquery(select, scope)
        if len(outputs) != 1:
            raise search_error("ORA-00913: too many values (a scalar subquery must select one column)")
        if select.args.get("group") or select.args.get("distinct"):
            raise unsupported_search("GROUP BY or DISTINCT in a scalar subquery")
        if not has_aggregate(outputs[0].expression):
            # Oracle fails when a scalar subquery finds several rows; SQLite would take the first.
            select.set("expressions", [call("ns_single_value", outputs[0].expression)])
        return exp.Subquery(this=select), outputs[0].kind

    def _case(self, node: exp.Case, scope: Scope) -> Translated:
        subject = self.operand(node.args["this"], scope) if node.args.get("this") is not None else None
        branches: list[exp.If] = []
        results: list[Operand] = []
        for branch in node.args.get("ifs") or []:
            if subject is not None:  # CASE x WHEN value THEN ...
                converted, condition = self.comparable(subject, self.operand(branch.this, scope))
                subject = subject._replace(value=converted)
            else:
                condition = self.condition(branch.this, scope)
            result = self.operand(branch.args["true"], scope)
            branches.append(exp.If(this=condition, true=result.value))
            results.append(result)
        default = self.operand(node.args["default"], scope) if node.args.get("default") is not None else None
        kind = _common_kind([*results, *([default] if default else [])])
        rewritten = exp.Case(
            this=subject.value if subject else None, ifs=branches, default=default.value if default else None
        )
        return rewritten, kind

    def _coalesce(self, node: exp.Coalesce, scope: Scope) -> Translated:
        arguments = [self.operand(argument, scope) for argument in (node.this, *node.expressions)]
        if node.args.get("is_nvl") and len(arguments) != 2:
            raise search_error("ORA-00909: invalid number of arguments (NVL takes two)")
        # Oracle converts every argument to the kind of the first non-NULL one.
        target = next((argument.kind for argument in arguments if argument.kind is not Kind.NULL), Kind.NULL)
        converted = []
        for argument in arguments:
            if target is Kind.INSTANT:
                converted.append(self.as_instant(*argument))
            elif target is Kind.DATE:
                converted.append(self.as_date(*argument))
            elif argument.kind.is_datetime:
                raise search_error(f"ORA-00932: inconsistent datatypes: expected {target.value} got date")
            elif target is Kind.NUMBER:
                converted.append(self.as_number(*argument))
            elif target is Kind.TEXT and argument.kind is Kind.NUMBER:
                converted.append(call("ns_to_char_number", argument.value))
            else:
                converted.append(argument.value)
        return exp.Coalesce(this=converted[0], expressions=converted[1:]), target

    # --- conditions -------------------------------------------------------------------------------

    def _comparison(self, node: exp.Binary, scope: Scope) -> Translated:
        left, right = self.comparable(self.operand(node.left, scope), self.operand(node.right, scope))
        return type(node)(this=left, expression=right), Kind.BOOL

    def _connective(self, node: exp.Connector, scope: Scope) -> Translated:
        left, right = self.condition(node.left, scope), self.condition(node.right, scope)
        return type(node)(this=left, expression=right), Kind.BOOL

    def _not(self, node: exp.Not, scope: Scope) -> Translated:
        return exp.Not(this=self.condition(node.this, scope)), Kind.BOOL

    def _is_null(self, node: exp.Is, scope: Scope) -> Translated:
        if not isinstance(node.expression, exp.Null):
            raise unsupported_search(f"IS other than IS [NOT] NULL ({snippet(node)})")
        value, _kind = self.value(node.this, scope)
        return exp.Is(this=value, expression=exp.null()), Kind.BOOL

    def _in(self, node: exp.In, scope: Scope) -> Translated:
        if node.args.get("unnest") or node.args.get("field"):
            raise unsupported_search(snippet(node))
        query = node.args.get("query")
        if query is not None:
            return self._in_subquery(node, query, scope)
        if len(node.expressions) > MAX_IN_LIST:
            raise search_error("ORA-01795: maximum number of expressions in a list is 1000")
        if not node.expressions:
            raise search_error("ORA-00936: missing expression (empty IN list)")
        subject = self.operand(node.this, scope)
        pairs = [self.comparable(subject, self.operand(member, scope)) for member in node.expressions]
        return exp.In(this=pairs[0][0], expressions=[member for _subject, member in pairs]), Kind.BOOL

    def _in_subquery(self, node: exp.In, query: exp.Expression, scope: Scope) -> Translated:
        select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(select, exp.Select):
            raise unsupported_search(snippet(node))
        value, _kind = self.value(node.this, scope)
        if len(self._subquery(select, scope)) != 1:
            raise search_error("ORA-00913: too many values (an IN subquery must select one column)")
        return exp.In(this=value, query=exp.Subquery(this=select)), Kind.BOOL

    def _between(self, node: exp.Between, scope: Scope) -> Translated:
        subject = self.operand(node.this, scope)
        value, low = self.comparable(subject, self.operand(node.args["low"], scope))
        _value, high = self.comparable(subject, self.operand(node.args["high"], scope))
        return exp.Between(this=value, low=low, high=high), Kind.BOOL

    def _like(self, node: exp.Like, scope: Scope) -> Translated:
        parts = []
        for side in (node.this, node.expression):
            value, kind = self.value(side, scope)
            if kind.is_datetime:
                raise unsupported_search(f"LIKE on a date without TO_CHAR ({snippet(side)})")
            parts.append(value)
        return exp.Like(this=parts[0], expression=parts[1]), Kind.BOOL

    def _escape(self, node: exp.Escape, scope: Scope) -> Translated:
        if not isinstance(node.this, exp.Like) or string_value(node.expression) is None:
            raise unsupported_search(snippet(node))
        like, _kind = self._like(node.this, scope)
        return exp.Escape(this=like, expression=node.expression), Kind.BOOL

    def _exists(self, node: exp.Exists, scope: Scope) -> Translated:
        select = node.this.this if isinstance(node.this, exp.Subquery) else node.this
        if not isinstance(select, exp.Select):
            raise unsupported_search(snippet(node))
        self._subquery(select, scope)
        return exp.Exists(this=select), Kind.BOOL


def _common_kind(values: list[Operand]) -> Kind:
    """CASE branches must agree on their kind (NULL fits any), as in Oracle."""
    kinds = {value.kind for value in values} - {Kind.NULL}
    if len(kinds) > 1:
        described = ", ".join(
            f"{snippet(value.node)} is {value.kind.value}" for value in values if value.kind is not Kind.NULL
        )
        raise search_error(f"ORA-00932: inconsistent datatypes: {described}")
    return kinds.pop() if kinds else Kind.NULL
