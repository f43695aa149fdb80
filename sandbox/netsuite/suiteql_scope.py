"""Name resolution for SuiteQL: which tables a SELECT sees, and the typed values translation passes around."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlglot import exp

from sandbox.netsuite.errors import search_error
from sandbox.netsuite.schema import Kind, Schema


class Operand(NamedTuple):
    value: exp.Expression  # rewritten for SQLite
    kind: Kind
    node: exp.Expression  # as the client wrote it, for messages


@dataclass
class Output:
    """One column of a SELECT list."""

    name: str | None  # None: an unnamed expression (NetSuite calls it exprN)
    kind: Kind
    expression: exp.Expression


class Scope:
    """Tables visible in one SELECT (alias → table), chained to the enclosing SELECT's scope."""

    def __init__(self, schema: Schema, parent: Scope | None) -> None:
        self.schema = schema
        self.parent = parent
        self.tables: dict[str, str] = {}

    def add(self, alias: str, table: str) -> None:
        if alias in self.tables:
            raise search_error(f"Duplicate table alias '{alias}'.")
        self.tables[alias] = table

    def columns(self, alias: str) -> list[Output]:
        """`alias.*`, column by column."""
        table = self.schema.columns(self.tables[alias])
        return [Output(name, kind, exp.column(name, table=alias, quoted=True)) for name, kind in table.items()]

    def resolve(self, name: str, qualifier: str, written: str = "") -> tuple[str, str, Kind]:
        """(alias, table, kind) of a column, searching inner scopes first as Oracle does."""
        scope: Scope | None = self
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
                    alias = matches[0]
                    return alias, scope.tables[alias], self.schema.columns(scope.tables[alias])[name]
            scope = scope.parent
        shown = written or (f"{qualifier}.{name}" if qualifier else name)
        raise search_error(f"Unknown identifier '{shown}'. Available identifiers are: {{{self._visible()}}}.")

    def _visible(self) -> str:
        pairs: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            pairs.extend(f"{alias}={table}" for alias, table in scope.tables.items())
            scope = scope.parent
        return ", ".join(pairs)
