"""One flat row per order and the outcome buckets people read a run by (shared by the HTML and CSV reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from include.cancel_sync.records import PROBLEMS_FIRST, Outcome, needs_attention
from include.cancel_sync.report.record_urls import RecordUrls

CANCELLED_WITH_REFUND = "cancelled_with_refund"
CANCELLED_WITHOUT_REFUND = "cancelled_without_refund"
OTHER = "other"

# Chart order and labels: what happened, then what needs a person, then what did not.
BUCKETS: tuple[tuple[str, str], ...] = (
    (CANCELLED_WITH_REFUND, "Cancelled with refund"),
    (CANCELLED_WITHOUT_REFUND, "Cancelled without refund"),
    (Outcome.CANCELLED_WITH_OTHER, "Cancelled with another NetSuite order"),
    (Outcome.WOULD_CANCEL, "Would cancel (not sent)"),
    (Outcome.ALREADY_CANCELLED, "Already cancelled"),
    (Outcome.CANNOT_CANCEL, "Cannot cancel"),
    (Outcome.NOT_FOUND, "Not found in Shopify"),
    (Outcome.INVALID_LINK, "Invalid link"),
    (Outcome.LINKED_TO_OPEN_ORDER, "Another NetSuite order holds it"),
    (Outcome.BILLED_IN_NETSUITE, "Billed in NetSuite"),
    (Outcome.FAILED, "Failed"),
)
BUCKET_LABELS = dict(BUCKETS) | {OTHER: "Other"}

_RANKS = {outcome: rank for rank, outcome in enumerate(PROBLEMS_FIRST)}


@dataclass(frozen=True)
class OrderRow:
    netsuite_id: int
    tranid: str
    netsuite_url: str | None
    shopify_order: str  # the order name (#1042), else its GID, else empty
    shopify_gid: str
    shopify_url: str | None
    decision: str
    refund: bool
    outcome: str
    bucket: str
    reason: str
    caught: str = ""  # a sweep: why it says the windows missed this order

    @property
    def needs_attention(self) -> bool:
        return self.bucket == OTHER or needs_attention(self.outcome)


def bucket_of(outcome: dict[str, Any]) -> str:
    result = outcome.get("outcome")
    if result == Outcome.CANCELLED:
        return CANCELLED_WITH_REFUND if outcome.get("refund") else CANCELLED_WITHOUT_REFUND
    return result if result in BUCKET_LABELS else OTHER


def order_row(o: dict[str, Any], links: RecordUrls) -> OrderRow:
    return OrderRow(
        netsuite_id=int(o["id"]),
        tranid=str(o.get("tranid") or ""),
        netsuite_url=links.netsuite(o["id"]),
        shopify_order=str(o.get("shopify_name") or o.get("gid") or ""),
        shopify_gid=str(o.get("gid") or ""),
        shopify_url=links.shopify(o.get("gid")),
        decision=str(o.get("decision") or ""),
        refund=bool(o.get("refund")),
        outcome=str(o.get("outcome") or ""),
        bucket=bucket_of(o),
        reason=str(o.get("detail") or o.get("reason") or ""),
        caught=str(o.get("caught") or ""),
    )


def sort_key(row: OrderRow) -> tuple[int, str, int]:
    """The table's order: problems first, then by tranid and NetSuite id (the spool sorts by this key too)."""
    return row_rank(row.outcome), row.tranid, row.netsuite_id


def row_rank(outcome: str) -> int:
    """Where a row's outcome sorts in the table: problems first."""
    return _RANKS.get(outcome, len(PROBLEMS_FIRST))


@dataclass
class RowTally:
    """What the page says about all rows (chart, headline cards), counted as rows go by."""

    buckets: Counter[str] = field(default_factory=Counter)
    would_cancel: int = 0
    would_refund: int = 0
    attention: int = 0  # needing a person, failures aside (they have their own card)

    def add(self, row: OrderRow) -> None:
        self.buckets[row.bucket] += 1
        if row.outcome == Outcome.WOULD_CANCEL:
            self.would_cancel += 1
            self.would_refund += row.refund
        if row.needs_attention and row.outcome != Outcome.FAILED:
            self.attention += 1


def bucket_counts(counts: Counter[str]) -> list[tuple[str, str, int]]:
    """(bucket, label, count) for every bucket, zeros included, so runs look alike; `other` only when present."""
    shown = [(key, label, counts.get(key, 0)) for key, label in BUCKETS]
    if counts.get(OTHER):
        shown.append((OTHER, BUCKET_LABELS[OTHER], counts[OTHER]))
    return shown
