"""SuiteQL paging: limit/offset rules, page arrangement and NetSuite's collection body."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlglot import exp

from sandbox.netsuite import date_sql
from sandbox.netsuite.errors import invalid_parameter
from sandbox.netsuite.oracle_dates import user_date
from sandbox.netsuite.sqlite_functions import oracle_text
from sandbox.netsuite.suiteql import TranslatedQuery

MAX_PAGE_SIZE = 1000
MAX_REACHABLE_ROWS = 100_000  # SuiteQL over REST serves only the first 100,000 rows of a query
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int


def page_request(query: dict[str, list[str]]) -> PageRequest:
    limit = _integer_parameter(query, "limit", MAX_PAGE_SIZE)
    offset = _integer_parameter(query, "offset", 0)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise invalid_parameter(
            f"Invalid value {limit} for the query parameter 'limit'. The value must be between 1 and {MAX_PAGE_SIZE}.",
            "limit",
        )
    if offset % limit:
        raise invalid_parameter(
            f"Invalid value {offset} for the query parameter 'offset'. The offset must be a multiple of the limit ({limit}).",
            "offset",
        )
    if offset + limit > MAX_REACHABLE_ROWS:
        raise invalid_parameter(
            f"Invalid value {offset} for the query parameter 'offset'. A SuiteQL query returns at most the first "
            f"{MAX_REACHABLE_ROWS} results, so offset + limit cannot exceed {MAX_REACHABLE_ROWS}. "
            "Narrow the query instead, for example with a condition on the last id read.",
            "offset",
        )
    return PageRequest(limit, offset)


def _integer_parameter(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    if len(values) > 1 or not _DIGITS.match(values[0]):
        raise invalid_parameter(
            f"Invalid value {','.join(values)!r} for the query parameter '{name}'. Expected one non-negative integer.",
            name,
        )
    return int(values[0])


def check_offset_within(page: PageRequest, total: int) -> None:
    if page.offset and page.offset >= total:
        raise invalid_parameter(
            f"Invalid value {page.offset} for the query parameter 'offset'. The query has {total} results.",
            "offset",
        )


def arrange_page(rows: Sequence[tuple[Any, ...]], sort_keys: int, page: PageRequest) -> list[tuple[Any, ...]]:
    """The rows of one page, as one fresh execution of the query would order them.

    Real NetSuite runs the query again for every page, and rows that tie on the
    ORDER BY (all rows, without one) can come back in a different order each
    time: across pages they repeat or go missing. Shuffling ties per page (seeded
    by the offset, so runs repeat) makes a query without a unique ORDER BY fail
    here as it would there.
    """
    end = min(page.offset + page.limit, len(rows))
    if page.offset >= end:
        return []
    if sort_keys:
        # Rows sorted on their keys: no two neighbours alike (across the page's edges too) means no ties,
        # so nothing to shuffle and the page is the plain slice (the usual unique ORDER BY).
        first = max(page.offset - 1, 0)
        around = rows[first : end + 1]  # one read of the page and its neighbours
        keys = [row[-sort_keys:] for row in around]
        if len(set(keys)) == len(keys):
            return list(around[page.offset - first : end - first])

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return row[-sort_keys:] if sort_keys else ()

    start, stop = page.offset, end
    while start > 0 and key(rows[start - 1]) == key(rows[page.offset]):
        start -= 1
    while stop < len(rows) and key(rows[stop]) == key(rows[end - 1]):
        stop += 1
    shuffler = random.Random(page.offset)
    arranged: list[tuple[Any, ...]] = []
    for _key, group in itertools.groupby(rows[start:stop], key):
        ties = list(group)
        shuffler.shuffle(ties)
        arranged.extend(ties)
    return arranged[page.offset - start : end - start]


def collection(
    request_url: str, page: PageRequest, query: TranslatedQuery, rows: list[tuple[Any, ...]], total: int
) -> dict[str, Any]:
    """NetSuite's collection body: every value a string (dates in the user's format), NULL columns left out."""
    items = []
    dates = [index in query.date_columns for index in range(len(query.columns))]
    columns = list(zip(query.columns, dates, strict=True))
    for row in rows:
        item: dict[str, Any] = {"links": []}
        for (name, is_date), value in zip(columns, row, strict=False):
            if value is None:
                continue
            if is_date:
                item[name] = user_date(value)
            else:  # text needs no conversion (the usual case): skip the call
                item[name] = value if value.__class__ is str else oracle_text(value)
        items.append(item)
    return {
        "links": _links(request_url, page, total),
        "count": len(items),
        "hasMore": page.offset + len(items) < total,
        "items": items,
        "offset": page.offset,
        "totalResults": total,
    }


def encoded_collection(request_url: str, page: PageRequest, items: list[str], total: int) -> bytes:
    """The same body as `collection`, encoded, around items already rendered as JSON (`item_json_sql`)."""
    head = json.dumps(
        {"links": _links(request_url, page, total), "count": len(items), "hasMore": page.offset + len(items) < total},
        separators=(",", ":"),
    )
    tail = json.dumps({"offset": page.offset, "totalResults": total}, separators=(",", ":"))
    return f'{head[:-1]},"items":[{",".join(items)}],{tail[1:]}'.encode()


def item_json_sql(columns: tuple[str, ...], date_columns: frozenset[int]) -> str:
    """SQL rendering one row (stored as x0, x1, …) as `collection` renders an item, in a JSON object, and
    saying whether that row needs `collection` itself (a value SQL would print otherwise):
    `SELECT <this> FROM …` gives (item JSON, needs Python)."""
    values, odd = [], []
    for index, name in enumerate(columns):
        column = f"x{index}"
        if index in date_columns:
            text = date_sql.user_date(exp.column(column)).sql(dialect="sqlite")
            odd.append(f"substr({column}, 1, 1) = '0'")  # a year before 1000: Python drops the leading zero
        else:  # oracle_text: text as it is, integers, and integral floats below 1e15 without '.0'
            text = (
                f"CASE typeof({column}) WHEN 'text' THEN {column} WHEN 'integer' THEN CAST({column} AS TEXT) "
                f"WHEN 'real' THEN CAST(CAST({column} AS INTEGER) AS TEXT) END"
            )
        values.append(f"{_sql_string(name)}, {text}")
        # Other floats go to Python: SQLite's printf('%.15g') rounds ties differently from Python's.
        # (Compared, not abs(): SQLite may evaluate it for an integer, and abs(-2**63) overflows.)
        odd.append(
            f"typeof({column}) = 'blob' OR (typeof({column}) = 'real' "
            f"AND NOT ({column} = CAST({column} AS INTEGER) AND {column} < 1e15 AND {column} > -1e15))"
        )
    every = ", ".join(["'links', json_array()", *values])
    if not columns:
        return f"json_object({every}), 0"
    # NULL columns are left out: a merge patch drops its null members (RFC 7396).
    some_null = " OR ".join(f"x{index} IS NULL" for index in range(len(columns)))
    patched = f"json_patch(json_object('links', json_array()), json_object({', '.join(values)}))"
    return f"CASE WHEN {some_null} THEN {patched} ELSE json_object({every}) END, {' OR '.join(odd)}"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _links(request_url: str, page: PageRequest, total: int) -> list[dict[str, str]]:
    reachable = min(total, (MAX_REACHABLE_ROWS // page.limit) * page.limit)
    last_offset = max(0, (reachable - 1) // page.limit * page.limit)
    links = []
    if page.offset > 0:
        links.append(_link("previous", request_url, page.limit, max(0, page.offset - page.limit)))
    if page.offset + page.limit < reachable:
        links.append(_link("next", request_url, page.limit, page.offset + page.limit))
    links.append(_link("last", request_url, page.limit, last_offset))
    links.append({"rel": "self", "href": request_url})
    return links


def _link(rel: str, request_url: str, limit: int, offset: int) -> dict[str, str]:
    parts = urlsplit(request_url)
    return {
        "rel": rel,
        "href": urlunsplit((parts.scheme, parts.netloc, parts.path, f"limit={limit}&offset={offset}", "")),
    }
