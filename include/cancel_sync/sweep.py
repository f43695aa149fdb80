"""The sweep: every order canceled in NetSuite in the last N days, checked again whatever the windows did.

It runs the sync's own tasks over a window of days (tasks.py) and adds two things:
- orders the ledger shows settled for good (cancelled by any run, or found cancelled in Shopify: a
  cancelled Shopify order cannot reopen) are not read from Shopify again, so a sweep of a quiet week
  costs NetSuite pages and a ledger lookup, not Shopify points;
- an order the sweep has to cancel, or that no run ever recorded, was missed by the windows: it is
  marked "caught by the sweep" (report, ledger, alert), naming the window run that should have
  handled it when the ledger knows one.
"""

from __future__ import annotations

from datetime import datetime

from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.records import CanceledOrder, Decision, OrderDecision
from include.cancel_sync.window import TIMESTAMP_FORMAT

CAUGHT = "caught by the sweep"


def drop_settled(records: list[CanceledOrder], ledger: Ledger) -> tuple[list[CanceledOrder], int]:
    """The records still worth reading from Shopify, and how many were left out as settled for good."""
    settled = ledger.settled(record["gid"] for record in records if record["gid"])
    kept = [record for record in records if record["gid"] not in settled]
    return kept, len(records) - len(kept)


def mark_caught(decisions: list[OrderDecision], ledger: Ledger) -> None:
    """Mark what the windows missed: orders to cancel now, and orders no run has recorded at all (orders of no
    store are no store's business: never marked)."""
    handled = ledger.handled(decision["id"] for decision in decisions)
    for decision in decisions:
        if decision.get("store") is None and decision.get("routing"):
            continue
        if decision["decision"] == Decision.TO_CANCEL or decision["id"] not in handled:
            decision["caught"] = f"{CAUGHT}: {_should_have(decision, ledger)}"


def _should_have(decision: OrderDecision, ledger: Ledger) -> str:
    modified = decision.get("modified")
    if not modified:
        return "no window run read it"
    instant = datetime.strptime(modified, "%Y-%m-%dT%H:%M:%SZ").strftime(TIMESTAMP_FORMAT)  # as windows are kept
    runs = ledger.runs_covering(SYNC_DAG_ID, instant)
    if not runs:
        return f"no window run covered its last change ({instant} UTC)"
    return f"window run {runs[-1]} should have handled it (its last change, {instant} UTC, was in that run's window)"
