"""Shopify's search syntax for `orders(query:)`, compiled to a predicate over stored orders.

Grammar (https://shopify.dev/docs/api/usage/search-syntax): terms separated by spaces are ANDed;
`OR` and `AND` connect terms (AND binds tighter); `NOT term` or `-term` negates; parentheses group;
a term is `field:value`, `field:<value`, `field:>=value`..., or a bare word; values may be quoted.

Like Shopify, an unknown field does not fail the query: the term is ignored (it matches everything)
and a warning is reported in the reply's `extensions.search`. That is exactly why a typo in a filter
is dangerous, so the sandbox reproduces it rather than hiding it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sandbox.shopify.gid import order_number_from_gid
from sandbox.shopify.store import StoredOrder
from sandbox.shopify.timestamps import parse_iso

Predicate = Callable[[StoredOrder], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        (?P<term>-?(?:[^\s()"':]+:)?(?:<=|>=|<|>)?(?:"[^"]*"|'[^']*'|[^\s()]+))
    )""",
    re.VERBOSE,
)
_TERM = re.compile(r"^(?P<negated>-)?(?:(?P<field>[^\s()\"':]+):)?(?P<op><=|>=|<|>)?(?P<value>.*)$", re.DOTALL)
_COMPARATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "": operator.eq}

FINANCIAL_STATUSES = {
    "authorized",
    "expired",
    "paid",
    "partially_paid",
    "partially_refunded",
    "pending",
    "refunded",
    "voided",
}
# UNVERIFIED: Shopify documents these filter values but not their exact mapping; this follows the REST
# Admin API's meaning ("unfulfilled" = nothing or only part shipped, "unshipped" = nothing shipped).
FULFILLMENT_FILTERS = {
    "fulfilled": {"FULFILLED"},
    "shipped": {"FULFILLED"},
    "partial": {"PARTIALLY_FULFILLED"},
    "unshipped": {"UNFULFILLED"},
    "unfulfilled": {"UNFULFILLED", "PARTIALLY_FULFILLED"},
    "scheduled": {"SCHEDULED"},
    "on_hold": {"ON_HOLD"},
    "request_declined": {"REQUEST_DECLINED"},
}
RETURN_STATUSES = {"return_requested", "in_progress", "inspection_complete", "returned", "return_failed", "no_return"}


class SearchSyntaxError(ValueError):
    pass


@dataclass
class CompiledSearch:
    predicate: Predicate
    warnings: list[dict[str, str]] = field(default_factory=list)


def compile_search(query: str | None) -> CompiledSearch:
    if query is None or not query.strip():
        return CompiledSearch(lambda order: True)
    warnings: list[dict[str, str]] = []
    parser = _Parser(_tokenize(query), warnings)
    predicate = parser.parse()
    return CompiledSearch(predicate, warnings)


def _tokenize(query: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise SearchSyntaxError(f"cannot parse search query near {query[position:]!r}")
        tokens.append(match["open"] or match["close"] or match["term"])
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], warnings: list[dict[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.warnings = warnings

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.position != len(self.tokens):
            raise SearchSyntaxError(f"unexpected {self.tokens[self.position]!r} in search query")
        return predicate

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _or(self) -> Predicate:
        alternatives = [self._and()]
        while self._peek() == "OR":
            self.position += 1
            alternatives.append(self._and())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda order: any(alternative(order) for alternative in alternatives)

    def _and(self) -> Predicate:
        required = [self._unary()]
        while (token := self._peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.position += 1
            required.append(self._unary())
        if len(required) == 1:
            return required[0]
        return lambda order: all(condition(order) for condition in required)

    def _unary(self) -> Predicate:
        token = self._peek()
        if token is None:
            raise SearchSyntaxError("search query ends where a term was expected")
        self.position += 1
        if token == "NOT":
            inner = self._unary()
            return lambda order: not inner(order)
        if token == "(":
            inner = self._or()
            if self._peek() != ")":
                raise SearchSyntaxError("unbalanced parentheses in search query")
            self.position += 1
            return inner
        if token == ")":
            raise SearchSyntaxError("unbalanced parentheses in search query")
        return self._term(token)

    def _term(self, token: str) -> Predicate:
        match = _TERM.match(token)
        assert match is not None  # the pattern accepts any text
        value = _unquote(match["value"])
        name = (match["field"] or "").lower()
        predicate = _field_predicate(name, match["op"] or "", value, self.warnings)
        if match["negated"]:
            return lambda order: not predicate(order)
        return predicate


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _field_predicate(name: str, op: str, value: str, warnings: list[dict[str, str]]) -> Predicate:
    compare = _COMPARATORS[op]
    lowered = value.lower()
    if name == "":
        return _default_field(lowered)
    if name == "id":
        order_id = _parse_id(value)
        if order_id is None:
            warnings.append({"field": name, "message": f"Invalid id value: {value}"})
            return lambda order: False
        return lambda order: compare(order.id, order_id)
    if name == "name":
        wanted = lowered.lstrip("#")
        return lambda order: order.name.lower().lstrip("#") == wanted
    if name == "status":
        return _status_predicate(lowered, warnings)
    if name == "financial_status":
        if lowered not in FINANCIAL_STATUSES:
            warnings.append({"field": name, "message": f"Invalid value: {value}"})
            return lambda order: False
        wanted = lowered.upper()
        return lambda order: order.financial_status == wanted
    if name == "fulfillment_status":
        if lowered not in FULFILLMENT_FILTERS:
            warnings.append({"field": name, "message": f"Invalid value: {value}"})
            return lambda order: False
        statuses = FULFILLMENT_FILTERS[lowered]
        return lambda order: order.fulfillment_status in statuses
    if name == "return_status":
        if lowered not in RETURN_STATUSES:
            warnings.append({"field": name, "message": f"Invalid value: {value}"})
            return lambda order: False
        wanted = lowered.upper()
        return lambda order: order.return_status == wanted
    if name == "tag":
        return lambda order: any(tag.lower() == lowered for tag in order.tags)
    if name == "tag_not":
        return lambda order: all(tag.lower() != lowered for tag in order.tags)
    if name == "test":
        wanted_test = lowered == "true"
        return lambda order: order.test == wanted_test
    if name in ("created_at", "updated_at", "processed_at"):
        moment = _parse_moment(value)
        if moment is None:
            warnings.append({"field": name, "message": f"Invalid date value: {value}"})
            return lambda order: False
        attribute = "created_at" if name == "processed_at" else name
        return lambda order: compare(getattr(order, attribute), moment)
    warnings.append({"field": name, "message": "Invalid search field for this query."})
    return lambda order: True


def _default_field(word: str) -> Predicate:
    """A bare word searches several fields case-insensitively; the sandbox looks at name and tags."""
    bare = word.lstrip("#")
    return lambda order: bare in order.name.lower() or any(word == tag.lower() for tag in order.tags)


def _status_predicate(value: str, warnings: list[dict[str, str]]) -> Predicate:
    if value == "any":
        return lambda order: True
    if value == "open":
        return lambda order: not order.closed and order.cancelled_at is None
    if value == "closed":
        return lambda order: order.closed
    if value == "cancelled":
        return lambda order: order.cancelled_at is not None
    if value == "not_closed":
        return lambda order: not order.closed
    warnings.append({"field": "status", "message": f"Invalid value: {value}"})
    return lambda order: False


def _parse_id(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    return order_number_from_gid(value)


def _parse_moment(value: str) -> datetime | None:
    """ISO dates or datetimes; a date means its midnight UTC; naive datetimes are taken as UTC."""
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return parse_iso(value)
