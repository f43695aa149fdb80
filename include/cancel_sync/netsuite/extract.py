"""Extract: canceled NetSuite sales orders → compact records in batches for XCom, each order routed to its store.

Window bounds go to NetSuite in the token user's time zone (the client's clock); the times NetSuite prints
come back as UTC. One read serves every store: the query reads each store's link field and what each store
selector looks at, and each order is routed in Python (stores.py)."""

from __future__ import annotations

import gc
import itertools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from include.cancel_sync.netsuite.client import NetSuiteClient, SuiteQLResult
from include.cancel_sync.netsuite.order_status import flag, status_letter
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.records import CanceledOrder
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.order_ids import ORDER_GID_PREFIX, parse_shopify_link
from include.cancel_sync.stores import Store, StoreRouter, implicit_stores
from include.cancel_sync.window import Window

log = logging.getLogger(__name__)

SHOPIFY_BATCH_SIZE = 250  # nodes(ids:) takes at most 250 ids
MAX_MAPPED_BATCHES = 1000  # below Airflow's max_map_length (1024)
_IDS_PER_QUERY = 900  # keeps IN lists short
_MAX_ORDER_DIGITS = 19  # as links.parse_shopify_link reads a numeric id


def extract_canceled_orders(
    client: NetSuiteClient,
    settings: SyncSettings,
    window: Window | None,
    stores: tuple[Store, ...] | None = None,
) -> list[CanceledOrder]:
    """Every candidate order once, ordered by NetSuite id, routed to its store (`stores`; None: the implicit
    one), with its Shopify link read from its store's link field and its time in UTC."""
    reading = _Reading(settings, stores or implicit_stores())
    seen: dict[int, CanceledOrder] = {}
    to_utc = client.clock.to_utc
    with _cyclic_gc_paused():
        for items in _pages(client, reading.columns, settings.order_ids, window):
            for row in items:
                record = reading.record(row, to_utc)
                seen[record["id"]] = record  # the overlap and window splits may repeat an order
    return [seen[key] for key in sorted(seen)]


class _Reading:
    """The columns the query reads for these stores, and how a row becomes a routed record."""

    def __init__(self, settings: SyncSettings, stores: tuple[Store, ...]) -> None:
        self.router = StoreRouter(stores)
        # Each store's link field (its override, else the global one); an order of no store is read by the global.
        link_of = {store.name: store.settings(settings).link_field for store in stores}
        fields = tuple(dict.fromkeys([settings.link_field, *link_of.values()]))
        self.columns = OrderColumns(fields, self.router.sources)
        self._link_key = {name: f"shopify_link_{fields.index(field)}" for name, field in link_of.items()}
        self._key_names = tuple(f"store_key_{i}" for i in range(len(self.router.sources)))

    def record(self, row: dict[str, Any], to_utc: Callable[[str], str]) -> CanceledOrder:
        route = self.router.route(tuple(row.get(key) for key in self._key_names))
        record = _record(row, to_utc, self._link_key.get(route.store, "shopify_link_0"))
        record["store"] = route.store
        if route.store is None:
            record["routing"] = route.decision
            record["routing_reason"] = route.reason
        return record


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pages and records hold no reference cycles, but allocating them triggers Python's full collections,
    and each walks the task process's whole heap (Airflow's modules included): ~150 ms during which every
    page in flight waits. Measured at 100,000 orders: ~10% more pages/s with the collector paused."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _pages(
    client: NetSuiteClient, columns: OrderColumns, order_ids: tuple[int, ...], window: Window | None
) -> Iterator[list[dict[str, Any]]]:
    """The rows of every query the extraction needs, a page at a time."""
    if order_ids:
        # Every chunk started at once: the client's pool fetches them max_concurrency at a time.
        chunks = [
            client.query(canceled_orders_query(columns, None, client.clock, order_ids[start : start + _IDS_PER_QUERY]))
            for start in range(0, len(order_ids), _IDS_PER_QUERY)
        ]
        for result in chunks:
            yield from result.pages()
        return
    query = canceled_orders_query(columns, window, client.clock)
    yield from _window_pages(client, columns, window, client.query(query))


