"""Every GraphQL document the sync sends. Values always travel as variables.

Fields used exist in both Admin API 2026-01 and 2026-10, none deprecated
(tests validate these against the official schema).
"""

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

ORDER_CANCEL_MUTATION = """
mutation CancelOrder(
  $orderId: ID!
  $reason: OrderCancelReason!
  $restock: Boolean!
  $notifyCustomer: Boolean
  $refundMethod: OrderCancelRefundMethodInput
  $staffNote: String
) {
  orderCancel(
    orderId: $orderId
    reason: $reason
    restock: $restock
    notifyCustomer: $notifyCustomer
    refundMethod: $refundMethod
    staffNote: $staffNote
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

ALL_DOCUMENTS["ORDER_CANCEL_MUTATION"] = ORDER_CANCEL_MUTATION
