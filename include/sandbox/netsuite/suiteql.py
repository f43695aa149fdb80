"""SuiteQL → SQLite translation with sqlglot.

The query is parsed with sqlglot's Oracle dialect, then every node is checked
against what the sandbox implements: identifiers are resolved against the
schema, value kinds (number/text/date) are tracked so Oracle's conversions can
be applied or refused, and NetSuite functions are rewritten. Anything not
understood becomes a NetSuite-shaped 400 rather than a silently different answer.

The top-level SELECT is rewritten to return its columns as c0..cN (dates in the
user's format) followed by the ORDER BY values as k0..kM, which paging uses to
find rows whose order is not determined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import ParseError, TokenError

from include.sandbox.netsuite import date_sql, oracle_dates, sqlite_functions
from include.sandbox.netsuite.errors import NetSuiteError, invalid_query
from include.sandbox.netsuite.schema import SALES_ORDER_STATUS_LABELS, SALES_ORDER_TYPE, Kind, Schema

MAX_IN_LIST = 1000  # Oracle's limit on an IN list (ORA-01795)
_DATE_FUNCTIONS = {"TO_CHAR", "TO_DATE", "TO_TIMESTAMP"}
_TYPE_LABELS = {SALES_ORDER_TYPE: "Sales Order"}
_SELECT_CLAUSES = {"expressions", "from_", "joins", "where", "group", "having", "order", "distinct"}
_TABLE_PARTS = {"this", "alias"}
SUPPORTED_FUNCTIONS = (
    "BUILTIN.CF, BUILTIN.DF, TO_CHAR, TO_DATE, TO_TIMESTAMP, NVL, COALESCE, ABS, UPPER, LOWER, TRIM, SUBSTR, "
    "COUNT, SUM, AVG, MIN, MAX"
)


class SuiteQLDialect(Oracle):
    class Parser(Oracle.Parser):
        # Keep Oracle's date functions as plain calls so their format models reach the sandbox untouched.
        FUNCTIONS = {name: build for name, build in Oracle.Parser.FUNCTIONS.items() if name not in _DATE_FUNCTIONS}


@dataclass(frozen=True)
class TranslatedQuery:
    sql: str
    columns: tuple[str, ...]  # lowercased output names, in select order
    sort_keys: int  # ORDER BY values appended to each row after the columns


class _Operand(NamedTuple):
    value: exp.Expression  # rewritten
    kind: Kind
    node: exp.Expression  # as written, for messages


@dataclass
class _Output:
    name: str | None  # None: an unnamed expression (NetSuite calls it exprN)
    kind: Kind
    expression: exp.Expression


def translate(query: str, schema: Schema) -> TranslatedQuery:
    return _Translator(schema).translate(query)


def unsupported(what: str) -> NetSuiteError:
    return invalid_query(f"Search error occurred: Invalid or unsupported search. The sandbox does not support {what}.")


def search_error(message: str) -> NetSuiteError:
    return invalid_query(f"Search error occurred: {message}")


def _snippet(node: exp.Expression) -> str:
    text = node.sql(dialect=SuiteQLDialect, comments=False)
    return f"'{text[:80]}'"


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _string(node: exp.Expression) -> str | None:
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


class _Scope:
    """Tables visible in one SELECT (alias → table), chained to the enclosing SELECT's scope."""

    def __init__(self, schema: Schema, parent: _Scope | None) -> None:
        self.schema = schema
        self.parent = parent
        self.tables: dict[str, str] = {}

    def add(self, alias: str, table: str) -> None:
        if alias in self.tables:
            raise search_error(f"Duplicate table alias '{alias}'.")
        self.tables[alias] = table

    def resolve(self, name: str, qualifier: str, written: str = "") -> tuple[str, str, Kind]:
        """(alias, table, kind) of a column, searching inner scopes first as Oracle does."""
        scope: _Scope | None = self
        while scope is not None:
            if qualifier and qualifier in scope.tables:
                columns = self.schema.columns(scope.tables[qualifier])
                if name not in columns:
                    break
                return qualifier, scope.tables[qualifier], columns[name]
            if not qualifier:
                matches = [alias for alias, table in scope.tables.items() if name in self.schema.columns(table)]
                if len(matches) > 1:
                    raise search_error(f"ORA-00918: column ambiguously defined: {name}")
                if matches:
                    return matches[0], scope.tables[matches[0]], self.schema.columns(scope.tables[matches[0]])[name]
            scope = scope.parent
        shown = written or (f"{qualifier}.{name}" if qualifier else name)
        raise search_error(f"Unknown identifier '{shown}'. Available identifiers are: {{{self._visible()}}}.")

    def _visible(self) -> str:
        pairs: list[str] = []
        scope: _Scope | None = self
        while scope is not None:
            pairs.extend(f"{alias}={table}" for alias, table in scope.tables.items())
            scope = scope.parent
        return ", ".join(pairs)


