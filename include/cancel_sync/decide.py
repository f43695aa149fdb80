"""Compare: join NetSuite records with Shopify state and decide per order.

An order is cancelled only if NetSuite says it qualifies (it was extracted), its
link is sound and unique, and Shopify shows it open, unfulfilled and without a
return. A refund is asked only when prevent-refund is off and money was taken.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from include.cancel_sync.records import (
    ALREADY_CANCELLED,
    CANNOT_CANCEL,
    DUPLICATE_LINK,
    INVALID_LINK,
    NOT_FOUND,
    TO_CANCEL,
)

# Fulfillment states in which nothing has left (or is leaving) the warehouse.
CANCELLABLE_FULFILLMENT = {"UNFULFILLED", "OPEN", "PENDING_FULFILLMENT", "SCHEDULED", "ON_HOLD", "REQUEST_DECLINED"}
# Financial states with captured money that a refund would give back.
REFUNDABLE_FINANCIAL = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"}
_STATE_COLUMNS = ["gid", "name", "cancelledAt", "displayFinancialStatus", "displayFulfillmentStatus", "returnStatus"]


def decide(
    records: list[dict[str, Any]], states: dict[str, dict[str, Any]], prevent_refund: bool
) -> list[dict[str, Any]]:
    if not records:
        return []
    orders = pd.DataFrame.from_records(records)
    for column in ("gid", "problem", "duplicate"):
        if column not in orders:
            orders[column] = None
    shopify = pd.DataFrame.from_records(
        [{"gid": gid, **state} for gid, state in states.items()], columns=_STATE_COLUMNS
    )
    joined = orders.merge(shopify, on="gid", how="left", validate="many_to_one")
    return [_decision(row, prevent_refund) for row in joined.to_dict("records")]


def _decision(row: dict[str, Any], prevent_refund: bool) -> dict[str, Any]:
    decision = {"id": int(row["id"])} | {key: _text(row.get(key)) for key in ("tranid", "status", "modified", "gid")}
    decision["shopify_name"] = _text(row.get("name"))
    decision["financial_status"] = _text(row.get("displayFinancialStatus"))
    decision["fulfillment_status"] = _text(row.get("displayFulfillmentStatus"))
    decision["refund"] = False
    decision["decision"], decision["reason"] = _classify(row)
    if decision["decision"] == TO_CANCEL:
        decision["refund"] = wants_refund(decision["financial_status"], prevent_refund)
    return decision


def _classify(row: dict[str, Any]) -> tuple[str, str]:
    if not _text(row.get("gid")):
        return INVALID_LINK, _text(row.get("problem")) or "no Shopify link"
    if row.get("duplicate") is True:  # NaN when absent, so compare with True
        return DUPLICATE_LINK, _text(row.get("problem"))
    if _text(row.get("name")) is None:
        return NOT_FOUND, f"Shopify has no order {row['gid']}"
    if _text(row.get("cancelledAt")):
        return ALREADY_CANCELLED, f"cancelled in Shopify at {row['cancelledAt']}"
    fulfillment = _text(row.get("displayFulfillmentStatus"))
    if fulfillment not in CANCELLABLE_FULFILLMENT:
        return CANNOT_CANCEL, f"Shopify fulfillment status is {fulfillment}"
    returns = _text(row.get("returnStatus")) or "NO_RETURN"
    if returns != "NO_RETURN":
        return CANNOT_CANCEL, f"Shopify return status is {returns}"
    return TO_CANCEL, "canceled in NetSuite, open in Shopify"


def wants_refund(financial_status: str | None, prevent_refund: bool) -> bool:
    return not prevent_refund and financial_status in REFUNDABLE_FINANCIAL


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)
