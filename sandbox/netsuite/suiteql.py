"""SuiteQL → SQLite translation with sqlglot.

The query is parsed with sqlglot's Oracle dialect (`suiteql_syntax`), then every
node is checked against what the sandbox implements: identifiers are resolved
against the schema (`suiteql_scope`), expressions keep Oracle's meaning
(`suiteql_expressions`, `suiteql_functions`). Anything not understood becomes a
NetSuite-shaped 400 rather than a silently different answer.

The top-level SELECT is rewritten to return its columns as c0..cN followed by
the ORDER BY values as k0..kM, which paging uses to find rows whose order the
query leaves open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from sandbox.netsuite.errors import invalid_query, search_error, unsupported_search
from sandbox.netsuite.schema import Kind, Schema
from sandbox.netsuite.session_zone import SessionTimeZone
from sandbox.netsuite.suiteql_expressions import ExpressionTranslator
from sandbox.netsuite.suiteql_scope import Output, Scope
from sandbox.netsuite.suiteql_syntax import has_aggregate, parse_select, snippet, written

_SELECT_CLAUSES = {"expressions", "from_", "joins", "where", "group", "having", "order", "distinct"}
_PAGING_CLAUSES = {"limit", "offset", "fetch"}
_TABLE_PARTS = {"this", "alias"}
_OPAQUE = (exp.Subquery, exp.Exists, exp.AggFunc)  # grouping rules do not look inside these


@dataclass(frozen=True)
class TranslatedQuery:
    sql: str
    columns: tuple[str, ...]  # lowercased output names, in select order
    # Columns holding dates (instants already turned to the user's wall clock): shown in the user's format,
    # but only when a page is rendered, so that DISTINCT, GROUP BY and sorting still see the full date and
    # time as Oracle does.
    date_columns: frozenset[int]
    sort_keys: int  # ORDER BY values appended to each row after the columns


@dataclass
class _Grouping:
    """What a SELECT groups by; an aggregated SELECT may only show grouped columns or aggregates."""

    aggregated: bool = False
    keys: set[str] = field(default_factory=set)  # SQL of the GROUP BY expressions

    def check(self, expression: exp.Expression) -> None:
        if not self.aggregated:
            return
        for node in expression.walk(prune=lambda node: isinstance(node, _OPAQUE) or node.sql() in self.keys):
            if isinstance(node, exp.Column) and node.sql() not in self.keys:
                error = (
                    "ORA-00979: not a GROUP BY expression"
                    if self.keys
                    else "ORA-00937: not a single-group group function"
                )
                raise search_error(f"{error}: {snippet(node)}")


def translate(query: str, schema: Schema, zone: SessionTimeZone | None = None) -> TranslatedQuery:
    """`zone`: the token user's time zone (default UTC), for datetimes shown, compared and formatted."""
    return _StatementTranslator(schema, zone or SessionTimeZone()).translate(query)


