"""Every GraphQL document the sync sends. Values always travel as variables.

Fields used exist in both Admin API 2026-01 and 2026-10, none deprecated (tests validate these against the
official schema), except the cancel's `jobResult`, sent only to 2026-10 and later.
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

ALL_DOCUMENTS = {"ORDER_STATES_QUERY": ORDER_STATES_QUERY}

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

_CANCEL_ARGUMENTS = """(
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
    orderCancelUserErrors { field message code }"""

ORDER_CANCEL_MUTATION = f"""
mutation CancelOrder{_CANCEL_ARGUMENTS}
  }}
}}
"""

# From Admin API 2026-10 the payload also carries the cancel's own result: its status and errors
# (https://shopify.dev/changelog/the-ordercancel-mutation-now-returns-a-structured-jobresult). Sent only to
# versions that have it; an endpoint that refuses the field gets ORDER_CANCEL_MUTATION instead.
JOB_RESULT_SINCE = "2026-10"
ORDER_CANCEL_MUTATION_WITH_RESULT = f"""
mutation CancelOrder{_CANCEL_ARGUMENTS}
    jobResult {{ id done status errors {{ field message code }} }}
  }}
}}
"""

ALL_DOCUMENTS["ORDER_CANCEL_MUTATION"] = ORDER_CANCEL_MUTATION
# Validated against 2026-01 plus the documented 2026-10 additions (tests/cancel_sync/shopify/test_documents.py).
DOCUMENTS_SINCE_2026_10 = {"ORDER_CANCEL_MUTATION_WITH_RESULT": ORDER_CANCEL_MUTATION_WITH_RESULT}

# Whether a cancel job has run ("done" says run, not succeeded: the order's cancelledAt says that). Job is
# no Node, so several are read through aliases j0, j1, ...
MAX_JOBS_PER_QUERY = 100


@functools.cache
def jobs_query(count: int) -> str:
    if not 1 <= count <= MAX_JOBS_PER_QUERY:
        raise ValueError(f"between 1 and {MAX_JOBS_PER_QUERY} jobs per query, not {count}")
    arguments = ", ".join(f"$id{i}: ID!" for i in range(count))
    fields = "".join(f"\n  j{i}: job(id: $id{i}) {{ id done }}" for i in range(count))
    return f"query CancelJobs({arguments}) {{{fields}\n}}\n"


ALL_DOCUMENTS["JOBS_QUERY_1"] = jobs_query(1)
ALL_DOCUMENTS[f"JOBS_QUERY_{MAX_JOBS_PER_QUERY}"] = jobs_query(MAX_JOBS_PER_QUERY)
