"""orderCancel for every displayFulfillmentStatus, cancel jobs that finish without cancelling, and 2026-10's jobResult.

The expected outcome per status is the table in sandbox/shopify/README.md, written down here on its own so the
sandbox's rule is checked against the table, not against itself.
"""

from __future__ import annotations

import pytest

from tests.timing import HTTP_TIMEOUT

CANCEL = """
mutation($orderId: ID!) {
  orderCancel(orderId: $orderId, reason: CUSTOMER, restock: false, refundMethod: {originalPaymentMethodsRefund: true}) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""
CANCEL_WITH_RESULT = """
mutation($orderId: ID!) {
  orderCancel(orderId: $orderId, reason: CUSTOMER, restock: false, refundMethod: {originalPaymentMethodsRefund: true}) {
    job { id done }
    jobResult { id done status errors { field message code } order { id cancelledAt } ... on JobResult { done } }
    orderCancelUserErrors { field message code }
  }
}
"""
STATE = "query($id: ID!) { order(id: $id) { cancelledAt closed displayFinancialStatus } }"
JOB = "query($id: ID!) { job(id: $id) { id done } }"
STATUSES = {
    "UNFULFILLED": True,
    "OPEN": True,
    "RESTOCKED": True,
    "SCHEDULED": True,  # a merchant's hold in time: nothing with a fulfillment service
    "ON_HOLD": True,  # a merchant's hold
    "REQUEST_DECLINED": True,  # the fulfillment service gave the request back
    "IN_PROGRESS": False,  # a fulfillment service has it
    "PENDING_FULFILLMENT": False,  # a request awaits the fulfillment service's answer (stricter reading)
    "PARTIALLY_FULFILLED": False,
    "FULFILLED": False,
}
FAILURE = "The order's payment gateway did not confirm the void."


def gid(order_id: int) -> str:
    return f"gid://shopify/Order/{order_id}"


def run(sandbox, query: str, variables: dict, version: str) -> dict:
    response = sandbox.session.post(
        sandbox.graphql_url(version),
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": "shpat_sandbox_test_token"},
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_status_table_covers_every_display_fulfillment_status(official_schema):
    assert set(STATUSES) == set(official_schema.type_map["OrderDisplayFulfillmentStatus"].values)


@pytest.mark.parametrize(("status", "cancellable"), STATUSES.items())
def test_order_cancel_per_display_fulfillment_status(make_shopify, make_order, status, cancellable):
    sandbox = make_shopify([make_order(1, fulfillment_status=status)])
    payload = sandbox.data(CANCEL, {"orderId": gid(1)})["orderCancel"]
    state = sandbox.data(STATE, {"id": gid(1)})["order"]
    if cancellable:
        assert payload["orderCancelUserErrors"] == []
        assert state["cancelledAt"] is not None and state["displayFinancialStatus"] == "REFUNDED"
    else:
        assert payload["job"] is None
        assert [(e["code"], e["field"]) for e in payload["orderCancelUserErrors"]] == [("INVALID", ["orderId"])]
        assert state == {"cancelledAt": None, "closed": False, "displayFinancialStatus": "PAID"}
    assert len(sandbox.app.store.refunds) == int(cancellable)


def test_a_cancel_job_can_finish_without_cancelling(make_shopify, make_order):
    sandbox = make_shopify([make_order(1, cancel_job_error=FAILURE), make_order(2)])
    payload = sandbox.data(CANCEL, {"orderId": gid(1)})["orderCancel"]
    assert payload["orderCancelUserErrors"] == [] and payload["job"]["done"] is False  # accepted
    assert sandbox.data(JOB, {"id": payload["job"]["id"]})["job"]["done"] is True
    assert sandbox.data(STATE, {"id": gid(1)})["order"] == {
        "cancelledAt": None,
        "closed": False,
        "displayFinancialStatus": "PAID",
    }
    assert sandbox.app.store.refunds == []
    assert [call.accepted for call in sandbox.app.store.cancel_calls] == [True]
    job = sandbox.app.store.job(payload["job"]["id"])
    assert (job.status, job.errors) == ("FAILED", [{"field": ["orderId"], "message": FAILURE, "code": "INVALID"}])
    # Nothing is pending afterwards: a new attempt is judged afresh, and fails the same way until the cause goes.
    again = sandbox.data(CANCEL, {"orderId": gid(1)})["orderCancel"]
    assert again["orderCancelUserErrors"] == []
    assert sandbox.control("POST", "orders/1", {"cancel_job_error": None}).ok
    last = sandbox.data(CANCEL, {"orderId": gid(1)})["orderCancel"]
    assert sandbox.data(JOB, {"id": last["job"]["id"]})["job"]["done"] is True
    assert sandbox.data(STATE, {"id": gid(1)})["order"]["cancelledAt"] is not None
    assert sandbox.control("POST", "orders/2", {"cancel_job_error": 5}).status_code == 400


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-07"])
def test_job_result_is_not_in_versions_before_2026_10(make_shopify, make_order, version):
    sandbox = make_shopify([make_order(1)])
    body = run(sandbox, CANCEL_WITH_RESULT, {"orderId": gid(1)}, version)
    assert "data" not in body
    assert any("jobResult" in error["message"] for error in body["errors"])
    assert sandbox.app.store.cancel_calls == []  # an invalid document never runs


@pytest.mark.parametrize("version", ["2026-10", "2027-01", "unstable"])
def test_job_result_in_the_reply_shows_the_job_as_it_stands(make_shopify, make_order, version):
    sandbox = make_shopify([make_order(1), make_order(2, cancel_job_error=FAILURE)])
    for order_id in (1, 2):
        payload = run(sandbox, CANCEL_WITH_RESULT, {"orderId": gid(order_id)}, version)["data"]["orderCancel"]
        result = payload["jobResult"]
        assert result == {
            "id": payload["job"]["id"],
            "done": False,
            "status": "STARTED",
            "errors": [],
            "order": {"id": gid(order_id), "cancelledAt": None},
        }


def test_a_job_run_before_the_reply_reports_success_or_its_errors(make_shopify, make_order):
    sandbox = make_shopify([make_order(1), make_order(2, cancel_job_error=FAILURE)], cancel_job_inline=True)
    done = run(sandbox, CANCEL_WITH_RESULT, {"orderId": gid(1)}, "2026-10")["data"]["orderCancel"]
    assert done["job"]["done"] is True
    assert (done["jobResult"]["status"], done["jobResult"]["errors"]) == ("SUCCEEDED", [])
    assert done["jobResult"]["order"]["cancelledAt"] is not None
    failed = run(sandbox, CANCEL_WITH_RESULT, {"orderId": gid(2)}, "2026-10")["data"]["orderCancel"]
    assert failed["orderCancelUserErrors"] == [] and failed["job"]["done"] is True
    assert failed["jobResult"]["status"] == "FAILED"
    assert failed["jobResult"]["errors"] == [{"field": ["orderId"], "message": FAILURE, "code": "INVALID"}]
    assert failed["jobResult"]["order"] == {"id": gid(2), "cancelledAt": None}
    plain = sandbox.data(CANCEL, {"orderId": gid(1)})["orderCancel"]  # 2026-01 reply: already cancelled
    assert plain["orderCancelUserErrors"][0]["code"] == "INVALID"
