"""Report: counts per decision and outcome, and a line for each order not cancelled (the first MAX_LISTED).

Built one batch of outcomes at a time, so a run of 100,000 orders never holds them all: the summary
keeps counts and a bounded list; the report files (report_store.py) list every order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from include.cancel_sync.records import Outcome
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.stores import Store, store_key

MAX_LISTED = 100  # orders named in the summary (XCom, log) and failed ones kept for the alert (it names 50)


class StoreTally:
    """One store's counts: its section of the report, its row in the ledger's run record."""

    def __init__(self, mode: str = "") -> None:
        self.mode = mode
        self.orders = 0
        self.outcomes: Counter[str] = Counter()
        self.cancelled_with_refund = 0
        self.failed_batches = 0

    def add(self, outcome: dict[str, Any]) -> None:
        self.orders += 1
        self.outcomes[outcome["outcome"]] += 1
        if outcome["outcome"] == Outcome.CANCELLED:
            self.cancelled_with_refund += bool(outcome["refund"])

    def result(self) -> dict[str, Any]:
        cancelled = self.outcomes.get(Outcome.CANCELLED, 0)
        return {
            "mode": self.mode,
            "orders": self.orders,
            "outcomes": dict(sorted(self.outcomes.items())),
            "cancelled": cancelled,
            "cancelled_with_refund": self.cancelled_with_refund,
            "cancelled_without_refund": cancelled - self.cancelled_with_refund,
            "failed": self.outcomes.get(Outcome.FAILED, 0),
            "failed_batches": self.failed_batches,
        }


class RunSummary:
    def __init__(
        self,
        settings: dict[str, Any],
        window: dict[str, str] | None,
        stopped: tuple[str, str] | None = None,
        stores: Iterable[Store] = (),
    ) -> None:
        self.settings = settings
        self.window = window
        self.stopped = stopped  # (task, reason) when the run stopped before handling any order
        self.orders = 0
        self.decisions: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.cancelled_with_refund = 0
        self.not_cancelled: list[dict[str, Any]] = []
        self.not_cancelled_total = 0
        self.failed: list[dict[str, Any]] = []  # the first MAX_LISTED failed outcomes, for the alert
        self.caught: list[dict[str, Any]] = []  # a sweep: the first MAX_LISTED orders the windows missed
        self.caught_total = 0
        self.settled_earlier = 0  # a sweep: orders left out as settled for good (not read from Shopify)
        self.stores: dict[str, StoreTally] = {
            store.name: StoreTally(_mode(store.settings(SyncSettings.from_dict(settings)).to_dict()))
            for store in (stores if settings else ())
        }

    def add(self, outcomes: list[dict[str, Any]]) -> None:
        for o in outcomes:
            key = store_key(o.get("store"))
            self.stores.setdefault(key, StoreTally("never cancelled" if o.get("store") is None else "")).add(o)
            self.orders += 1
            self.decisions[o["decision"]] += 1
            self.outcomes[o["outcome"]] += 1
            if o.get("caught"):
                self.caught_total += 1
                if len(self.caught) < MAX_LISTED:
                    self.caught.append(o)
            if o["outcome"] == Outcome.CANCELLED:
                self.cancelled_with_refund += bool(o["refund"])
                continue
            self.not_cancelled_total += 1
            if len(self.not_cancelled) < MAX_LISTED:
                self.not_cancelled.append(
                    {
                        "netsuite_id": o["id"],
                        "tranid": o["tranid"],
                        "store": o.get("store"),
                        "shopify_order": o.get("shopify_name") or o.get("gid"),
                        "outcome": o["outcome"],
                        "reason": o["detail"],
                    }
                )
            if o["outcome"] == Outcome.FAILED and len(self.failed) < MAX_LISTED:
                self.failed.append(o)

    def batch_missing(self, store: str | None) -> None:
        """A batch of `store` whose cancel task handed over no outcomes (it failed, or never ran)."""
        self.stores.setdefault(store_key(store), StoreTally()).failed_batches += 1

    def result(self, failed_batches: int = 0) -> dict[str, Any]:
        cancelled = self.outcomes.get(Outcome.CANCELLED, 0)
        stopped = {"failed_step": self.stopped[0], "reason": self.stopped[1]} if self.stopped else {}
        return (
            stopped
            | {
                "window": self.window,
                "mode": _mode(self.settings),
                "orders": self.orders,
                "decisions": dict(sorted(self.decisions.items())),
                "outcomes": dict(sorted(self.outcomes.items())),
                "cancelled_with_refund": self.cancelled_with_refund,
                "cancelled_without_refund": cancelled - self.cancelled_with_refund,
                "failed": self.outcomes.get(Outcome.FAILED, 0),
                "failed_batches": failed_batches,
                "not_cancelled_total": self.not_cancelled_total,
                "not_cancelled": list(self.not_cancelled),
                "stores": {name: tally.result() for name, tally in self.stores.items()},
                "failed_stores": sorted(name for name, tally in self.stores.items() if tally.failed_batches),
            }
            | self._sweep()
        )

    def _sweep(self) -> dict[str, Any]:
        if not self.settings.get("sweep_days"):
            return {}
        return {
            "sweep_days": self.settings["sweep_days"],
            "caught_by_sweep": self.caught_total,
            "settled_earlier": self.settled_earlier,
        }


def _mode(settings: dict[str, Any]) -> str:
    if not settings:
        return "stopped before reading the settings"
    if settings.get("sweep_days"):
        return f"sweep of the last {settings['sweep_days']} days: " + _mode({**settings, "sweep_days": None})
    if settings.get("dry_run"):
        return "dry run (plan only)"
    if not settings.get("cancel_enabled"):
        return "cancel sync off (report only)"
    return "cancel with refund unless prevented" if not settings.get("prevent_refund") else "cancel, never refund"


def format_report(report: dict[str, Any], max_lines: int = 200) -> str:
    lines = [
        f"NetSuite → Shopify cancel sync: {report['mode']}",
        *([f"STOPPED at {report['failed_step']}: {report['reason']}"] if report.get("failed_step") else []),
        *(
            [
                f"the sweep caught {report['caught_by_sweep']} order(s) the windows missed; "
                f"{report['settled_earlier']} settled earlier were not read again"
            ]
            if "caught_by_sweep" in report
            else []
        ),
        f"window: {report['window']}" if report["window"] else "window: order ids given",
        *_store_lines(report),
        f"orders: {report['orders']}; cancelled: {report['outcomes'].get(Outcome.CANCELLED, 0)} "
        f"(with refund {report['cancelled_with_refund']}, without {report['cancelled_without_refund']}); "
        f"failed: {report['failed']}"
        + (f"; failed batches: {report['failed_batches']}" if report["failed_batches"] else ""),
        "outcomes: " + ", ".join(f"{k}={v}" for k, v in report["outcomes"].items()),
    ]
    shown = report["not_cancelled"][:max_lines]
    for row in shown:
        lines.append(
            f"  {row['tranid']} (id {row['netsuite_id']}{_in_store(row)}) → {row['shopify_order']}: {row['outcome']}: {row['reason']}"
        )
    hidden = report.get("not_cancelled_total", len(report["not_cancelled"])) - len(shown)
    if hidden > 0:
        lines.append(f"  … and {hidden} more not cancelled (every order is in the report's CSV)")
    return "\n".join(lines)


def _store_lines(report: dict[str, Any]) -> list[str]:
    """A line per store when there are several (or one failed): what each store did and in which mode."""
    stores = report.get("stores") or {}
    if len(stores) < 2 and not report.get("failed_stores"):
        return []
    lines = []
    for name, tally in stores.items():
        unfinished = f", {tally['failed_batches']} batch(es) did not finish" if tally["failed_batches"] else ""
        lines.append(
            f"  store {name} ({tally['mode']}): {tally['orders']} orders, {tally['cancelled']} cancelled "
            f"({tally['cancelled_with_refund']} with refund), {tally['failed']} failed{unfinished}"
        )
    return lines


def _in_store(row: dict[str, Any]) -> str:
    return f", store {row['store']}" if row.get("store") else ""
