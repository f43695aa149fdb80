"""`make demo`: seed the sandboxes, run one real sync through Airflow, say what happened.

Two Shopify stores share the NetSuite account, as NetSuite Connector marks them (custbody_fa_channel): `us`
refunds paid orders it cancels (the default), `eu` prevents refunds (netsuite_shopify_stores overrides it); a
few orders come from a channel no store claims and are left alone.

Everything it starts stops before it returns; running it again starts afresh: new sandboxes and a new audit
ledger (`$AIRFLOW_HOME/demo_ledger.sqlite`, the netsuite_shopify_ledger connection). A ledger kept from the
last demo would hold that world's cancels, and the same Shopify order ids in the new world would count as
already cancelled: in real Shopify a cancelled order stays cancelled. `NETSUITE_AUTH=m2m make demo`
authenticates to NetSuite with OAuth 2.0 client credentials instead of token-based authentication (the default).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from devtools.airflow_settings import apply, merge_connections, read_settings
from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE, LEDGER_CONN_ID, STORES_VARIABLE, SYNC_DAG_ID
from include.cancel_sync.labels import outcome_label
from include.cancel_sync.report.files import default_report_location
from sandbox.runner import NETSUITE_AUTH_KINDS, Sandboxes, SandboxOptions
from sandbox.stores import StoreSpec
from sandbox.world import SCENARIO_BY_NAME, build_world

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ORDERS = 120
STORES = (StoreSpec("us", connector="Shopify-US"), StoreSpec("eu", connector="Shopify-EU"))
STORE_SETTINGS = {"eu": {"prevent_refund": True}}  # us keeps the global default: refund
_AUTH_NAMES = {"tba": "token-based (TBA)", "m2m": "OAuth 2.0 client credentials (M2M)"}


def main() -> None:
    started = time.perf_counter()
    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    start = end - timedelta(hours=2)
    seed = int(os.environ.get("DEMO_SEED", "42"))
    world = build_world(ORDERS, start, end, seed=seed, stores=STORES, scenarios={"unknown_store": 3})
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_file = Path(os.environ["AIRFLOW_HOME"]) / "demo.log"
    auth = os.environ.get("NETSUITE_AUTH") or "tba"
    if auth not in NETSUITE_AUTH_KINDS:
        raise SystemExit(f"NETSUITE_AUTH must be one of {', '.join(NETSUITE_AUTH_KINDS)}, not {auth!r}")
    with Sandboxes(world, SandboxOptions(netsuite_auth=auth)) as sandboxes:
        shops = ", ".join(f"{name} {sandboxes.shop_url(name)}" for name in sandboxes.shops)
        print(f"Sandboxes up: NetSuite {sandboxes.netsuite_url}, Shopify stores {shops}", end=" ")
        print(f"({len(world.sales_orders)} NetSuite orders)")
        print(f"NetSuite authentication: {_AUTH_NAMES[auth]}")
        print(
            f"NetSuite token user's time zone: {sandboxes.netsuite_timezone} (SuiteQL reads and prints its wall clock)"
        )
        settings = read_settings(PROJECT_ROOT / "airflow_settings.yaml")
        merge_connections(settings, sandboxes.connections() | {LEDGER_CONN_ID: _fresh_ledger()})
        settings["variables"][CANCEL_ENABLED_VARIABLE] = "true"  # the demo shows real cancels
        settings["variables"][STORES_VARIABLE] = json.dumps(sandboxes.stores_variable(STORE_SETTINGS))
        apply(settings, airflow=airflow)
        print("Applied airflow_settings.yaml (connections → sandboxes, cancel sync switched on for the demo)")
        print(f"Stores ({STORES_VARIABLE}): us refunds paid orders it cancels, eu prevents refunds")
        conf = {"window_start": start.isoformat() + "Z", "window_end": end.isoformat() + "Z"}
        print(f"Running {SYNC_DAG_ID} for {conf['window_start']} .. {conf['window_end']} (log: {log_file})")
        with log_file.open("w") as log:
            result = subprocess.run(
                [airflow, "dags", "test", SYNC_DAG_ID, "--conf", json.dumps(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        shop_records = {
            name: (
                len(shop.store.cancel_calls),
                [c for c in shop.store.cancel_calls if c.accepted and c.refund_requested],
            )
            for name, shop in sandboxes.shops.items()
        }
        tokens = sandboxes.netsuite.stats["token_requests"]
    report = _latest_report()
    if report is None:
        raise SystemExit(f"The sync wrote no report; see {log_file}")
    _print_summary(report, shop_records)
    mismatches = _against_ground_truth(world, report["outcomes"]) + _refunds_as_set(shop_records)
    if tokens:
        print(f"NetSuite token endpoint: {tokens} access token request(s)")
    print(
        f"\nDone in {time.perf_counter() - started:.1f}s; sandboxes stopped. Full report: {Path(report['path']).with_suffix('.html')}"
    )
    if result.returncode != 0:
        raise SystemExit(f"airflow dags test exited {result.returncode}; see {log_file}")
    if mismatches:
        raise SystemExit(f"{mismatches} order(s) did not end as the demo world meant them to")


def _fresh_ledger() -> dict[str, str]:
    """The demo's own SQLite ledger, emptied: this world's sandboxes know nothing of the last demo's cancels."""
    path = Path(os.environ["AIRFLOW_HOME"]) / "demo_ledger.sqlite"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return {"conn_type": "sqlite", "host": str(path)}


