"""Report: counts per decision and outcome, and a line for every order not cancelled."""

from __future__ import annotations

from collections import Counter
from typing import Any

from include.cancel_sync.classes import CANCELLED, FAILED


def build_report(
    outcomes: list[dict[str, Any]], settings: dict[str, Any], window: dict[str, str] | None, failed_batches: int = 0
) -> dict[str, Any]:
    cancelled = [o for o in outcomes if o["outcome"] == CANCELLED]
    return {
        "window": window,
        "mode": _mode(settings),
        "orders": len(outcomes),
        "decisions": dict(sorted(Counter(o["decision"] for o in outcomes).items())),
        "outcomes": dict(sorted(Counter(o["outcome"] for o in outcomes).items())),
        "cancelled_with_refund": sum(1 for o in cancelled if o["refund"]),
        "cancelled_without_refund": sum(1 for o in cancelled if not o["refund"]),
        "failed": sum(1 for o in outcomes if o["outcome"] == FAILED),
        "failed_batches": failed_batches,
        "not_cancelled": [
            {
                "netsuite_id": o["id"],
                "tranid": o["tranid"],
                "shopify_order": o.get("shopify_name") or o.get("gid"),
                "outcome": o["outcome"],
                "reason": o["detail"],
            }
            for o in outcomes
            if o["outcome"] != CANCELLED
        ],
    }


def _mode(settings: dict[str, Any]) -> str:
    if settings.get("dry_run"):
        return "dry run (plan only)"
    if not settings.get("cancel_enabled"):
        return "cancel sync off (report only)"
    return "cancel with refund unless prevented" if not settings.get("prevent_refund") else "cancel, never refund"


def format_report(report: dict[str, Any], max_lines: int = 200) -> str:
    lines = [
        f"NetSuite → Shopify cancel sync: {report['mode']}",
        f"window: {report['window']}" if report["window"] else "window: order ids given",
        f"orders: {report['orders']}; cancelled: {report['outcomes'].get(CANCELLED, 0)} "
        f"(with refund {report['cancelled_with_refund']}, without {report['cancelled_without_refund']}); "
        f"failed: {report['failed']}"
        + (f"; failed batches: {report['failed_batches']}" if report["failed_batches"] else ""),
        "outcomes: " + ", ".join(f"{k}={v}" for k, v in report["outcomes"].items()),
    ]
    for row in report["not_cancelled"][:max_lines]:
        lines.append(
            f"  {row['tranid']} (id {row['netsuite_id']}) → {row['shopify_order']}: {row['outcome']}: {row['reason']}"
        )
    hidden = len(report["not_cancelled"]) - max_lines
    if hidden > 0:
        lines.append(f"  … and {hidden} more (full list in the report XCom)")
    return "\n".join(lines)
