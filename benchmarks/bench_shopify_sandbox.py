"""Benchmark the Shopify sandbox: startup, loading 100,000 orders, 250-id `nodes` queries over HTTP.

Run: .venv/bin/python benchmarks/bench_shopify_sandbox.py [--orders 100000] [--repeats 20]

"Startup" is the first ShopifyApp in the process (it builds the cached schema) plus its server.
The `nodes` query is the sync's own order-state read (include/cancel_sync/shopify/documents.py).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.httpserver import SandboxServer  # noqa: E402
from sandbox.model import ShopifyOrder  # noqa: E402
from sandbox.shopify import ShopifyApp  # noqa: E402

TOKEN = "shpat_bench"
START = datetime(2026, 1, 1, tzinfo=UTC)
FINANCIAL = ["PAID"] * 12 + ["AUTHORIZED", "PENDING", "PARTIALLY_REFUNDED", "REFUNDED"]
FULFILLMENT = ["UNFULFILLED"] * 6 + ["FULFILLED", "PARTIALLY_FULFILLED"]
NODES_QUERY = """
query OrderStates($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order { id name cancelledAt cancelReason closed displayFinancialStatus displayFulfillmentStatus returnStatus }
  }
}
"""


def make_orders(count: int, rng: random.Random) -> list[ShopifyOrder]:
    orders = []
    for order_id in range(1, count + 1):
        created = START + timedelta(seconds=order_id * 20)
        orders.append(
            ShopifyOrder(
                id=order_id,
                name=f"#{1000 + order_id}",
                created_at=created,
                updated_at=created + timedelta(minutes=5),
                financial_status=rng.choice(FINANCIAL),
                fulfillment_status=rng.choice(FULFILLMENT),
                total=f"{rng.randint(500, 50000) / 100:.2f}",
            )
        )
    return orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)

    started = time.perf_counter()
    app = ShopifyApp(TOKEN, preset="plus")  # plus: 20,000-point bucket, so repeats are never throttled
    server = SandboxServer(app).start()
    startup = time.perf_counter() - started

    orders = make_orders(args.orders, rng)
    started = time.perf_counter()
    app.load_orders(orders)
    loading = time.perf_counter() - started

    url = f"{server.url}/admin/api/2026-01/graphql.json"
    session = requests.Session()
    timings = []
    try:
        for _ in range(args.repeats + 1):
            ids = [f"gid://shopify/Order/{rng.randint(1, args.orders)}" for _ in range(250)]
            started = time.perf_counter()
            response = session.post(
                url, json={"query": NODES_QUERY, "variables": {"ids": ids}}, headers={"X-Shopify-Access-Token": TOKEN}
            )
            timings.append(time.perf_counter() - started)
            body = response.json()
            assert response.status_code == 200 and "errors" not in body and len(body["data"]["nodes"]) == 250, body
    finally:
        session.close()
        server.stop()
    timings = timings[1:]  # the first one opens the connection

    print(f"startup (schema build + server):   {startup * 1000:8.1f} ms")
    print(f"load {args.orders:,} orders:           {loading * 1000:8.1f} ms")
    print(
        f"nodes(ids: 250) over HTTP:         {statistics.median(timings) * 1000:8.1f} ms median, "
        f"{max(timings) * 1000:.1f} ms max ({args.repeats} runs); cost {body['extensions']['cost']['requestedQueryCost']}"
    )


if __name__ == "__main__":
    main()
