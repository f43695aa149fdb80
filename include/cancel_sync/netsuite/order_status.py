"""When a NetSuite sales order counts as canceled: the one rule, for extracted orders and linked ones alike.

Canceled = pending approval and canceled (status C), or pending fulfillment and closed (status H) with
nothing shipped and nothing billed. A closed order that was billed (an invoice or cash sale from its
lines) was charged in NetSuite: not a cancellation, whatever Shopify shows.
"""

from __future__ import annotations

# transaction.status of a sales order (BUILTIN.CF gives 'SalesOrd:<letter>'), reference/netsuite.md.
STATUS_LABELS = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}


def status_letter(raw: object) -> str:
    """'SalesOrd:H' (BUILTIN.CF) or 'H' → 'H'."""
    return str(raw or "").rpartition(":")[2].strip().upper()


def status_label(letter: str) -> str:
    return STATUS_LABELS.get(letter, f"status {letter or 'unknown'}")


def counts_as_canceled(letter: str, shipped: bool, billed: bool) -> bool:
    return letter == "C" or (letter == "H" and not shipped and not billed)


def describe(letter: str, shipped: bool, billed: bool) -> str:
    """How the order stands, for a person: 'Pending Fulfillment', 'Closed, billed', 'Closed, shipped'."""
    extra = [word for word, present in (("shipped", shipped), ("billed", billed)) if present]
    return ", ".join([status_label(letter), *extra])


def flag(raw: object) -> bool:
    """A 'T'/'F' column (NetSuite's booleans), absent meaning F."""
    return str(raw or "F").strip().upper() == "T"
