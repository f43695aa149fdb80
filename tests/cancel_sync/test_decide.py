from hypothesis import given
from hypothesis import strategies as st

from include.cancel_sync.decide import REFUNDABLE_FINANCIAL, decide
from include.cancel_sync.records import Decision

GID = "gid://shopify/Order/1"
FINANCIAL = ["AUTHORIZED", "EXPIRED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED"]
FULFILLMENT = [
    "FULFILLED",
    "IN_PROGRESS",
    "ON_HOLD",
    "OPEN",
    "PARTIALLY_FULFILLED",
    "PENDING_FULFILLMENT",
    "REQUEST_DECLINED",
    "RESTOCKED",
    "SCHEDULED",
    "UNFULFILLED",
]
RETURNS = ["NO_RETURN", "RETURNED", "IN_PROGRESS", "INSPECTION_COMPLETE", "RETURN_FAILED", "RETURN_REQUESTED"]


def record(id=1, gid=GID, **extra):
    return {"id": id, "tranid": f"SO{id}", "status": "C", "modified": "2026-01-01 00:00:00", "gid": gid, **extra}


def state(gid=GID, **fields):
    base = {
        "id": gid,
        "name": "#1001",
        "cancelledAt": None,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "returnStatus": "NO_RETURN",
    }
    return {gid: base | fields}


def only(decisions):
    assert len(decisions) == 1
    return decisions[0]


def test_open_paid_order_is_cancelled_with_refund_unless_prevented():
    refunded = only(decide([record()], state(), prevent_refund=False))
    assert refunded["decision"] == Decision.TO_CANCEL and refunded["refund"] is True
    kept = only(decide([record()], state(), prevent_refund=True))
    assert kept["decision"] == Decision.TO_CANCEL and kept["refund"] is False


def test_authorized_and_pending_orders_never_ask_for_a_refund():
    for financial in ("AUTHORIZED", "PENDING", "VOIDED", "EXPIRED"):
        decision = only(decide([record()], state(displayFinancialStatus=financial), prevent_refund=False))
        assert decision["decision"] == Decision.TO_CANCEL and decision["refund"] is False


def test_each_skip_class_has_a_reason():
    cases = [
        (record(gid=None, problem="link field is empty"), {}, Decision.INVALID_LINK, "empty"),
        (record(duplicate=True, problem="linked from several"), state(), Decision.DUPLICATE_LINK, "several"),
        (record(), {}, Decision.NOT_FOUND, "no order"),
        (record(), state(cancelledAt="2026-01-01T00:00:00Z"), Decision.ALREADY_CANCELLED, "cancelled in Shopify"),
        (record(), state(displayFulfillmentStatus="FULFILLED"), Decision.CANNOT_CANCEL, "FULFILLED"),
        (
            record(),
            state(displayFulfillmentStatus="PARTIALLY_FULFILLED"),
            Decision.CANNOT_CANCEL,
            "PARTIALLY_FULFILLED",
        ),
        (record(), state(returnStatus="IN_PROGRESS"), Decision.CANNOT_CANCEL, "return status"),
    ]
    for rec, states, expected, reason in cases:
        decision = only(decide([rec], states, prevent_refund=False))
        assert decision["decision"] == expected, (rec, states)
        assert reason in decision["reason"]
        assert decision["refund"] is False


def test_duplicate_links_in_one_batch_are_both_held_back():
    decisions = decide(
        [record(1, duplicate=True, problem="dup"), record(2, duplicate=True, problem="dup")], state(), False
    )
    assert [d["decision"] for d in decisions] == [Decision.DUPLICATE_LINK, Decision.DUPLICATE_LINK]


orders = st.builds(
    lambda link_ok, duplicate, exists, cancelled, financial, fulfillment, returns: (
        record(gid=GID if link_ok else None, duplicate=duplicate, problem=None if link_ok else "bad"),
        state(
            cancelledAt="2026-01-01T00:00:00Z" if cancelled else None,
            displayFinancialStatus=financial,
            displayFulfillmentStatus=fulfillment,
            returnStatus=returns,
        )
        if exists
        else {},
    ),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(FINANCIAL),
    st.sampled_from(FULFILLMENT),
    st.sampled_from(RETURNS),
)


@given(orders, st.booleans())
def test_property_cancel_only_open_unshipped_linked_orders(order, prevent_refund):
    rec, states = order
    decision = only(decide([rec], states, prevent_refund))
    shopify = states.get(GID)
    if decision["decision"] == Decision.TO_CANCEL:
        assert rec["gid"] and not rec.get("duplicate")
        assert shopify and shopify["cancelledAt"] is None
        assert shopify["displayFulfillmentStatus"] not in ("FULFILLED", "PARTIALLY_FULFILLED", "IN_PROGRESS")
        assert shopify["returnStatus"] == "NO_RETURN"
    if decision["refund"]:
        assert not prevent_refund
        assert decision["decision"] == Decision.TO_CANCEL
        assert shopify["displayFinancialStatus"] in REFUNDABLE_FINANCIAL
