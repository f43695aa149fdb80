"""Every GraphQL document the sync sends. Values always travel as variables.

Fields used exist in both Admin API 2026-01 and 2026-10, none deprecated
(tests validate these against the official schema).
"""

import functools

# Scalars only: each order then costs 1 point, so a 250-id read stays at 250 points.
ORDER_STATE_FIELDS = """
  id
  name
  cancelledAt
  cancelReason
  closed
  displayFinancialStatus
  displayFulfillmentStatus
  returnStatus
"""

ORDER_STATES_QUERY = f"""
query OrderStates($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    ... on Order {{{ORDER_STATE_FIELDS}}}
  }}
}}
"""

JOB_QUERY = """
query CancelJob($id: ID!) {
  job(id: $id) { id done }
}
"""

ALL_DOCUMENTS = {
    "ORDER_STATES_QUERY": ORDER_STATES_QUERY,
    "JOB_QUERY": JOB_QUERY,
}

# Right before cancelling: also read the staff note, so a cancel made by an earlier
# try of this sync is recognised as ours (2 points per order instead of 1).
ORDER_RECHECK_QUERY = f"""
query OrderRecheck($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    ... on Order {{{ORDER_STATE_FIELDS}  cancellation {{ staffNote }}
    }}
  }}
}}
"""

ALL_DOCUMENTS["ORDER_RECHECK_QUERY"] = ORDER_RECHECK_QUERY

# Several cancels in one request: `orderCancel` aliased c0, c1, ... Each costs its own 10 points
# (Shopify charges every mutation field), so this saves round trips, not points. Shopify runs the
# fields of a mutation one after the other; each answers for its own order (its own user errors).
MAX_CANCELS_PER_REQUEST = 25  # 250 points: well inside Shopify's 1000-point limit per request
_CANCEL_FIELD = """
  c{i}: orderCancel(
    orderId: $orderId{i}
    reason: $reason
    restock: $restock
    notifyCustomer: $notifyCustomer
    refundMethod: $refundMethod{i}
    staffNote: $staffNote{i}
  ) {{
    job {{ id done }}
    orderCancelUserErrors {{ field message code }}
  }}"""


@functools.cache
def order_cancel_mutation(count: int) -> str:
    """`count` cancels in one document; variables `$orderId{i}`, `$refundMethod{i}`, `$staffNote{i}` per
    order and `$reason`, `$restock`, `$notifyCustomer` shared; order i's reply is under `c{i}`."""
    if not 1 <= count <= MAX_CANCELS_PER_REQUEST:
        raise ValueError(f"between 1 and {MAX_CANCELS_PER_REQUEST} cancels per request, not {count}")
    per_order = "".join(
        f"\n  $orderId{i}: ID!\n  $refundMethod{i}: OrderCancelRefundMethodInput\n  $staffNote{i}: String"
        for i in range(count)
    )
    fields = "".join(_CANCEL_FIELD.format(i=i) for i in range(count))
    return (
        "mutation CancelOrders(\n  $reason: OrderCancelReason!\n  $restock: Boolean!\n  $notifyCustomer: Boolean"
        f"{per_order}\n) {{{fields}\n}}\n"
    )


ALL_DOCUMENTS["ORDER_CANCEL_MUTATION_1"] = order_cancel_mutation(1)
ALL_DOCUMENTS["ORDER_CANCEL_MUTATION_2"] = order_cancel_mutation(2)
ALL_DOCUMENTS[f"ORDER_CANCEL_MUTATION_{MAX_CANCELS_PER_REQUEST}"] = order_cancel_mutation(MAX_CANCELS_PER_REQUEST)
