"""Shopify Admin GraphQL with cost-aware pacing and safe retries.

Queries are retried on THROTTLED, 429, 5xx, an INTERNAL_SERVER_ERROR without data (HTTP 200) and
connection trouble. A mutation is
retried only when it surely did not run (THROTTLED, 429, connection refused);
otherwise `AmbiguousMutationError` tells the caller to re-read before acting.

The client keeps what callers size their concurrency by (in_flight.py): the round trips
it measures, queries and mutations apart, and `stats["overloaded"]`, the replies that
said Shopify wants less (THROTTLED, 429, 5xx).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from include.cancel_sync.errors import AmbiguousMutationError, ShopifyError, TransientError
from include.cancel_sync.shopify.cost_pacer import CostPacer

DEFAULT_API_VERSION = "2026-10"
_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_ROUND_TRIP_WEIGHT = 0.2  # of the newest round trip in the running average


class ShopifyPartialError(ShopifyError):
    """GraphQL errors beside data: the document ran and some fields failed. Callers that send several
    mutations in one document read `data` field by field; others treat it as any ShopifyError."""

    def __init__(self, message: str, data: dict, errors: list) -> None:
        super().__init__(message)
        self.data = data
        self.errors = errors


class _Throttled(TransientError):
    """THROTTLED: Shopify ran nothing; retried on its own budget (`max_throttled`)."""


def api_version_of(url: str) -> str:
    """The version a GraphQL URL asks for ('unstable' when it names none)."""
    match = re.search(r"/admin/api/([^/]+)/graphql\.json$", url)
    return match.group(1) if match else "unstable"


def graphql_url(base_url: str, api_version: str) -> str:
    if not _VERSION.match(api_version):
        raise ValueError(f"Shopify api_version must look like 2026-10, got {api_version!r}")
    return f"{base_url.rstrip('/')}/admin/api/{api_version}/graphql.json"


class ShopifyClient:
    def __init__(
        self,
        session_factory: Callable[[], requests.Session],
        url: str,
        max_attempts: int = 8,
        max_throttled: int = 30,
        backoff_max: float = 30.0,
        timeout: tuple[float, float] = (10.0, 60.0),
        pacer: CostPacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        conn_id: str = "shopify_default",  # the connection it came from, named in errors a person fixes there
    ) -> None:
        self.url = url
        self.conn_id = conn_id
        self.api_version = api_version_of(url)
        self.cancel_job_result: bool | None = None  # whether orderCancel's jobResult is asked for (None: by version)
        self.max_attempts = max_attempts
        self.max_throttled = max_throttled
        self.backoff_max = backoff_max
        self.timeout = timeout
        self.pacer = pacer or CostPacer()
        self._sleep = sleep
        self._session_factory = session_factory
        self._local = threading.local()
        self._estimates: dict[str, float] = {}
        self._stats_lock = threading.Lock()
        self.stats = {"requests": 0, "throttled": 0, "overloaded": 0, "retries": 0, "points": 0.0}
        self._round_trips: dict[bool, float] = {}  # mutation? → running average of seconds per request

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._session_factory()
        return session

    def _count(self, key: str, amount: float = 1) -> None:
        with self._stats_lock:
            self.stats[key] += amount

    def round_trip(self, mutation: bool) -> float | None:
        """Average seconds a request takes, sent to answered (the other kind's until one of this kind is seen)."""
        with self._stats_lock:
            return self._round_trips.get(mutation, self._round_trips.get(not mutation))

    def _time(self, mutation: bool, seconds: float) -> None:
        with self._stats_lock:
            average = self._round_trips.get(mutation)
            self._round_trips[mutation] = (
                seconds if average is None else average + _ROUND_TRIP_WEIGHT * (seconds - average)
            )

    def execute(
        self, document: str, variables: dict[str, Any], *, mutation: bool = False, cost: float | None = None
    ) -> dict:
        """Run one document; returns `data`. `cost` is the expected requested cost for pacing."""
        estimate = cost if cost is not None else self._estimates.get(document, 10.0 if mutation else 1.0)
        failures = throttled = 0
        while True:
            ticket = self.pacer.reserve(estimate)
            try:
                return self._once(document, variables, mutation, ticket)
            except _Throttled as exc:
                # Nothing ran: waiting is always safe, and the pacer has just learnt the bucket.
                throttled += 1
                if throttled > self.max_throttled:
                    raise ShopifyError(f"Shopify kept throttling after {throttled} attempts") from None
                self._count("retries")
                self._sleep(exc.wait if exc.wait is not None else 1.0)
            except TransientError as exc:
                failures += 1
                if failures == self.max_attempts:
                    raise ShopifyError(f"Shopify kept failing after {failures} attempts: {exc}") from None
                self._count("retries")
                backoff = min(self.backoff_max, 0.5 * 2 ** (failures - 1))
                self._sleep(exc.wait if exc.wait is not None else backoff)
            finally:
                self.pacer.settle(ticket)

    def _once(self, document: str, variables: dict[str, Any], mutation: bool, ticket: int | None = None) -> dict:
        self._count("requests")
        sent = time.monotonic()
        try:
            response = self._session().post(
                self.url, json={"query": document, "variables": variables}, timeout=self.timeout
            )
        except requests.ConnectionError as exc:
            if _never_sent(exc) or not mutation:
                raise TransientError(f"Shopify connection failed: {type(exc).__name__}") from None
            raise AmbiguousMutationError("connection to Shopify broke while a mutation was in flight") from None
        except requests.exceptions.ChunkedEncodingError:
            # The reply was cut off mid-body: Shopify did answer, so a mutation may have run.
            if not mutation:
                raise TransientError("Shopify's reply was cut off") from None
            raise AmbiguousMutationError("Shopify's reply to a mutation was cut off") from None
        except requests.Timeout:
            if not mutation:
                raise TransientError("Shopify timed out") from None
            raise AmbiguousMutationError("Shopify did not answer a mutation in time") from None
        self._time(mutation, time.monotonic() - sent)
        if response.status_code == 429 or response.status_code >= 500:
            self._count("overloaded")
        if response.status_code == 429:
            raise TransientError("Shopify answered HTTP 429", _retry_after(response))
        if response.status_code in _RETRY_STATUSES:
            if mutation:
                raise AmbiguousMutationError(f"Shopify answered HTTP {response.status_code} to a mutation")
            raise TransientError(f"Shopify answered HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise ShopifyError(
                f"Shopify refused the access token (HTTP {response.status_code}); check connection {self.conn_id}"
            )
        if response.status_code == 404:
            raise ShopifyError(f"Shopify has no GraphQL endpoint at {self.url} (HTTP 404); check api_version")
        try:
            body = response.json()
        except ValueError:
            if mutation:
                raise AmbiguousMutationError("Shopify's reply to a mutation was unreadable") from None
            raise TransientError(f"Shopify sent an unreadable reply (HTTP {response.status_code})") from None
        return self._data(document, body, response.status_code, ticket, mutation)

    def _data(self, document: str, body: Any, status: int, ticket: int | None = None, mutation: bool = False) -> dict:
        if not isinstance(body, dict):
            raise ShopifyError(f"Shopify sent an unexpected reply (HTTP {status})")
        cost = (body.get("extensions") or {}).get("cost") or {}
        throttle_status = cost.get("throttleStatus")
        errors = body.get("errors") or []
        if isinstance(errors, list) and any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
            self._count("throttled")
            self._count("overloaded")
            self.pacer.observe(throttle_status, ticket, spent=False)
            requested = float(cost.get("requestedQueryCost") or self._estimates.get(document, 1.0))
            raise _Throttled("Shopify throttled the request", self.pacer.throttle_wait(requested, throttle_status))
        if cost.get("requestedQueryCost") is not None:
            self._estimates[document] = float(cost["requestedQueryCost"])
        self.pacer.observe(throttle_status, ticket)
        self._count("points", float(cost.get("actualQueryCost") or 0.0))
        if errors:
            message = "Shopify GraphQL errors: " + "; ".join(_error_text(e) for e in _as_list(errors))
            if isinstance(body.get("data"), dict):
                raise ShopifyPartialError(message, body["data"], _as_list(errors))
            if any(_code(e) == "INTERNAL_SERVER_ERROR" for e in _as_list(errors)):
                # Shopify's own fault, said in a 200: a query may be asked again; a mutation may have run.
                if mutation:
                    raise AmbiguousMutationError(message)
                raise TransientError(message)
            raise ShopifyError(message)
        if status != 200 or "data" not in body:
            raise ShopifyError(f"Shopify reply without data (HTTP {status})")
        return body["data"]


def _never_sent(exc: requests.ConnectionError) -> bool:
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectTimeoutError) or "Connection refused" in str(exc)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _as_list(errors: Any) -> list:
    return errors if isinstance(errors, list) else [errors]


def _code(error: Any) -> str | None:
    return (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        code = _code(error)
        return f"{error.get('message', error)}" + (f" ({code})" if code else "")
    return str(error)