def _window_pages(
    client: NetSuiteClient, columns: OrderColumns, window: Window, result: SuiteQLResult
) -> Iterator[list[dict[str, Any]]]:
    """The pages of `result`, the window's query, whose first page tells how many rows it matches.

    A query serves at most 100,000 rows (`client.max_rows`): a window holding more is split until each
    part fits. Exactly that many is ambiguous, as NetSuite may report no more than it serves: the last
    page it serves is fetched among the first, and the rows after its last row, asked for right away,
    settle it. Rows already yielded when that says split come again from the halves; the caller keeps
    each order once."""
    limit = client.max_rows
    splittable = (window.end - window.start).total_seconds() > 1
    if not splittable or result.total < limit:
        yield from result.pages()  # an unsplittable window over the limit fails here with TOO_MANY_ROWS
        return
    if result.total > limit:
        yield from _split(client, columns, window, result.total)
        return
    last = result.prefetch(limit - client.page_size)
    beyond: Future[dict[str, Any]] | None = None
    pages = result.pages(more_fails=False)
    for items in pages:
        if beyond is None and last.done():
            beyond = _rows_after(client, columns, window, last)
        if _more(last, beyond, wait=False):
            pages.close()
            break
        yield items
    if beyond is None:
        beyond = _rows_after(client, columns, window, last)
    if _more(last, beyond, wait=True):
        yield from _split(client, columns, window, f"more than {limit}")


def _more(last_page: Future[dict[str, Any]], beyond: Future[dict[str, Any]] | None, wait: bool) -> bool:
    """Whether the window holds more rows than its query serves: the last page says so (`hasMore`), or
    the rows after it are not none. Without `wait`, only what has arrived counts."""
    if (wait or last_page.done()) and last_page.result().get("hasMore"):
        return True
    return beyond is not None and (wait or beyond.done()) and bool(beyond.result()["items"])


def _rows_after(
    client: NetSuiteClient, columns: OrderColumns, window: Window, last_page: Future[dict[str, Any]]
) -> Future[dict[str, Any]]:
    """The first page of the window's rows after the last one of `last_page` (ordered by id)."""
    items = last_page.result()["items"]
    if not items:  # the window shrank meanwhile: nothing after it
        nothing: Future[dict[str, Any]] = Future()
        nothing.set_result({"items": []})
        return nothing
    return client.submit(canceled_orders_query(columns, window, client.clock, after_id=int(items[-1]["id"])))


def _split(
    client: NetSuiteClient, columns: OrderColumns, window: Window, total: int | str
) -> Iterator[list[dict[str, Any]]]:
    log.info("Window %s..%s holds %s orders; splitting it", window.start, window.end, total)
    # Both halves' first pages start now, so the second is ready when the first half is done.
    halves = [(half, client.query(canceled_orders_query(columns, half, client.clock))) for half in window.split()]
    for half, result in halves:
        yield from _window_pages(client, columns, half, result)


def _record(row: dict[str, Any], to_utc: Callable[[str], str], link_key: str = "shopify_link_0") -> CanceledOrder:
    raw = row.get(link_key)
    problem = None
    # The usual link, a plain positive order number, read here: what parse_shopify_link would say, in
    # half the time per page (it runs between pages, while replies wait for the interpreter).
    if raw.__class__ is str and len(raw) <= _MAX_ORDER_DIGITS and raw.isascii() and raw.isdigit() and int(raw) > 0:
        gid = f"{ORDER_GID_PREFIX}{int(raw)}"
    else:
        link = parse_shopify_link(raw)
        gid, problem = link.gid, link.problem
    modified = row.get("lastmodified")
    record: CanceledOrder = {
        "id": int(row["id"]),
        "tranid": row.get("tranid", ""),
        "status": status_letter(row.get("status")),
        "modified": to_utc(modified) if modified else None,
        "gid": gid,
    }
    if problem:
        record["problem"] = problem
    if flag(row.get("billed")):
        record["billed"] = True
    return record


def make_batches(records: list[CanceledOrder], size: int = SHOPIFY_BATCH_SIZE) -> list[list[CanceledOrder]]:
    """Batches of `size` (250: what nodes(ids:) takes), grown in multiples of it when there would be more than
    Airflow can map.

    A batch holds one store's orders (its task talks to that store's shop; orders of no store make their own
    batches); the stores' batches alternate. The orders of a store that link one Shopify order stay in one
    batch, so one task decides about that Shopify order and cancels it once."""
    stores: dict[str | None, dict[str | int, list[CanceledOrder]]] = {}
    for record in records:
        groups = stores.setdefault(record.get("store"), {})
        groups.setdefault(record["gid"] or record["id"], []).append(record)
    counts = [sum(map(len, groups.values())) for groups in stores.values()]
    step = size
    while sum(-(-count // size) for count in counts) > MAX_MAPPED_BATCHES:
        size += step
    per_store: list[list[list[CanceledOrder]]] = []
    for groups in stores.values():
        batches: list[list[CanceledOrder]] = [[]]
        for group in groups.values():
            if batches[-1] and len(batches[-1]) + len(group) > size:
                batches.append([])
            batches[-1].extend(group)
        per_store.append(batches)
    # Taken in turn from each store: Airflow starts mapped tasks in index order, so the pool's slots hold
    # several stores' batches at once (each store has its own rate-limit bucket) rather than one store's.
    return [batch for turn in itertools.zip_longest(*per_store) for batch in turn if batch is not None]
