"""One flat row per order and the outcome buckets people read a run by (shared by the HTML and CSV reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from include.cancel_sync.records import (
    ALREADY_CANCELLED,
    CANCELLED,
    CANNOT_CANCEL,
    DUPLICATE_LINK,
    FAILED,
    INVALID_LINK,
    NOT_FOUND,
    WOULD_CANCEL,
)
from include.cancel_sync.report.record_urls import RecordLinks

CANCELLED_WITH_REFUND = "cancelled_with_refund"
CANCELLED_WITHOUT_REFUND = "cancelled_without_refund"
OTHER = "other"

# Chart order and labels: what happened, then what needs a person, then what did not.
BUCKETS: tuple[tuple[str, str], ...] = (
    (CANCELLED_WITH_REFUND, "Cancelled with refund"),
    (CANCELLED_WITHOUT_REFUND, "Cancelled without refund"),
    (WOULD_CANCEL, "Would cancel (not sent)"),
    (ALREADY_CANCELLED, "Already cancelled"),
    (CANNOT_CANCEL, "Cannot cancel"),
    (NOT_FOUND, "Not found in Shopify"),
    (INVALID_LINK, "Invalid link"),
    (DUPLICATE_LINK, "Duplicate link"),
    (FAILED, "Failed"),
)
BUCKET_LABELS = dict(BUCKETS) | {OTHER: "Other"}

# Rows needing a person come first in the table.
_ROW_ORDER = {FAILED: 0, DUPLICATE_LINK: 1, INVALID_LINK: 2, NOT_FOUND: 3, CANNOT_CANCEL: 4, WOULD_CANCEL: 5}


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

    @property
    def needs_attention(self) -> bool:
        return self.bucket in (FAILED, DUPLICATE_LINK, INVALID_LINK, NOT_FOUND, CANNOT_CANCEL, OTHER)


def bucket_of(outcome: dict[str, Any]) -> str:
    result = outcome.get("outcome")
    if result == CANCELLED:
        return CANCELLED_WITH_REFUND if outcome.get("refund") else CANCELLED_WITHOUT_REFUND
    return result if result in BUCKET_LABELS else OTHER


def order_row(o: dict[str, Any], links: RecordLinks) -> OrderRow:
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
    )


def row_rank(outcome: str) -> int:
    """Where a row's outcome sorts in the table: problems first."""
    return _ROW_ORDER.get(outcome, 9)


def order_rows(outcomes: list[dict[str, Any]], links: RecordLinks | None = None) -> list[OrderRow]:
    links = links or RecordLinks()
    rows = [order_row(o, links) for o in outcomes]
    return sorted(rows, key=lambda r: (row_rank(r.outcome), r.tranid, r.netsuite_id))


@dataclass
class RowTally:
    """What the page says about all rows (chart, headline cards), counted as rows go by."""

    buckets: Counter[str] = field(default_factory=Counter)
    would_cancel: int = 0
    would_refund: int = 0
    attention: int = 0  # needing a person, failures aside (they have their own card)

    def add(self, row: OrderRow) -> None:
        self.buckets[row.bucket] += 1
        if row.outcome == WOULD_CANCEL:
            self.would_cancel += 1
            self.would_refund += row.refund
        if row.needs_attention and row.outcome != FAILED:
            self.attention += 1


def bucket_counts(counts: Counter[str]) -> list[tuple[str, str, int]]:
    """(bucket, label, count) for every bucket, zeros included, so runs look alike; `other` only when present."""
    shown = [(key, label, counts.get(key, 0)) for key, label in BUCKETS]
    if counts.get(OTHER):
        shown.append((OTHER, BUCKET_LABELS[OTHER], counts[OTHER]))
    return shown
