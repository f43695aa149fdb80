"""Compare: join NetSuite records with Shopify state and decide per order.

A Shopify order is cancelled only if
- the NetSuite order belongs to exactly one store (stores.py), whose shop the batch's client talks to,
- the NetSuite order counts as canceled (status C, or H with nothing shipped and nothing billed),
- every other NetSuite sales order that links the same Shopify order counts as canceled too (a re-entered
  order still being fulfilled holds it), and
- Shopify shows it open, with nothing fulfilled or with a fulfillment service, and no return.
Several canceled NetSuite orders linking one Shopify order all decide to cancel it; the cancel step sends
one cancel for them. A refund is asked only when prevent-refund is off and money was taken.

What each Shopify fulfillment status means for a cancel (OrderDisplayFulfillmentStatus, 2026-01 schema;
Shopify: an order can be cancelled when it has "no outstanding fulfillments that can't be cancelled", and
once a fulfillment service accepted a request only a cancellation request to that service can stop it):

| status | cancel? | why |
|---|---|---|
| UNFULFILLED | yes | nothing fulfilled |
| OPEN, RESTOCKED | yes | older names Shopify replaced by UNFULFILLED |
| ON_HOLD, SCHEDULED | yes | the merchant's own hold or schedule; nothing has left |
| IN_PROGRESS, PENDING_FULFILLMENT | no | a fulfillment service has the request: cancel it there first |
| REQUEST_DECLINED | no | the service declined some items; the others may still be with it |
| PARTIALLY_FULFILLED, FULFILLED | no | items were shipped |
| anything else | no | unknown to this version: a person checks |

A return not NO_RETURN stops it too. The rule itself is shopify/fulfillment.py's `hold_of`: the report's
next step for a person comes from the same hold.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from include.cancel_sync.netsuite.linked_orders import LinkedOrder
from include.cancel_sync.netsuite.order_status import counts_as_canceled, describe
from include.cancel_sync.records import CanceledOrder, Decision, OrderDecision
from include.cancel_sync.shopify.fulfillment import Hold, hold_of

# Why each hold stops the cancel, said after the Shopify status that shows it (shopify/fulfillment.py decides).
_WHY = {
    Hold.FULFILLMENT_SERVICE: "a fulfillment service has this order; cancel it there first",
    Hold.REQUEST_DECLINED: "the fulfillment service declined some items and may still hold others; check it in Shopify",
    Hold.UNKNOWN_STATUS: "a status this version does not know; check it in Shopify",
}
_SHIPPED = {"PARTIALLY_FULFILLED": "some items were shipped", "FULFILLED": "the items were shipped"}
# Financial states with captured money that a refund would give back.
REFUNDABLE_FINANCIAL = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"}
LINKS_NAMED = 5  # other NetSuite orders named in a reason
_ORDER_COLUMNS = [
    "id",
    "tranid",
    "status",
    "modified",
    "gid",
    "problem",
    "billed",
    "store",
    "routing",
    "routing_reason",
]
_STATE_COLUMNS = ["gid", "name", "cancelledAt", "displayFinancialStatus", "displayFulfillmentStatus", "returnStatus"]


def decide(
    records: list[CanceledOrder],
    states: dict[str, dict[str, Any]],
    linked: dict[str, list[LinkedOrder]],
    prevent_refund: bool,
) -> list[OrderDecision]:
    """`states`: Shopify GID → order fields (absent: Shopify has no such order); `linked`: GID → every NetSuite
    sales order linking it (netsuite/linked_orders.py)."""
    if not records:
        return []
    orders = pd.DataFrame.from_records(records, columns=_ORDER_COLUMNS).astype(object)
    shopify = pd.DataFrame.from_records(
        [{"gid": gid, **state} for gid, state in states.items()], columns=_STATE_COLUMNS
    ).astype(object)
    joined = orders.merge(shopify, on="gid", how="left", validate="many_to_one")
    # Missing values as None, not NaN: every column is object, so None stays None.
    joined = joined.astype(object).where(joined.notna(), None)
    return [_decision(row, linked, prevent_refund) for row in joined.to_dict("records")]


def _decision(row: dict[str, Any], linked: dict[str, list[LinkedOrder]], prevent_refund: bool) -> OrderDecision:
    decision_name, reason = _classify(row, linked)
    decision: OrderDecision = {
        "id": int(row["id"]),
        "store": row["store"],
        "tranid": row["tranid"],
        "status": row["status"],
        "modified": row["modified"],
        "gid": row["gid"],
        "shopify_name": row["name"],
        "financial_status": row["displayFinancialStatus"],
        "fulfillment_status": row["displayFulfillmentStatus"],
        "return_status": row["returnStatus"],
        "refund": decision_name == Decision.TO_CANCEL and wants_refund(row["displayFinancialStatus"], prevent_refund),
        "decision": decision_name,
        "reason": reason,
    }
    return decision


def _classify(row: dict[str, Any], linked: dict[str, list[LinkedOrder]]) -> tuple[Decision, str]:
    if row["routing"]:  # no store, or several: never cancelled (stores.py)
        return Decision(row["routing"]), row["routing_reason"]
    if not row["gid"]:
        return Decision.INVALID_LINK, row["problem"] or "no Shopify link"
    if row["billed"] is True:
        return Decision.BILLED_IN_NETSUITE, "closed in NetSuite, but billed (invoice or cash sale): not a cancellation"
    held_itself = _held_by_itself(row, linked.get(row["gid"]))
    if held_itself is not None:
        return held_itself
    others = [order for order in linked.get(row["gid"], []) if order["id"] != int(row["id"])]
    holding = [order for order in others if not counts_as_canceled(order["status"], order["shipped"], order["billed"])]
    if holding:
        return Decision.LINKED_TO_OPEN_ORDER, f"{_named(holding)} still {_verb(holding)} this Shopify order"
    if row["name"] is None:
        return Decision.NOT_FOUND, f"Shopify has no order {row['gid']}"
    if row["cancelledAt"]:
        return Decision.ALREADY_CANCELLED, f"cancelled in Shopify at {row['cancelledAt']}"
    fulfillment, returns = row["displayFulfillmentStatus"], row["returnStatus"]
    hold = hold_of(fulfillment, returns)
    if hold == Hold.RETURN:
        return Decision.CANNOT_CANCEL, f"Shopify return status is {returns}"
    if hold is not None:
        why = _SHIPPED.get(fulfillment) or _WHY[hold]
        return Decision.CANNOT_CANCEL, f"Shopify fulfillment status is {fulfillment}: {why}"
    reason = "canceled in NetSuite, open in Shopify"
    if others:  # every one of them counts as canceled too
        reason += f"; {_named(others)} also canceled {_verb(others, 'link', 'links')} it: one cancel for all"
    return Decision.TO_CANCEL, reason


def _held_by_itself(row: dict[str, Any], fresh: list[LinkedOrder] | None) -> tuple[Decision, str] | None:
    """The NetSuite order as read just now with its links (None: they were not read): it must still link this
    Shopify order and still count as canceled. Edited since it was extracted (reopened, billed, relinked), it
    is not cancelled on the old reading."""
    if fresh is None:
        return None
    own = next((order for order in fresh if order["id"] == int(row["id"])), None)
    name = row["tranid"] or row["id"]
    if own is None:
        return Decision.INVALID_LINK, (
            f"{name} no longer links {row['gid']} in NetSuite (its link changed since it was read); "
            "the run that reads its new link takes it"
        )
    if counts_as_canceled(own["status"], own["shipped"], own["billed"]):
        return None
    now = describe(own["status"], own["shipped"], own["billed"])
    if own["billed"]:
        return Decision.BILLED_IN_NETSUITE, f"billed in NetSuite since it was read ({now}): not a cancellation"
    return Decision.LINKED_TO_OPEN_ORDER, f"{name} itself is {now} in NetSuite now: it holds this Shopify order"


def _named(orders: list[LinkedOrder]) -> str:
    shown = ", ".join(
        f"{o['tranid'] or o['id']} ({describe(o['status'], o['shipped'], o['billed'])})" for o in orders[:LINKS_NAMED]
    )
    more = f" and {len(orders) - LINKS_NAMED} more" if len(orders) > LINKS_NAMED else ""
    return shown + more


def _verb(orders: list[LinkedOrder], plural: str = "hold", singular: str = "holds") -> str:
    return singular if len(orders) == 1 else plural


def wants_refund(financial_status: str | None, prevent_refund: bool) -> bool:
    return not prevent_refund and financial_status in REFUNDABLE_FINANCIAL