class _Translator:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._handlers: dict[type[exp.Expression], Callable[[exp.Expression, _Scope], tuple[exp.Expression, Kind]]] = {
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
            exp.Abs: self._abs,
            exp.Upper: self._text_function,
            exp.Lower: self._text_function,
            exp.Trim: self._trim,
            exp.Substring: self._substr,
            exp.Count: self._count,
            exp.Sum: self._numeric_aggregate,
            exp.Avg: self._numeric_aggregate,
            exp.Min: self._min_max,
            exp.Max: self._min_max,
            exp.Anonymous: self._function,
            exp.Dot: self._builtin,
        }

    # --- statement --------------------------------------------------------------------------------

    def translate(self, query: str) -> TranslatedQuery:
        select = self._parse(query)
        outputs, scope = self._select(select, parent=None)
        names = self._output_names(outputs)
        sort_keys = self._sort_keys(select, outputs, names, scope)
        columns = [
            exp.alias_(date_sql.user_date(out.expression) if out.kind is Kind.DATE else out.expression, f"c{i}")
            for i, out in enumerate(outputs)
        ]
        keys = [exp.alias_(ordered.this, f"k{i}") for i, ordered in enumerate(sort_keys)]
        select.set("expressions", columns + keys)
        if sort_keys:
            select.set(
                "order",
                exp.Order(
                    expressions=[
                        exp.Ordered(
                            this=exp.column(f"k{i}"), desc=o.args.get("desc"), nulls_first=o.args.get("nulls_first")
                        )
                        for i, o in enumerate(sort_keys)
                    ]
                ),
            )
        return TranslatedQuery(select.sql(dialect="sqlite", comments=False), tuple(names), len(sort_keys))

    def _parse(self, query: str) -> exp.Select:
        if not query.strip():
            raise search_error("The query is empty.")
        try:
            statements = [s for s in sqlglot.parse(query, dialect=SuiteQLDialect) if s is not None]
        except (ParseError, TokenError) as exc:
            raise search_error(f"Invalid or unsupported search. Syntax error: {str(exc).splitlines()[0]}") from None
        if len(statements) != 1:
            raise search_error("Invalid or unsupported search. Send exactly one statement.")
        statement = statements[0]
        if isinstance(statement, exp.SetOperation):
            raise unsupported("UNION, INTERSECT or MINUS")
        if not isinstance(statement, exp.Select):
            raise search_error("Invalid or unsupported search. SuiteQL runs SELECT statements only.")
        return statement

    def _output_names(self, outputs: list[_Output]) -> list[str]:
        names: list[str] = []
        unnamed = 0
        for out in outputs:
            if out.name is None:
                unnamed += 1
                names.append(f"expr{unnamed}")
            else:
                names.append(out.name)
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            # The REST reply is a JSON object per row: a second column of the same name would overwrite the first.
            raise unsupported(f"two result columns with the same name ({', '.join(duplicates)}); give them aliases")
        return names

    def _sort_keys(
        self, select: exp.Select, outputs: list[_Output], names: list[str], scope: _Scope
    ) -> list[exp.Ordered]:
        order = select.args.get("order")
        if not order:
            return []
        keys = []
        for ordered in order.expressions:
            term = ordered.this
            if isinstance(term, exp.Literal) and not term.is_string:
                position = int(term.this)
                if not 1 <= position <= len(outputs):
                    raise search_error("ORA-01785: ORDER BY item must be the number of a SELECT-list expression")
                value, kind = outputs[position - 1].expression.copy(), outputs[position - 1].kind
            elif isinstance(term, exp.Column) and not term.table and term.name.lower() in names:
                index = names.index(term.name.lower())
                value, kind = outputs[index].expression.copy(), outputs[index].kind
            else:
                value, kind = self._expr(term, scope)
            self._require_value(kind, term)
            if select.args.get("distinct") and value.sql() not in {out.expression.sql() for out in outputs}:
                raise search_error("ORA-01791: not a SELECTed expression")
            keys.append(
                exp.Ordered(this=value, desc=ordered.args.get("desc"), nulls_first=ordered.args.get("nulls_first"))
            )
        return keys

    # --- SELECT -----------------------------------------------------------------------------------

    def _select(self, select: exp.Select, parent: _Scope | None) -> tuple[list[_Output], _Scope]:
        """Check and rewrite one SELECT in place (except its ORDER BY); returns its columns and scope."""
        for clause, value in select.args.items():
            if value and clause not in _SELECT_CLAUSES:
                hint = (
                    " (page with the limit and offset URL parameters)" if clause in ("limit", "offset", "fetch") else ""
                )
                raise unsupported(f"the {clause.rstrip('_').upper()} clause{hint}")
        distinct = select.args.get("distinct")
        if distinct and distinct.args.get("on"):
            raise unsupported("DISTINCT ON")
        if parent is not None and select.args.get("order"):
            raise search_error("ORA-00907: missing right parenthesis (ORDER BY is not allowed in a subquery)")
        scope = _Scope(self.schema, parent)
        self._from(select, scope)
        outputs = self._select_list(select, scope)
        select.set("expressions", [out.expression for out in outputs])
        if select.args.get("where"):
            select.set("where", exp.Where(this=self._condition(select.args["where"].this, scope)))
        if select.args.get("group"):
            group = select.args["group"]
            if any(value for part, value in group.args.items() if part != "expressions"):
                raise unsupported("ROLLUP, CUBE or GROUPING SETS")
            group.set("expressions", [self._value(term, scope)[0] for term in group.expressions])
        if select.args.get("having"):
            select.set("having", exp.Having(this=self._condition(select.args["having"].this, scope)))
        return outputs, scope

    def _from(self, select: exp.Select, scope: _Scope) -> None:
        source = select.args.get("from_")
        if source is None:
            raise search_error("ORA-00923: FROM keyword not found where expected")
        self._table(source.this, scope)
        joins = select.args.get("joins") or []
        ansi = [join for join in joins if join.args.get("on") or join.args.get("kind") or join.args.get("side")]
        if ansi and len(ansi) != len(joins):
            raise search_error("Invalid or unsupported search. ANSI and non-ANSI joins cannot be mixed in one query.")
        for join in joins:
            if join.args.get("using") or join.args.get("method"):
                raise unsupported("JOIN ... USING or NATURAL joins")
            self._table(join.this, scope)
            kind = (join.args.get("kind") or "").upper()
            condition = join.args.get("on")
            if condition is not None:
                join.set("on", self._condition(condition, scope))
            elif join in ansi and kind != "CROSS":
                raise search_error("ORA-00905: missing keyword (a JOIN needs an ON condition)")

    def _table(self, node: exp.Expression, scope: _Scope) -> None:
        if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
            raise unsupported(f"{_snippet(node)} in FROM (only the tables transaction and transactionline)")
        extra = [part for part, value in node.args.items() if value and part not in _TABLE_PARTS]
        if extra:
            raise search_error(f"Invalid search type: {node.sql(dialect=SuiteQLDialect)}.")
        table = node.name.lower()
        if table not in self.schema.tables:
            raise invalid_query(f"Invalid search type: {node.name}.")
        alias_node = node.args.get("alias")
        if alias_node is not None and alias_node.args.get("columns"):
            raise unsupported("column aliases on a table alias")
        alias = (node.alias or table).lower()
        scope.add(alias, table)
        node.set("this", exp.to_identifier(table, quoted=True))
        node.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))

    def _select_list(self, select: exp.Select, scope: _Scope) -> list[_Output]:
        outputs: list[_Output] = []
        for item in select.expressions:
            if isinstance(item, exp.Star):
                for alias in scope.tables:
                    outputs.extend(self._all_columns(alias, scope))
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                qualifier = item.table.lower()
                if qualifier not in scope.tables:
                    raise search_error(f"Unknown identifier '{item.table}.*'.")
                outputs.extend(self._all_columns(qualifier, scope))
            elif isinstance(item, exp.Alias):
                value, kind = self._value(item.this, scope)
                outputs.append(_Output(item.alias.lower(), kind, value))
            else:
                value, kind = self._value(item, scope)
                outputs.append(_Output(item.name.lower() if isinstance(item, exp.Column) else None, kind, value))
        return outputs

    def _all_columns(self, alias: str, scope: _Scope) -> list[_Output]:
        columns = self.schema.columns(scope.tables[alias])
        return [_Output(name, kind, exp.column(name, table=alias, quoted=True)) for name, kind in columns.items()]

    # --- expressions ------------------------------------------------------------------------------

    def _expr(self, node: exp.Expression, scope: _Scope) -> tuple[exp.Expression, Kind]:
        handler = self._handlers.get(type(node))
        if handler is None:
            raise unsupported(_snippet(node))
        return handler(node, scope)

    def _value(self, node: exp.Expression, scope: _Scope) -> tuple[exp.Expression, Kind]:
        value, kind = self._expr(node, scope)
        self._require_value(kind, node)
        return value, kind

    def _condition(self, node: exp.Expression, scope: _Scope) -> exp.Expression:
        value, kind = self._expr(node, scope)
        if kind is not Kind.BOOL:
            raise search_error(f"ORA-00920: invalid relational operator near {_snippet(node)}")
        return value

    @staticmethod
    def _require_value(kind: Kind, node: exp.Expression) -> None:
        if kind is Kind.BOOL:
            raise search_error(f"ORA-00923: a condition cannot be used as a value: {_snippet(node)}")

    def _column(self, node: exp.Column, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if node.args.get("join_mark"):
            raise unsupported("Oracle (+) outer joins; use LEFT JOIN")
        if isinstance(node.this, exp.Star):
            raise unsupported("* outside the select list or COUNT(*)")
        if node.args.get("db") or node.args.get("catalog"):
            raise search_error(f"Unknown identifier '{node.sql(dialect=SuiteQLDialect)}'.")
        name = node.name.lower()
        alias, _table, kind = scope.resolve(name, node.table.lower(), written=node.sql(dialect=SuiteQLDialect))
        return exp.column(name, table=alias, quoted=True), kind

    def _literal(self, node: exp.Literal, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if node.is_string:
            if node.this == "":
                return exp.null(), Kind.NULL  # Oracle: '' is NULL
            return node, Kind.TEXT
        return node, Kind.NUMBER

    def _paren(self, node: exp.Paren, scope: _Scope) -> tuple[exp.Expression, Kind]:
        value, kind = self._expr(node.this, scope)
        return exp.Paren(this=value), kind

    def _number(self, node: exp.Expression, scope: _Scope) -> exp.Expression:
        """An operand used as a number: text converts (or fails) as in Oracle; dates are refused."""
        value, kind = self._value(node, scope)
        return self._as_number(value, kind, node)

    def _as_number(self, value: exp.Expression, kind: Kind, node: exp.Expression) -> exp.Expression:
        if kind is Kind.DATE:
            raise unsupported(f"date arithmetic or dates used as numbers ({_snippet(node)})")
        if kind is not Kind.TEXT:
            return value
        text = _string(value)
        if text is None:
            return _call("ns_to_number", value)
        try:
            number = sqlite_functions.to_number(text)
        except ValueError as exc:
            raise search_error(str(exc)) from None
        return exp.Literal.number(number)

    def _as_date(self, value: exp.Expression, kind: Kind, node: exp.Expression) -> exp.Expression:
        """A text literal next to a date is read in the user's date format, as NetSuite does."""
        if kind in (Kind.DATE, Kind.NULL):
            return value
        text = _string(value)
        if text is None:
            raise search_error(
                f"ORA-00932: inconsistent datatypes: expected DATE got {kind.value.upper()} in {_snippet(node)}"
            )
        try:
            return exp.Literal.string(oracle_dates.parse_user_date(text))
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None

    def _negate(self, node: exp.Neg, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return exp.Neg(this=self._number(node.this, scope)), Kind.NUMBER

    def _arithmetic(self, node: exp.Binary, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return type(node)(this=self._number(node.left, scope), expression=self._number(node.right, scope)), Kind.NUMBER

    def _divide(self, node: exp.Div, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return _call("ns_divide", self._number(node.left, scope), self._number(node.right, scope)), Kind.NUMBER

    def _concat(self, node: exp.DPipe, scope: _Scope) -> tuple[exp.Expression, Kind]:
        parts = []
        for operand in (node.left, node.right):
            value, kind = self._value(operand, scope)
            if kind is Kind.DATE:
                raise unsupported(f"concatenating a date without TO_CHAR ({_snippet(operand)})")
            parts.append(value)
        return _call("ns_concat", *parts), Kind.TEXT

    def _operand(self, node: exp.Expression, scope: _Scope) -> _Operand:
        value, kind = self._value(node, scope)
        return _Operand(value, kind, node)

    def _comparable(self, left: _Operand, right: _Operand) -> tuple[exp.Expression, exp.Expression]:
        """Both sides of a comparison, converted the way Oracle converts mixed kinds."""
        kinds = {left.kind, right.kind}
        if Kind.DATE in kinds:
            return self._as_date(*left), self._as_date(*right)
        if kinds == {Kind.TEXT, Kind.NUMBER}:
            return self._as_number(*left), self._as_number(*right)
        return left.value, right.value

    def _comparison(self, node: exp.Binary, scope: _Scope) -> tuple[exp.Expression, Kind]:
        left, right = self._comparable(self._operand(node.left, scope), self._operand(node.right, scope))
        return type(node)(this=left, expression=right), Kind.BOOL

    def _connective(self, node: exp.Connector, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return type(node)(
            this=self._condition(node.left, scope), expression=self._condition(node.right, scope)
        ), Kind.BOOL

    def _not(self, node: exp.Not, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return exp.Not(this=self._condition(node.this, scope)), Kind.BOOL

    def _is_null(self, node: exp.Is, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if not isinstance(node.expression, exp.Null):
            raise unsupported(f"IS other than IS [NOT] NULL ({_snippet(node)})")
        value, _kind = self._value(node.this, scope)
        return exp.Is(this=value, expression=exp.null()), Kind.BOOL

    def _in(self, node: exp.In, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if node.args.get("unnest") or node.args.get("field"):
            raise unsupported(_snippet(node))
        query = node.args.get("query")
        if query is not None:
            subquery = query.this if isinstance(query, exp.Subquery) else query
            if not isinstance(subquery, exp.Select):
                raise unsupported(_snippet(node))
            value, _kind = self._value(node.this, scope)
            outputs, _scope = self._select(subquery, parent=scope)
            if len(outputs) != 1:
                raise search_error("ORA-00913: too many values (an IN subquery must select one column)")
            return exp.In(this=value, query=exp.Subquery(this=subquery)), Kind.BOOL
        if len(node.expressions) > MAX_IN_LIST:
            raise search_error("ORA-01795: maximum number of expressions in a list is 1000")
        if not node.expressions:
            raise search_error("ORA-00936: missing expression (empty IN list)")
        subject = self._operand(node.this, scope)
        pairs = [self._comparable(subject, self._operand(member, scope)) for member in node.expressions]
        return exp.In(this=pairs[0][0], expressions=[member for _subject, member in pairs]), Kind.BOOL

    def _between(self, node: exp.Between, scope: _Scope) -> tuple[exp.Expression, Kind]:
        subject = self._operand(node.this, scope)
        value, low = self._comparable(subject, self._operand(node.args["low"], scope))
        _value, high = self._comparable(subject, self._operand(node.args["high"], scope))
        return exp.Between(this=value, low=low, high=high), Kind.BOOL

    def _like(self, node: exp.Like, scope: _Scope) -> tuple[exp.Expression, Kind]:
        parts = []
        for operand in (node.this, node.expression):
            value, kind = self._value(operand, scope)
            if kind is Kind.DATE:
                raise unsupported(f"LIKE on a date without TO_CHAR ({_snippet(operand)})")
            parts.append(value)
        return exp.Like(this=parts[0], expression=parts[1]), Kind.BOOL

    def _escape(self, node: exp.Escape, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if not isinstance(node.this, exp.Like) or _string(node.expression) is None:
            raise unsupported(_snippet(node))
        like, _kind = self._like(node.this, scope)
        return exp.Escape(this=like, expression=node.expression), Kind.BOOL

    def _exists(self, node: exp.Exists, scope: _Scope) -> tuple[exp.Expression, Kind]:
        subquery = node.this.this if isinstance(node.this, exp.Subquery) else node.this
        if not isinstance(subquery, exp.Select):
            raise unsupported(_snippet(node))
        self._select(subquery, parent=scope)
        return exp.Exists(this=subquery), Kind.BOOL

    def _scalar_subquery(self, node: exp.Subquery, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if not isinstance(node.this, exp.Select) or node.alias:
            raise unsupported(_snippet(node))
        outputs, _scope = self._select(node.this, parent=scope)
        if len(outputs) != 1:
            raise search_error("ORA-00913: too many values (a scalar subquery must select one column)")
        return exp.Subquery(this=node.this), outputs[0].kind

    def _case(self, node: exp.Case, scope: _Scope) -> tuple[exp.Expression, Kind]:
        operand = self._operand(node.args["this"], scope) if node.args.get("this") is not None else None
        branches = []
        results: list[tuple[exp.Expression, Kind, exp.Expression]] = []
        for branch in node.args.get("ifs") or []:
            if operand is not None:
                subject, condition = self._comparable(operand, self._operand(branch.this, scope))
                operand = _Operand(subject, operand.kind, operand.node)
            else:
                condition = self._condition(branch.this, scope)
            value, kind = self._value(branch.args["true"], scope)
            results.append((value, kind, branch.args["true"]))
            branches.append(condition)
        default = node.args.get("default")
        if default is not None:
            value, kind = self._value(default, scope)
            results.append((value, kind, default))
        kind = self._common_kind(results)
        rewritten = exp.Case(
            this=operand.value if operand is not None else None,
            ifs=[
                exp.If(this=condition, true=value)
                for condition, (value, _k, _n) in zip(branches, results, strict=False)
            ],
            default=results[-1][0] if default is not None else None,
        )
        return rewritten, kind

    def _common_kind(self, values: list[tuple[exp.Expression, Kind, exp.Expression]]) -> Kind:
        kinds = {kind for _value, kind, _node in values} - {Kind.NULL}
        if len(kinds) > 1:
            raise search_error(
                "ORA-00932: inconsistent datatypes: "
                + ", ".join(
                    f"{_snippet(node)} is {kind.value}" for _value, kind, node in values if kind is not Kind.NULL
                )
            )
        return kinds.pop() if kinds else Kind.NULL

    def _coalesce(self, node: exp.Coalesce, scope: _Scope) -> tuple[exp.Expression, Kind]:
        arguments = [node.this, *node.expressions]
        if node.args.get("is_nvl") and len(arguments) != 2:
            raise search_error("ORA-00909: invalid number of arguments (NVL takes two)")
        values = [(*self._value(argument, scope), argument) for argument in arguments]
        target = next((kind for _value, kind, _node in values if kind is not Kind.NULL), Kind.NULL)
        converted = []
        for value, kind, argument in values:
            if target is Kind.DATE:
                value = self._as_date(value, kind, argument)
            elif target is Kind.NUMBER and kind is Kind.TEXT:
                value = self._as_number(value, kind, argument)
            elif target is Kind.TEXT and kind is Kind.NUMBER:
                value = _call("ns_to_char_number", value)
            elif kind is Kind.DATE and target is not Kind.DATE:
                raise search_error(f"ORA-00932: inconsistent datatypes: expected {target.value} got date")
            converted.append(value)
        return exp.Coalesce(this=converted[0], expressions=converted[1:]), target

    def _abs(self, node: exp.Abs, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return exp.Abs(this=self._number(node.this, scope)), Kind.NUMBER

    def _text_operand(self, node: exp.Expression, scope: _Scope) -> exp.Expression:
        value, kind = self._value(node, scope)
        if kind is Kind.DATE:
            raise unsupported(f"text functions on a date without TO_CHAR ({_snippet(node)})")
        return value

    def _text_function(self, node: exp.Func, scope: _Scope) -> tuple[exp.Expression, Kind]:
        return type(node)(this=self._text_operand(node.this, scope)), Kind.TEXT

    def _trim(self, node: exp.Trim, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if any(node.args.get(part) for part in ("position", "expression", "collation")):
            raise unsupported(f"TRIM with LEADING/TRAILING/BOTH or a trim character ({_snippet(node)})")
        trimmed = exp.Trim(this=self._text_operand(node.this, scope))
        return exp.Nullif(this=trimmed, expression=exp.Literal.string("")), Kind.TEXT  # Oracle: '' is NULL

    def _substr(self, node: exp.Substring, scope: _Scope) -> tuple[exp.Expression, Kind]:
        text = self._text_operand(node.this, scope)
        start = node.args.get("start")
        length = node.args.get("length")
        if start is None:
            raise search_error("ORA-00938: not enough arguments for function SUBSTR")
        if length is None:
            return _call("ns_substr2", text, self._number(start, scope)), Kind.TEXT
        return _call("ns_substr3", text, self._number(start, scope), self._number(length, scope)), Kind.TEXT

    def _count(self, node: exp.Count, scope: _Scope) -> tuple[exp.Expression, Kind]:
        argument = node.this
        if isinstance(argument, exp.Star):
            return exp.Count(this=exp.Star()), Kind.NUMBER
        if isinstance(argument, exp.Distinct):
            if len(argument.expressions) != 1:
                raise unsupported("COUNT(DISTINCT ...) over several expressions")
            value, _kind = self._value(argument.expressions[0], scope)
            return exp.Count(this=exp.Distinct(expressions=[value])), Kind.NUMBER
        if argument is None or node.expressions:
            raise search_error("ORA-00909: invalid number of arguments for COUNT")
        return exp.Count(this=self._value(argument, scope)[0]), Kind.NUMBER

    def _numeric_aggregate(self, node: exp.AggFunc, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if isinstance(node.this, exp.Distinct):
            raise unsupported(f"DISTINCT inside {_snippet(node)}")
        return type(node)(this=self._number(node.this, scope)), Kind.NUMBER

    def _min_max(self, node: exp.AggFunc, scope: _Scope) -> tuple[exp.Expression, Kind]:
        if node.expressions:
            raise unsupported(f"{_snippet(node)} with several arguments (use GREATEST/LEAST)")
        value, kind = self._value(node.this, scope)
        return type(node)(this=value), kind

    def _function(self, node: exp.Anonymous, scope: _Scope) -> tuple[exp.Expression, Kind]:
        name = node.name.upper()
        if name == "TO_CHAR":
            return self._to_char(node.expressions, scope), Kind.TEXT
        if name in ("TO_DATE", "TO_TIMESTAMP"):
            return self._to_date(name, node.expressions, scope), Kind.DATE
        raise search_error(
            f"Invalid or unsupported search. Function {name} is not supported by the sandbox ({SUPPORTED_FUNCTIONS})."
        )

    def _format_model(self, name: str, node: exp.Expression) -> str:
        model = _string(node)
        if model is None:
            raise unsupported(f"a {name} format model that is not a string literal")
        try:
            oracle_dates.compile_format(model)
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None
        return model

    def _to_char(self, arguments: list[exp.Expression], scope: _Scope) -> exp.Expression:
        if not 1 <= len(arguments) <= 2:
            raise search_error("ORA-00909: invalid number of arguments for TO_CHAR")
        value, kind = self._value(arguments[0], scope)
        if kind is Kind.DATE:
            if len(arguments) == 1:
                return date_sql.user_date(value)
            return date_sql.to_char(value, self._format_model("TO_CHAR", arguments[1]))
        if len(arguments) == 2:
            raise unsupported("TO_CHAR with a number format model")
        return _call("ns_to_char_number", value)

    def _to_date(self, name: str, arguments: list[exp.Expression], scope: _Scope) -> exp.Expression:
        if not 1 <= len(arguments) <= 2:
            raise search_error(f"ORA-00909: invalid number of arguments for {name}")
        value, kind = self._value(arguments[0], scope)
        if kind is Kind.DATE:
            raise unsupported(f"{name} of a value that already is a date")
        model = self._format_model(name, arguments[1]) if len(arguments) == 2 else None
        text = _string(value)
        if text is None:
            return _call("ns_to_date", value, exp.Literal.string(model) if model else exp.null())
        # Fold literals now: the error surfaces with its message and SQLite can use the date index.
        try:
            folded = oracle_dates.parse(text, model) if model else oracle_dates.parse_user_date(text)
        except oracle_dates.DateFormatError as exc:
            raise search_error(str(exc)) from None
        return exp.Literal.string(folded)

    def _builtin(self, node: exp.Dot, scope: _Scope) -> tuple[exp.Expression, Kind]:
        call = node.expression
        if not (isinstance(node.this, exp.Identifier) and node.this.name.upper() == "BUILTIN"):
            raise unsupported(_snippet(node))
        if not isinstance(call, exp.Anonymous) or call.name.upper() not in ("CF", "DF"):
            raise unsupported(f"{_snippet(node)} (only BUILTIN.CF and BUILTIN.DF)")
        if len(call.expressions) != 1 or not isinstance(call.expressions[0], exp.Column):
            raise unsupported(f"{_snippet(node)} on anything but a field")
        column = call.expressions[0]
        name = column.name.lower()
        alias, table, _kind = scope.resolve(name, column.table.lower())
        field = exp.column(name, table=alias, quoted=True)
        if (table, name) == ("transaction", "status"):
            if call.name.upper() == "CF":
                # 'SalesOrd:C': the record type's code and the status letter.
                record_type = exp.column("type", table=alias, quoted=True)
                code = exp.DPipe(this=exp.DPipe(this=record_type, expression=exp.Literal.string(":")), expression=field)
                return exp.Paren(this=code), Kind.TEXT
            return self._labels(field, SALES_ORDER_STATUS_LABELS), Kind.TEXT
        if (table, name) == ("transaction", "type") and call.name.upper() == "DF":
            return self._labels(field, _TYPE_LABELS), Kind.TEXT
        raise unsupported(
            f"BUILTIN.{call.name.upper()} on {table}.{name} (only transaction.status, and DF of transaction.type)"
        )

    @staticmethod
    def _labels(field: exp.Expression, labels: dict[str, str]) -> exp.Expression:
        return exp.Case(
            this=field,
            ifs=[exp.If(this=exp.Literal.string(key), true=exp.Literal.string(label)) for key, label in labels.items()],
        )
