"""Compare: join NetSuite records with Shopify state and decide per order.

An order is cancelled only if NetSuite says it qualifies (it was extracted), its
link is sound and unique, and Shopify shows it open, unfulfilled and without a
return. A refund is asked only when prevent-refund is off and money was taken.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from include.cancel_sync.records import CanceledOrder, Decision, OrderDecision

# Fulfillment states in which nothing has left (or is leaving) the warehouse.
CANCELLABLE_FULFILLMENT = {"UNFULFILLED", "OPEN", "PENDING_FULFILLMENT", "SCHEDULED", "ON_HOLD", "REQUEST_DECLINED"}
# Financial states with captured money that a refund would give back.
REFUNDABLE_FINANCIAL = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"}
_ORDER_COLUMNS = ["id", "tranid", "status", "modified", "gid", "problem", "duplicate"]
_STATE_COLUMNS = ["gid", "name", "cancelledAt", "displayFinancialStatus", "displayFulfillmentStatus", "returnStatus"]


def decide(
    records: list[CanceledOrder], states: dict[str, dict[str, Any]], prevent_refund: bool
) -> list[OrderDecision]:
    if not records:
        return []
    orders = pd.DataFrame.from_records(records, columns=_ORDER_COLUMNS).astype(object)
    shopify = pd.DataFrame.from_records(
        [{"gid": gid, **state} for gid, state in states.items()], columns=_STATE_COLUMNS
    ).astype(object)
    joined = orders.merge(shopify, on="gid", how="left", validate="many_to_one")
    # Missing values as None, not NaN: every column is object, so None stays None.
    joined = joined.astype(object).where(joined.notna(), None)
    return [_decision(row, prevent_refund) for row in joined.to_dict("records")]


def _decision(row: dict[str, Any], prevent_refund: bool) -> OrderDecision:
    decision_name, reason = _classify(row)
    decision: OrderDecision = {
        "id": int(row["id"]),
        "tranid": row["tranid"],
        "status": row["status"],
        "modified": row["modified"],
        "gid": row["gid"],
        "shopify_name": row["name"],
        "financial_status": row["displayFinancialStatus"],
        "fulfillment_status": row["displayFulfillmentStatus"],
        "refund": decision_name == Decision.TO_CANCEL and wants_refund(row["displayFinancialStatus"], prevent_refund),
        "decision": decision_name,
        "reason": reason,
    }
    return decision


def _classify(row: dict[str, Any]) -> tuple[Decision, str]:
    if not row["gid"]:
        return Decision.INVALID_LINK, row["problem"] or "no Shopify link"
    if row["duplicate"] is True:
        return Decision.DUPLICATE_LINK, row["problem"]
    if row["name"] is None:
        return Decision.NOT_FOUND, f"Shopify has no order {row['gid']}"
    if row["cancelledAt"]:
        return Decision.ALREADY_CANCELLED, f"cancelled in Shopify at {row['cancelledAt']}"
    fulfillment = row["displayFulfillmentStatus"]
    if fulfillment not in CANCELLABLE_FULFILLMENT:
        return Decision.CANNOT_CANCEL, f"Shopify fulfillment status is {fulfillment}"
    returns = row["returnStatus"] or "NO_RETURN"
    if returns != "NO_RETURN":
        return Decision.CANNOT_CANCEL, f"Shopify return status is {returns}"
    return Decision.TO_CANCEL, "canceled in NetSuite, open in Shopify"


def wants_refund(financial_status: str | None, prevent_refund: bool) -> bool:
    return not prevent_refund and financial_status in REFUNDABLE_FINANCIAL
