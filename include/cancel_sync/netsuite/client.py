"""SuiteQL over REST with retries, bounded parallel paging and NetSuite's limits."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Protocol, runtime_checkable

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from include.cancel_sync.errors import NetSuiteError, TransientError
from include.cancel_sync.netsuite.time_zone import NetSuiteClock

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
MAX_PAGE_SIZE = 1000
MAX_ROWS_PER_QUERY = 100_000
MAX_UNAUTHORIZED_RETRIES = 2
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Unauthorized(TransientError):
    def __init__(self, error: NetSuiteError, request: requests.PreparedRequest) -> None:
        super().__init__(str(error))
        self.error = error
        self.request = request


@runtime_checkable
class RenewableAuth(Protocol):
    """An auth whose credential NetSuite can refuse and the auth can replace (an OAuth 2.0 access token)."""

    def refused(self, request: requests.PreparedRequest) -> None: ...


def too_many_rows(total: int | str) -> NetSuiteError:
    return NetSuiteError(400, "TOO_MANY_ROWS", f"query matches {total} rows; split it below {MAX_ROWS_PER_QUERY}")


class NetSuiteClient:
    """`session_factory` makes a signed requests.Session; each worker thread gets its own.

    Requests run on one pool of threads and each holds one of `max_concurrency` slots from sending to
    the last byte of its reply, so the client never has more requests in flight than that, however many
    queries run at once. Signing the next request and decoding the last reply happen outside the
    slots: NetSuite always has `max_concurrency` requests of ours while there are pages to fetch."""

    def __init__(
        self,
        session_factory: Callable[[], requests.Session],
        base_url: str,
        clock: NetSuiteClock,
        page_size: int = MAX_PAGE_SIZE,
        max_concurrency: int = 2,
        max_attempts: int = 6,
        backoff_max: float = 30.0,
        timeout: tuple[float, float] = (10.0, 300.0),
        verify: bool | str = True,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{MAX_PAGE_SIZE}")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.url = base_url.rstrip("/") + SUITEQL_PATH
        self.clock = clock  # the token user's time zone: SuiteQL compares and prints datetimes in it
        self.page_size = page_size
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.verify = verify
        self._session_factory = session_factory
        self._local = threading.local()
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(max_attempts),
            wait=wait_exponential_jitter(multiplier=0.5, max=backoff_max),
            reraise=True,
        )
        self.requests_sent = 0
        self.retries = 0

    def _session(self) -> tuple[requests.Session, dict[str, Any]]:
        """This thread's session, and what requests would merge from the environment (proxies, CA
        bundle) into every request to our one URL: looked up once, not per request."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._session_factory()
            self._local.settings = session.merge_environment_settings(self.url, {}, None, self.verify, None)
        return session, self._local.settings

    # --- one request ------------------------------------------------------------------------------

    def fetch_page(self, query: str, offset: int) -> dict[str, Any]:
        unauthorized = 0
        for attempt in self._retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self.retries += 1
                try:
                    return self._post_authorized(query, offset)
                except _Unauthorized as exc:
                    # TBA: an overloaded account can answer 401; bad credentials answer it every time.
                    unauthorized += 1
                    if unauthorized > MAX_UNAUTHORIZED_RETRIES:
                        raise exc.error from None
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_authorized(self, query: str, offset: int) -> dict[str, Any]:
        """A refused access token (expired, revoked) is renewed and the page asked again at once, the same page:
        nothing lost, nothing fetched twice. Refused again, with a token issued after the first refusal: fatal."""
        try:
            return self._post(query, offset)
        except _Unauthorized as refusal:
            auth = self._session()[0].auth
            if not isinstance(auth, RenewableAuth):
                raise
            auth.refused(refusal.request)
        try:
            return self._post(query, offset)
        except _Unauthorized as again:
            raise NetSuiteError(
                401,
                again.error.code,
                "NetSuite refused a newly issued OAuth 2.0 access token. Check that the mapped role has 'Log in "
                "using OAuth 2.0 Access Tokens' and 'REST Web Services', that the integration record and the "
                "connection's scope include rest_webservices, and the Login Audit Trail.",
            ) from None

    def _post(self, query: str, offset: int) -> dict[str, Any]:
        session, settings = self._session()
        prepared = session.prepare_request(  # signed here, outside the slots
            requests.Request(
                "POST",
                self.url,
                params={"limit": self.page_size, "offset": offset},
                json={"q": query},
                headers={"Prefer": "transient", "Content-Type": "application/json", "Accept": "application/json"},
            )
        )
        try:
            with self._slots:  # held until the whole reply is read (requests reads the body in send)
                self.requests_sent += 1
                response = session.send(prepared, timeout=self.timeout, allow_redirects=True, **settings)
            # Let the thread waiting for the slot send its request now, not after this one decodes its reply
            # (the interpreter would hand over only at the next switch interval): 1.5 ms → 0.05 ms per page.
            time.sleep(0)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(f"NetSuite connection failed: {type(exc).__name__}") from None
        if response.status_code in RETRY_STATUSES:
            raise TransientError(f"NetSuite answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            if response.status_code != 401:  # a refusal is one whatever its body
                raise TransientError(f"NetSuite sent an unreadable reply (HTTP {response.status_code})") from None
            body = None
        if response.status_code == 401:
            raise _Unauthorized(_netsuite_error(401, body), prepared)
        if response.status_code != 200:
            raise _netsuite_error(response.status_code, body)
        if not isinstance(body, dict) or "items" not in body:
            raise TransientError("NetSuite reply has no items")
        return body

    # --- the pool ---------------------------------------------------------------------------------

    def submit(self, query: str, offset: int = 0) -> Future[dict[str, Any]]:
        """Fetch one page on the client's pool (at most `max_concurrency` requests in flight)."""
        with self._pool_lock:
            warm = self._pool is None
            if warm:  # a thread per slot, and as many preparing or decoding meanwhile
                self._pool = ThreadPoolExecutor(2 * self.max_concurrency, thread_name_prefix="suiteql")
            # self.fetch_page looked up now, so a wrapped instance attribute (benchmarks) is honoured.
            future = self._pool.submit(self.fetch_page, query, offset)
            if warm:  # the other threads start and make their sessions while the first request is out
                for _ in range(2 * self.max_concurrency - 1):
                    self._pool.submit(self._session)
            return future

    # --- queries ----------------------------------------------------------------------------------

    @property
    def max_rows(self) -> int:
        """The most rows one query can serve at this page size (offset + limit stays within 100,000)."""
        return MAX_ROWS_PER_QUERY // self.page_size * self.page_size

    def query(self, query: str) -> SuiteQLResult:
        """Start `query` (which needs a unique ORDER BY): its first page is fetched now, in the background;
        the result's `total` waits for it, iterating fetches the other pages in parallel."""
        return SuiteQLResult(self, query, self.submit(query, 0))


class SuiteQLResult:
    """One query's pages: the first fetched when the query starts, the others when iterated.

    `total` is NetSuite's `totalResults` from the first page. Iterating yields every row in ORDER BY
    order, or raises TOO_MANY_ROWS (before any row) when NetSuite says the query matches more than it
    serves (`max_rows`); one reporting exactly that many fails at the end if the last page says more follow."""

    def __init__(self, client: NetSuiteClient, query: str, first: Future[dict[str, Any]]) -> None:
        self.client = client
        self.query = query
        self._first = first
        self._early: dict[int, Future[dict[str, Any]]] = {}

    def prefetch(self, offset: int) -> Future[dict[str, Any]]:
        """Fetch the page at `offset` now, ahead of its turn; iterating uses it."""
        if offset not in self._early:
            self._early[offset] = self.client.submit(self.query, offset)
        return self._early[offset]

    def _fetch(self, offset: int) -> Future[dict[str, Any]]:
        return self._early.pop(offset, None) or self.client.submit(self.query, offset)

    def first_page(self) -> dict[str, Any]:
        return self._first.result()

    @property
    def total(self) -> int:
        first = self.first_page()
        return int(first.get("totalResults", len(first["items"])))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for items in self.pages():
            yield from items

    def pages(self, more_fails: bool = True) -> Iterator[list[dict[str, Any]]]:
        """The items of each page, in order. `more_fails=False`: the caller checks whether a query reading
        exactly `max_rows` has more (the last page's `hasMore`) and the pages do not fail on it."""
        first, total, limit = self.first_page(), self.total, self.client.max_rows
        if total > limit:
            raise too_many_rows(total)
        size = self.client.page_size
        offsets = iter(range(size, total, size))
        # Pages queued ahead of the consumer (before it reads the first): one for each of the pool's threads
        # and as many again, so no slot waits while the consumer reads a page; the slots keep requests in
        # flight within max_concurrency.
        pending = deque((offset, self._fetch(offset)) for offset in islice(offsets, 4 * self.client.max_concurrency))
        try:
            yield first["items"]
            while pending:
                offset, future = pending.popleft()
                page = future.result()
                following = next(offsets, None)
                if following is not None:
                    pending.append((following, self._fetch(following)))
                if more_fails and total == limit and offset + size >= total and page.get("hasMore"):
                    raise too_many_rows(f"more than {total}")  # the last page NetSuite serves, and more follow
                yield page["items"]
        finally:
            for future in [future for _, future in pending] + list(self._early.values()):
                future.cancel()  # the consumer stopped early or a page failed: fetch no more


def _netsuite_error(status: int, body: Any) -> NetSuiteError:
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    if details:
        return NetSuiteError(status, details[0].get("o:errorCode", "UNKNOWN"), details[0].get("detail", ""))
    return NetSuiteError(status, "UNKNOWN", str(body)[:300])