class _StatementTranslator:
    def __init__(self, schema: Schema, zone: SessionTimeZone) -> None:
        self.schema = schema
        self.expressions = ExpressionTranslator(
            subquery=lambda select, scope: self._select(select, scope)[0], zone=zone
        )

    def translate(self, query: str) -> TranslatedQuery:
        select = parse_select(query)
        outputs, scope, grouping = self._select(select, parent=None)
        names = _output_names(outputs)
        sort_keys = self._sort_keys(select, outputs, names, scope, grouping)
        # An instant is shown on the user's wall clock; sort keys above keep the instant itself.
        columns = [exp.alias_(self._shown(out), f"c{i}") for i, out in enumerate(outputs)]
        keys = [exp.alias_(ordered.this, f"k{i}") for i, ordered in enumerate(sort_keys)]
        select.set("expressions", columns + keys)
        if sort_keys:
            order = [
                exp.Ordered(
                    this=exp.column(f"k{i}"), desc=key.args.get("desc"), nulls_first=key.args.get("nulls_first")
                )
                for i, key in enumerate(sort_keys)
            ]
            select.set("order", exp.Order(expressions=order))
        date_columns = frozenset(i for i, out in enumerate(outputs) if out.kind.is_datetime)
        return TranslatedQuery(select.sql(dialect="sqlite", comments=False), tuple(names), date_columns, len(sort_keys))

    def _shown(self, out: Output) -> exp.Expression:
        return self.expressions.local(out.expression) if out.kind is Kind.INSTANT else out.expression

    def _sort_keys(
        self, select: exp.Select, outputs: list[Output], names: list[str], scope: Scope, grouping: _Grouping
    ) -> list[exp.Ordered]:
        """ORDER BY terms as values: a position or an output name picks a select-list column, as in Oracle."""
        order = select.args.get("order")
        keys = []
        for ordered in order.expressions if order else []:
            term = ordered.this
            if isinstance(term, exp.Literal) and not term.is_string:
                position = int(term.this)
                if not 1 <= position <= len(outputs):
                    raise search_error("ORA-01785: ORDER BY item must be the number of a SELECT-list expression")
                value = outputs[position - 1].expression.copy()
            elif isinstance(term, exp.Column) and not term.table and term.name.lower() in names:
                value = outputs[names.index(term.name.lower())].expression.copy()
            else:
                value, _kind = self.expressions.value(term, scope)
                grouping.check(value)
            if select.args.get("distinct") and value.sql() not in {out.expression.sql() for out in outputs}:
                raise search_error("ORA-01791: not a SELECTed expression")
            keys.append(
                exp.Ordered(this=value, desc=ordered.args.get("desc"), nulls_first=ordered.args.get("nulls_first"))
            )
        return keys

    # --- SELECT -----------------------------------------------------------------------------------

    def _select(self, select: exp.Select, parent: Scope | None) -> tuple[list[Output], Scope, _Grouping]:
        """Check and rewrite one SELECT in place (all but its ORDER BY)."""
        for clause, value in select.args.items():
            if value and clause not in _SELECT_CLAUSES:
                hint = " (page with the limit and offset URL parameters)" if clause in _PAGING_CLAUSES else ""
                raise unsupported_search(f"the {clause.rstrip('_').upper()} clause{hint}")
        distinct = select.args.get("distinct")
        if distinct and distinct.args.get("on"):
            raise unsupported_search("DISTINCT ON")
        if parent is not None and select.args.get("order"):
            raise search_error("ORA-00907: missing right parenthesis (ORDER BY is not allowed in a subquery)")
        scope = Scope(self.schema, parent)
        self._from(select, scope)
        outputs = self._select_list(select, scope)
        if not outputs:
            raise search_error("ORA-00936: missing expression (the select list is empty)")
        select.set("expressions", [out.expression for out in outputs])
        if select.args.get("where"):
            select.set("where", exp.Where(this=self.expressions.condition(select.args["where"].this, scope)))
        grouping = self._group_by(select, scope)
        having = select.args.get("having")
        if having:
            select.set("having", exp.Having(this=self.expressions.condition(having.this, scope)))
        checked = [out.expression for out in outputs] + ([select.args["having"].this] if having else [])
        grouping.aggregated = grouping.aggregated or any(has_aggregate(expression) for expression in checked)
        for expression in checked:
            grouping.check(expression)
        return outputs, scope, grouping

    def _group_by(self, select: exp.Select, scope: Scope) -> _Grouping:
        group = select.args.get("group")
        if not group:
            return _Grouping()
        if any(value for part, value in group.args.items() if part != "expressions"):
            raise unsupported_search("ROLLUP, CUBE or GROUPING SETS")
        keys = [self.expressions.value(term, scope)[0] for term in group.expressions]
        group.set("expressions", keys)
        return _Grouping(aggregated=True, keys={key.sql() for key in keys})

    def _from(self, select: exp.Select, scope: Scope) -> None:
        source = select.args.get("from_")
        if source is None:
            raise search_error("ORA-00923: FROM keyword not found where expected")
        self._table(source.this, scope)
        joins = select.args.get("joins") or []
        ansi = [bool(join.args.get("on") or join.args.get("kind") or join.args.get("side")) for join in joins]
        if any(ansi) and not all(ansi):
            raise search_error("Invalid or unsupported search. ANSI and non-ANSI joins cannot be mixed in one query.")
        for join, is_ansi in zip(joins, ansi, strict=True):
            if join.args.get("using") or join.args.get("method"):
                raise unsupported_search("JOIN ... USING or NATURAL joins")
            self._table(join.this, scope)
            condition = join.args.get("on")
            if condition is not None:
                join.set("on", self.expressions.condition(condition, scope))
            elif is_ansi and (join.args.get("kind") or "").upper() != "CROSS":
                raise search_error("ORA-00905: missing keyword (a JOIN needs an ON condition)")

    def _table(self, node: exp.Expression, scope: Scope) -> None:
        if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
            raise unsupported_search(f"{snippet(node)} in FROM (only the tables {', '.join(self.schema.tables)})")
        if any(value for part, value in node.args.items() if part not in _TABLE_PARTS):
            raise invalid_query(f"Invalid search type: {written(node)}.")
        table = node.name.lower()
        if table not in self.schema.tables:
            raise invalid_query(f"Invalid search type: {node.name}.")
        alias_node = node.args.get("alias")
        if alias_node is not None and alias_node.args.get("columns"):
            raise unsupported_search("column aliases on a table alias")
        alias = (node.alias or table).lower()
        scope.add(alias, table)
        node.set("this", exp.to_identifier(table, quoted=True))
        node.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))

    def _select_list(self, select: exp.Select, scope: Scope) -> list[Output]:
        outputs: list[Output] = []
        for item in select.expressions:
            if isinstance(item, exp.Star):
                for alias in scope.tables:
                    outputs.extend(scope.columns(alias))
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                qualifier = item.table.lower()
                if qualifier not in scope.tables:
                    raise search_error(f"Unknown identifier '{item.table}.*'.")
                outputs.extend(scope.columns(qualifier))
            elif isinstance(item, exp.Alias):
                value, kind = self.expressions.value(item.this, scope)
                outputs.append(Output(item.alias.lower(), kind, value))
            else:
                value, kind = self.expressions.value(item, scope)
                outputs.append(Output(item.name.lower() if isinstance(item, exp.Column) else None, kind, value))
        return outputs


def _output_names(outputs: list[Output]) -> list[str]:
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
        raise unsupported_search(f"two result columns with the same name ({', '.join(duplicates)}); give them aliases")
    return names
