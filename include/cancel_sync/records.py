"""The records that flow between the tasks, and the named states they carry.

extract → `CanceledOrder` (a NetSuite order that counts as canceled, its Shopify link parsed)
compare → `OrderDecision` (the order joined with its Shopify state, and what to do about it)
cancel  → `OrderOutcome` (what came of it)

Each record extends the one before, so a decision still holds its order and an outcome its decision.
They are dicts (TypedDict) because they travel through XCom as tables (xcom_table.py) and through
pandas in the compare step; the states are StrEnums, equal to their text, so a record read back
from XCom compares as it was written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, Required, TypedDict


class Decision(StrEnum):
    """What the compare step decided for an order."""

    TO_CANCEL = "to_cancel"
    ALREADY_CANCELLED = "already_cancelled"
    CANNOT_CANCEL = "cannot_cancel"
    NOT_FOUND = "not_found"
    INVALID_LINK = "invalid_link"
    LINKED_TO_OPEN_ORDER = "linked_to_open_order"  # another sales order still holds the Shopify order
    BILLED_IN_NETSUITE = "billed_in_netsuite"  # closed but billed: NetSuite charged for it, not a cancellation
    NO_STORE = "no_store"  # no store in netsuite_shopify_stores claims it (another channel's order)
    SEVERAL_STORES = "several_stores"  # two stores' selectors claim it: a setting to fix


class Outcome(StrEnum):
    """What came of an order. A decision not to cancel is its own outcome (same text)."""

    CANCELLED = "cancelled"
    # Its Shopify order was cancelled by the cancel sent for another canceled NetSuite order linking it
    # (one cancel per Shopify order: counts, refunds and the ledger's "cancelled" rows stay per Shopify order).
    CANCELLED_WITH_OTHER = "cancelled_with_other_order"
    WOULD_CANCEL = "would_cancel"  # dry run, or the cancel toggle is off
    IN_OTHER_RUN = "cancelling_in_other_run"  # another run holds its claim: left to that run, nothing sent
    FAILED = "failed"
    ALREADY_CANCELLED = Decision.ALREADY_CANCELLED.value
    CANNOT_CANCEL = Decision.CANNOT_CANCEL.value
    NOT_FOUND = Decision.NOT_FOUND.value
    INVALID_LINK = Decision.INVALID_LINK.value
    LINKED_TO_OPEN_ORDER = Decision.LINKED_TO_OPEN_ORDER.value
    BILLED_IN_NETSUITE = Decision.BILLED_IN_NETSUITE.value
    NO_STORE = Decision.NO_STORE.value
    SEVERAL_STORES = Decision.SEVERAL_STORES.value
    # While a cancel is in flight (cancel step and ledger only, never a final outcome in a report):
    TO_CANCEL = Decision.TO_CANCEL.value  # re-checked, about to be sent
    ACCEPTED = "accepted"  # Shopify took the cancel; not yet seen done
    NOT_APPLIED = "not_applied"  # ledger: a later try found the order still open


# Outcomes a person has to look at, in the order the report lists them; failures are counted apart (a retry
# may still clear them).
_FOR_A_PERSON = (
    Outcome.SEVERAL_STORES,
    Outcome.LINKED_TO_OPEN_ORDER,
    Outcome.BILLED_IN_NETSUITE,
    Outcome.INVALID_LINK,
    Outcome.NOT_FOUND,
    Outcome.CANNOT_CANCEL,
)
NEEDS_A_PERSON = frozenset(_FOR_A_PERSON)
# How the report lists orders: problems first, in this order, then everything else.
PROBLEMS_FIRST = (Outcome.FAILED, *_FOR_A_PERSON, Outcome.WOULD_CANCEL)


def needs_attention(outcome: str) -> bool:
    return outcome == Outcome.FAILED or outcome in NEEDS_A_PERSON


def outcome_of(decision: str) -> Outcome:
    """The outcome an order has when nothing is sent for it."""
    return Outcome(decision)


class CanceledOrder(TypedDict, total=False):
    """A NetSuite sales order that counts as canceled (extract step)."""

    id: Required[int]  # NetSuite internal id
    store: str | None  # the store it belongs to (stores.py); None: no store, `routing` says why
    tranid: str  # document number, e.g. SO10042
    status: str  # C or H
    modified: str | None  # lastmodifieddate as NetSuite printed it
    gid: str | None  # the Shopify order it links, None when the link is unusable
    problem: NotRequired[str]  # why the link cannot be used
    billed: NotRequired[bool]  # something on it was billed (only a closed order can be)
    routing: NotRequired[Decision]  # store None: no_store or several_stores
    routing_reason: NotRequired[str]


class OrderDecision(CanceledOrder, total=False):
    """The order beside its Shopify state (compare step)."""

    shopify_name: str | None  # "#1042"
    financial_status: str | None
    fulfillment_status: str | None
    return_status: str | None  # with fulfillment_status: what holds it (shopify/fulfillment.py)
    refund: bool  # ask Shopify to refund when cancelling
    decision: Decision
    reason: str
    caught: NotRequired[str]  # the sweep: "caught by the sweep: window run X should have handled it"


class OrderOutcome(OrderDecision, total=False):
    """What came of the decision (cancel step)."""

    outcome: Outcome
    detail: str
    job_id: NotRequired[str | None]  # Shopify's cancel job (ledger only; not sent to the report)
    financial_status_after: NotRequired[str | None]
    ambiguous: NotRequired[bool]  # the cancel's reply was lost: confirmed from order state
    # Failed without Shopify's last word: its cancel may still go through, so its claim stays open (ledger
    # `accepted`) and no try sends another until Shopify shows how it ended.
    in_doubt: NotRequired[bool]
    user_errors: NotRequired[list[dict[str, Any]]]
