"""Benchmark the NetSuite sandbox: startup, seeding 100,000 orders, SuiteQL pages over HTTP.

Run: .venv/bin/python benchmarks/bench_netsuite_sandbox.py [--orders 100000]

"Cold" pages run the query (a fresh query text defeats the result cache);
"warm" pages reuse the result of an identical earlier query, as a client paging
through one query does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import requests
from requests_oauthlib import OAuth1

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.window import Window
from sandbox.httpserver import SandboxServer  # noqa: E402
from sandbox.model import SalesOrder, SalesOrderLine  # noqa: E402
from sandbox.netsuite import SUITEQL_PATH, NetSuiteApp, NetSuiteCredentials  # noqa: E402

CREDENTIALS = NetSuiteCredentials("1234567_SB1", "bench-ck", "bench-cs", "bench-token", "bench-ts")
START = datetime(2026, 1, 1)
SPAN = timedelta(days=30)
STATUS_WEIGHTS = {"A": 5, "B": 20, "C": 15, "D": 5, "E": 5, "F": 10, "G": 25, "H": 15}

LINK_FIELD = "custbody_fa_channel_order"


def dag_query(start: datetime, end: datetime) -> str:
    """Exactly what the DAG sends for a window (the project's own query builder)."""
    return canceled_orders_query(OrderColumns((LINK_FIELD,)), Window(start, end), netsuite_clock("UTC"))


def make_orders(count: int, seed: int = 1) -> list[SalesOrder]:
    rng = random.Random(seed)
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    orders = []
    for index, status in enumerate(statuses):
        modified = START + timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
        shipped_some = status in "DEFG" or (status == "H" and rng.random() < 0.5)
        lines = []
        for number in range(1, rng.randint(1, 5) + 1):
            quantity = rng.randint(1, 4)
            lines.append(
                SalesOrderLine(number, f"SKU-{rng.randint(100, 999)}", quantity, quantity if shipped_some else 0)
            )
        orders.append(
            SalesOrder(
                id=10_000 + index,
                tranid=f"SO{10_000 + index}",
                status=status,
                last_modified=modified,
                trandate=modified.date(),
                total=f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
                fields={"custbody_fa_channel_order": str(5_800_000_000_000 + index)},
                lines=lines,
            )
        )
    return orders


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def report(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<58} {seconds * 1000:>9.1f} ms  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="warm page samples")
    args = parser.parse_args()

    print(f"NetSuite sandbox benchmark ({args.orders:,} orders, Python {sys.version.split()[0]})")
    seconds, started = timed(lambda: SandboxServer(NetSuiteApp(CREDENTIALS)).start())
    server: SandboxServer = started  # type: ignore[assignment]
    app: NetSuiteApp = server.app  # type: ignore[assignment]
    report("startup (app + SQLite schema + HTTP server)", seconds)

    seconds, orders = timed(lambda: make_orders(args.orders))
    lines = sum(len(order.lines) + 1 for order in orders)  # + the mainline row
    report("building the SalesOrder records (not the sandbox)", seconds)
    seconds, _ = timed(lambda: app.load_sales_orders(orders))
    report(f"seeding {args.orders:,} orders / {lines:,} transactionline rows", seconds)

    session = requests.Session()
    session.auth = OAuth1(
        CREDENTIALS.consumer_key,
        CREDENTIALS.consumer_secret,
        CREDENTIALS.token_id,
        CREDENTIALS.token_secret,
        signature_method="HMAC-SHA256",
        realm=CREDENTIALS.account_id,
    )
    url = server.url + SUITEQL_PATH

    def page(query: str, offset: int) -> dict:
        response = session.post(
            url,
            params={"limit": 1000, "offset": offset},
            json={"q": query},
            headers={"Prefer": "transient"},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    whole_month = dag_query(datetime(2026, 1, 1), datetime(2026, 2, 1))
    seconds, first = timed(lambda: page(whole_month, 0))
    total = first["totalResults"]
    report("DAG query, whole month, first page (cold)", seconds, f"{first['count']} of {total:,} rows")
    deep = (total - 1) // 1000 * 1000
    seconds, last = timed(lambda: page(whole_month + " ", deep))
    report(f"DAG query, whole month, deep page offset {deep:,} (cold)", seconds, f"{last['count']} rows")
    warm = [timed(lambda: page(whole_month, deep))[0] for _ in range(args.repeat)]
    report(f"DAG query, whole month, deep page offset {deep:,} (warm, median)", statistics.median(warm))

    window = dag_query(datetime(2026, 1, 15), datetime(2026, 1, 15, 0, 15))
    cold = [timed(lambda n=n: page(window + " " * n, 0))[0] for n in range(args.repeat)]
    seconds, small = timed(lambda: page(window, 0))
    report("DAG query, one 15-minute window (cold, median)", statistics.median(cold), f"{small['count']} rows")

    everything = "SELECT t.id, t.tranid, t.lastmodifieddate FROM transaction t ORDER BY t.id"
    seconds, first = timed(lambda: page(everything, 0))
    report("all orders, first page (cold)", seconds, f"{first['count']} of {first['totalResults']:,} rows")
    seconds, last = timed(lambda: page(everything, 99_000))
    report("all orders, page at offset 99,000 (warm)", seconds, f"{last['count']} rows")
    seconds, last = timed(lambda: page(everything + " ", 99_000))
    report("all orders, page at offset 99,000 (cold)", seconds, f"{last['count']} rows")

    print(f"  stats: {app.stats}")
    server.stop()


if __name__ == "__main__":
    main()
