"""Run the sandboxes: `python -m sandbox serve --orders 500`.

Seeds a world, starts the NetSuite and Shopify sandboxes (port 0 = any free port),
writes their Airflow connections (JSON for `airflow connections import`, and an
env file of AIRFLOW_CONN_* lines) and serves until Ctrl-C or SIGTERM.
`--stores eu:connector,us:celigo,b2b:subsidiary` serves one Shopify shop per store
(sandbox/stores.py, StoreSpec.parse) and writes the netsuite_shopify_stores Variable
that finds each store's orders (`--stores-file`; also in the line printed).
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.runner import NETSUITE_AUTH_KINDS, Sandboxes, SandboxOptions
from sandbox.stores import store_list_argument
from sandbox.world import build_world


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="seed a world and serve both sandboxes")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # the sandbox keeps naive UTC
    serve.add_argument("--orders", type=int, default=500)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--window-start", type=_timestamp, default=now - timedelta(hours=24))
    serve.add_argument("--window-end", type=_timestamp, default=now)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--netsuite-port", type=int, default=0)
    serve.add_argument("--shopify-port", type=int, default=0)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    serve.add_argument("--preset", default="standard", help="Shopify rate-limit preset: standard, advanced, plus")
    serve.add_argument("--cancel-job-delay", type=float, default=0.0)
    serve.add_argument(
        "--netsuite-auth",
        choices=NETSUITE_AUTH_KINDS,
        default="tba",
        help="the netsuite_default connection written: tba (token-based) or m2m (OAuth 2.0 client credentials)",
    )
    serve.add_argument(
        "--netsuite-algorithm",
        default="ES256",
        choices=("PS256", "PS384", "PS512", "ES256", "ES384", "ES512"),
        help="m2m: the key made for the connection signs with this",
    )
    serve.add_argument(
        "--netsuite-timezone",
        default="America/Los_Angeles",
        help="the NetSuite token user's time zone (IANA), e.g. America/Los_Angeles",
    )
    serve.add_argument(
        "--stores",
        type=store_list_argument,
        help="one Shopify shop per store, e.g. eu:connector,us:celigo,b2b:subsidiary "
        "(name:connector[=text], name:celigo[=id[:name]], name:subsidiary[=id[:name]]); default: one store",
    )
    serve.add_argument("--stores-file", type=Path, help="write the netsuite_shopify_stores Variable (JSON) here")
    serve.add_argument("--connections-file", type=Path, help="write `airflow connections import` JSON here")
    serve.add_argument("--env-file", type=Path, help="write AIRFLOW_CONN_* lines here")
    args = parser.parse_args(argv)

    # Before anything is printed: whoever reads the first line may send SIGTERM at once.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    started = time.perf_counter()
    world = build_world(
        args.orders,
        args.window_start,
        args.window_end,
        seed=args.seed,
        netsuite_timezone=args.netsuite_timezone,
        stores=args.stores,
    )
    options = SandboxOptions(
        host=args.host,
        netsuite_port=args.netsuite_port,
        shopify_port=args.shopify_port,
        latency=args.latency,
        shopify_preset=args.preset,
        cancel_job_delay=args.cancel_job_delay,
        netsuite_auth=args.netsuite_auth,
        netsuite_algorithm=args.netsuite_algorithm,
    )
    sandboxes = Sandboxes(world, options).start()
    if args.connections_file:
        args.connections_file.write_text(json.dumps(sandboxes.connections(), indent=2))
    if args.env_file:
        args.env_file.write_text("".join(f"{k}='{v}'\n" for k, v in sandboxes.connection_env().items()))
    stores_variable = sandboxes.stores_variable()
    if args.stores_file:
        args.stores_file.write_text(json.dumps(stores_variable, indent=2))
    print(
        json.dumps(
            {
                "netsuite_url": sandboxes.netsuite_url,
                "shopify_url": sandboxes.shopify_url,
                "shop_urls": {name: sandboxes.shop_url(name) for name in sandboxes.shops},
                "stores": stores_variable,
                "orders": len(world.sales_orders),
                "window": [str(args.window_start), str(args.window_end)],
                "started_in_seconds": round(time.perf_counter() - started, 2),
            }
        ),
        flush=True,
    )
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandboxes.stop()


if __name__ == "__main__":
    main()
