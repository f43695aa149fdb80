"""Parsing SuiteQL with sqlglot, and small helpers for the syntax tree."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from sandbox.netsuite.errors import search_error, unsupported_search

_DATE_FUNCTIONS = {"TO_CHAR", "TO_DATE", "TO_TIMESTAMP"}


class SuiteQLDialect(Oracle):
    class Parser(Oracle.Parser):
        # Keep Oracle's date functions as plain calls so their format models reach the sandbox untouched.
        FUNCTIONS = {name: build for name, build in Oracle.Parser.FUNCTIONS.items() if name not in _DATE_FUNCTIONS}

        def _parse_csv(self, parse_method, sep=TokenType.COMMA):
            """sqlglot drops an empty item after a separator (`SELECT id, FROM ...`); Oracle, and so NetSuite,
            rejects it (ORA-00936: missing expression), so a query that fails there fails here too."""
            result = parse_method()
            items = [result] if result is not None else []
            while self._match(sep):
                if isinstance(result, exp.Expr):
                    self._add_comments(result)
                result = parse_method()
                if result is None:
                    self.raise_error(f"ORA-00936: missing expression after {self._prev.text!r}")
                else:
                    items.append(result)
            return items

        def _parse_join(self, *args, **kwargs):
            """Likewise `FROM transaction t, WHERE ...`: sqlglot ignores the dangling comma (ORA-00903 in Oracle)."""
            comma = self._curr is not None and self._curr.token_type == TokenType.COMMA
            join = super()._parse_join(*args, **kwargs)
            if comma and join is None:
                self.raise_error("ORA-00903: invalid table name after ','")
            return join


def parse_select(query: str) -> exp.Select:
    """The one SELECT statement in `query`; anything else is a NetSuite-shaped 400."""
    if not query.strip():
        raise search_error("The query is empty.")
    try:
        statements = [statement for statement in sqlglot.parse(query, dialect=SuiteQLDialect) if statement is not None]
    except (ParseError, TokenError) as exc:
        raise search_error(f"Invalid or unsupported search. Syntax error: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise search_error("Invalid or unsupported search. Send exactly one statement.")
    statement = statements[0]
    if isinstance(statement, exp.SetOperation):
        raise unsupported_search("UNION, INTERSECT or MINUS")
    if not isinstance(statement, exp.Select):
        raise search_error("Invalid or unsupported search. SuiteQL runs SELECT statements only.")
    return statement


def snippet(node: exp.Expression) -> str:
    """The node as the client wrote it (shortened), for error messages."""
    return f"'{written(node)[:80]}'"


def written(node: exp.Expression) -> str:
    return node.sql(dialect=SuiteQLDialect, comments=False)


def string_value(node: exp.Expression) -> str | None:
    """The text of a string literal, or None for anything else."""
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


def call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def has_aggregate(expression: exp.Expression) -> bool:
    """An aggregate of this SELECT (not one inside a subquery)."""
    nodes = expression.walk(prune=lambda node: isinstance(node, (exp.Subquery, exp.Exists)))
    return any(isinstance(node, exp.AggFunc) for node in nodes)
