"""Runs SuiteQL against the store, remembering recent results for paging.

Real NetSuite re-runs the query for every page. Caching by (query, data
version) answers the same as a re-run would — a write to the store changes the
version — while making a deep page as cheap as the first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from include.sandbox.netsuite.errors import invalid_query
from include.sandbox.netsuite.paging import MAX_REACHABLE_ROWS
from include.sandbox.netsuite.store import QueryFailed, SalesOrderStore
from include.sandbox.netsuite.suiteql import TranslatedQuery, translate


@dataclass(frozen=True)
class QueryOutcome:
    query: TranslatedQuery
    rows: list[tuple[Any, ...]]  # the first MAX_REACHABLE_ROWS rows, in ORDER BY order
    total: int


class SuiteQLExecutor:
    def __init__(self, store: SalesOrderStore, cached_results: int = 8) -> None:
        self.store = store
        self.cached_results = cached_results
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], QueryOutcome] = OrderedDict()

    def run(self, suiteql: str) -> QueryOutcome:
        key = (suiteql, self.store.version)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        translated = translate(suiteql, self.store.schema)
        try:
            result = self.store.run_query(translated.sql, MAX_REACHABLE_ROWS)
        except QueryFailed as exc:
            raise invalid_query(f"Search error occurred: {exc}") from None
        outcome = QueryOutcome(translated, result.rows, result.total)
        with self._lock:
            self._cache[key] = outcome
            while len(self._cache) > self.cached_results:
                self._cache.popitem(last=False)
        return outcome
