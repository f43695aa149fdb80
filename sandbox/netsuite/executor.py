"""Runs SuiteQL against the store, remembering recent results for paging.

Real NetSuite re-runs the query for every page. Caching by (query, data
version) answers the same as a re-run would — a write to the store changes the
version — while making a deep page as cheap as the first. Results stay in the
store (a temporary table each) and a page reads only its own rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sandbox.netsuite.errors import invalid_query
from sandbox.netsuite.paging import MAX_REACHABLE_ROWS
from sandbox.netsuite.store import QueryFailed, SalesOrderStore, StoredRows
from sandbox.netsuite.suiteql import TranslatedQuery, translate


@dataclass(frozen=True)
class QueryOutcome:
    query: TranslatedQuery
    rows: StoredRows  # the first MAX_REACHABLE_ROWS rows, in ORDER BY order, read as pages need them
    total: int


class SuiteQLExecutor:
    def __init__(self, store: SalesOrderStore, cached_results: int = 8) -> None:
        self.store = store
        self.cached_results = cached_results
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], QueryOutcome] = OrderedDict()
        self._building: dict[tuple[str, int], threading.Lock] = {}

    def run(self, suiteql: str) -> QueryOutcome:
        key = (suiteql, self.store.version)
        with self._lock:
            cached = self._cached(key)
            if cached:
                return cached
            building = self._building.setdefault(key, threading.Lock())
        with building:  # requests for a query being run wait for it instead of running it again
            with self._lock:
                cached = self._cached(key)
                if cached:
                    return cached
            try:
                outcome = self._execute(suiteql)
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._cache[key] = outcome
                while len(self._cache) > self.cached_results:
                    self.store.drop_result(self._cache.popitem(last=False)[1].rows)
        return outcome

    def _cached(self, key: tuple[str, int]) -> QueryOutcome | None:
        outcome = self._cache.get(key)
        if outcome is None or outcome.rows.dropped:
            self._cache.pop(key, None)
            return None
        self._cache.move_to_end(key)
        return outcome

    def _execute(self, suiteql: str) -> QueryOutcome:
        translated = translate(suiteql, self.store.schema, self.store.zone)
        width = len(translated.columns) + translated.sort_keys
        try:
            rows, total = self.store.keep_result(translated.sql, width, MAX_REACHABLE_ROWS)
        except QueryFailed as exc:
            raise invalid_query(f"Search error occurred: {exc}") from None
        return QueryOutcome(translated, rows, total)