def _latest_report() -> dict | None:
    folder = Path(default_report_location().removeprefix("file://")) / SYNC_DAG_ID
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(files[-1].read_text()) | {"path": str(files[-1])} if files else None


def _print_summary(saved: dict, shop_records: dict[str, tuple[int, list]]) -> None:
    report = saved["report"]
    outcomes = report["outcomes"]
    print(f"\n=== run {saved['run_id']} ===")
    print(f"NetSuite orders counted as canceled: {report['orders']}")
    print(
        f"Cancelled in Shopify: {outcomes.get('cancelled', 0)} "
        f"(refunded {report['cancelled_with_refund']}, not refunded {report['cancelled_without_refund']})"
    )
    for name, tally in report["stores"].items():
        calls, refunded = shop_records.get(name, (0, []))
        shop = (
            f"; its shop's own record: {calls} orderCancel calls, {len(refunded)} asking a refund"
            if name in shop_records
            else ""
        )
        print(
            f"  store {name} ({tally['mode']}): {tally['orders']} orders, {tally['cancelled']} cancelled "
            f"({tally['cancelled_with_refund']} with refund){shop}"
        )
    reasons: dict[str, list[str]] = {}
    for row in report["not_cancelled"]:
        reasons.setdefault(row["outcome"], []).append(f"{row['tranid']}: {row['reason']}")
    for outcome, rows in sorted(reasons.items()):
        print(f"{outcome_label(outcome)} ({outcome}): {len(rows)}, e.g. {rows[0]}")
    if report["failed"]:
        print(f"FAILED: {report['failed']} orders (see the report)")


def _refunds_as_set(shop_records: dict[str, tuple[int, list]]) -> int:
    """eu prevents refunds: its shop must have been asked for none (us is asked for paid orders)."""
    asked = len(shop_records["eu"][1])
    if asked:
        print(f"  store eu prevents refunds, yet its shop was asked to refund {asked} order(s)")
    return asked


def _against_ground_truth(world, outcomes: list[dict]) -> int:
    """Each order's outcome against what its scenario meant; prints the mismatches, returns how many."""
    meant = {
        nid: SCENARIO_BY_NAME[name].expected_outcome
        for nid, name in world.scenarios.items()
        if SCENARIO_BY_NAME[name].extracted
    }
    got = {o["id"]: o["outcome"] for o in outcomes}
    wrong = {nid: (meant.get(nid), got.get(nid)) for nid in meant.keys() | got.keys() if meant.get(nid) != got.get(nid)}
    print(f"Checked against what each order was made to be: {len(meant) - len(wrong)} of {len(meant)} as meant")
    for nid, (expected, actual) in sorted(wrong.items()):
        print(f"  NetSuite {nid}: meant {expected}, got {actual}")
    return len(wrong)


if __name__ == "__main__":
    main()
