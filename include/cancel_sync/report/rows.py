"""One flat row per order and the outcome buckets people read a run by (shared by the HTML and CSV reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from include.cancel_sync.labels import (
    CANCELLED_WITH_REFUND_LABEL,
    CANCELLED_WITHOUT_REFUND_LABEL,
    OTHER_LABEL,
    decision_label,
    hold_of_order,
    next_step,
    outcome_label,
)
from include.cancel_sync.records import PROBLEMS_FIRST, Outcome, needs_attention
from include.cancel_sync.report.record_urls import RecordUrls
from include.cancel_sync.stores import store_key

CANCELLED_WITH_REFUND = "cancelled_with_refund"
CANCELLED_WITHOUT_REFUND = "cancelled_without_refund"
OTHER = "other"

# Chart order: what happened, then what needs a person, then what did not. Labels come from labels.py.
_BUCKET_ORDER = (
    Outcome.CANCELLED_WITH_OTHER,
    Outcome.WOULD_CANCEL,
    Outcome.IN_OTHER_RUN,
    Outcome.ALREADY_CANCELLED,
    Outcome.CANNOT_CANCEL,
    Outcome.NOT_FOUND,
    Outcome.INVALID_LINK,
    Outcome.LINKED_TO_OPEN_ORDER,
    Outcome.BILLED_IN_NETSUITE,
    Outcome.SEVERAL_STORES,
    Outcome.FAILED,
    Outcome.NO_STORE,
)
BUCKETS: tuple[tuple[str, str], ...] = (
    (CANCELLED_WITH_REFUND, CANCELLED_WITH_REFUND_LABEL),
    (CANCELLED_WITHOUT_REFUND, CANCELLED_WITHOUT_REFUND_LABEL),
    *((outcome.value, outcome_label(outcome)) for outcome in _BUCKET_ORDER),
)
BUCKET_LABELS = dict(BUCKETS) | {OTHER: OTHER_LABEL}

_RANKS = {outcome: rank for rank, outcome in enumerate(PROBLEMS_FIRST)}


@dataclass(frozen=True)
class OrderRow:
    netsuite_id: int
    tranid: str
    store: str  # "" for an order of no store
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
    hold: str = ""  # what holds an order Shopify cannot cancel (shopify/fulfillment.py), when known

    @property
    def decision_label(self) -> str:
        return decision_label(self.decision)

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)

    @property
    def next_step(self) -> str:
        return next_step(self.outcome, self.hold)

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
        store=str(o.get("store") or ""),
        netsuite_url=links.netsuite(o["id"]),
        shopify_order=str(o.get("shopify_name") or o.get("gid") or ""),
        shopify_gid=str(o.get("gid") or ""),
        shopify_url=links.shopify(o.get("gid"), o.get("store")),
        decision=str(o.get("decision") or ""),
        refund=bool(o.get("refund")),
        outcome=str(o.get("outcome") or ""),
        bucket=bucket_of(o),
        reason=str(o.get("detail") or o.get("reason") or ""),
        caught=str(o.get("caught") or ""),
        hold=hold_of_order(o.get("outcome"), o.get("fulfillment_status"), o.get("return_status")) or "",
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
    by_store: dict[str, RowTally] = field(default_factory=dict)  # the same, per store (stores.store_key)

    def add(self, row: OrderRow, per_store: bool = True) -> None:
        if per_store:
            self.by_store.setdefault(store_key(row.store or None), RowTally()).add(row, per_store=False)
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
