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


def linked(*orders, gid=GID):
    """GID → the NetSuite sales orders linking it: (id, status, shipped, billed) each."""
    return {
        gid: [
            {"id": i, "tranid": f"SO{i}", "status": status, "shipped": shipped, "billed": billed}
            for i, status, shipped, billed in orders
        ]
    }


def only(decisions):
    assert len(decisions) == 1
    return decisions[0]


def test_open_paid_order_is_cancelled_with_refund_unless_prevented():
    refunded = only(decide([record()], state(), {}, prevent_refund=False))
    assert refunded["decision"] == Decision.TO_CANCEL and refunded["refund"] is True
    kept = only(decide([record()], state(), {}, prevent_refund=True))
    assert kept["decision"] == Decision.TO_CANCEL and kept["refund"] is False


def test_authorized_and_pending_orders_never_ask_for_a_refund():
    for financial in ("AUTHORIZED", "PENDING", "VOIDED", "EXPIRED"):
        decision = only(decide([record()], state(displayFinancialStatus=financial), {}, prevent_refund=False))
        assert decision["decision"] == Decision.TO_CANCEL and decision["refund"] is False


# What each fulfillment status means for a cancel, from Shopify's descriptions (see decide.py's table).
FULFILLMENT_DECISIONS = {
    "UNFULFILLED": Decision.TO_CANCEL,
    "OPEN": Decision.TO_CANCEL,  # replaced by UNFULFILLED
    "RESTOCKED": Decision.TO_CANCEL,  # replaced by UNFULFILLED
    "ON_HOLD": Decision.TO_CANCEL,  # the merchant's hold
    "SCHEDULED": Decision.TO_CANCEL,  # the merchant's schedule
    "IN_PROGRESS": Decision.CANNOT_CANCEL,  # with a fulfillment service
    "PENDING_FULFILLMENT": Decision.CANNOT_CANCEL,  # with a fulfillment service
    "REQUEST_DECLINED": Decision.CANNOT_CANCEL,  # the service may still hold other items
    "PARTIALLY_FULFILLED": Decision.CANNOT_CANCEL,
    "FULFILLED": Decision.CANNOT_CANCEL,
    "SOMETHING_NEW": Decision.CANNOT_CANCEL,  # unknown to this version
}


def test_every_fulfillment_status_has_its_documented_decision():
    assert set(FULFILLMENT) <= set(FULFILLMENT_DECISIONS)
    for status, expected in FULFILLMENT_DECISIONS.items():
        decision = only(decide([record()], state(displayFulfillmentStatus=status), {}, False))
        assert decision["decision"] == expected, status
        if expected == Decision.CANNOT_CANCEL:
            assert status in decision["reason"]
    for status in ("IN_PROGRESS", "PENDING_FULFILLMENT"):
        reason = only(decide([record()], state(displayFulfillmentStatus=status), {}, False))["reason"]
        assert "a fulfillment service has this order; cancel it there first" in reason


def test_each_skip_class_has_a_reason():
    cases = [
        (record(gid=None, problem="link field is empty"), {}, {}, Decision.INVALID_LINK, "empty"),
        (record(billed=True, status="H"), state(), {}, Decision.BILLED_IN_NETSUITE, "billed"),
        (
            record(),
            state(),
            linked((1, "C", False, False), (2, "B", False, False)),
            Decision.LINKED_TO_OPEN_ORDER,
            "SO2 (Pending Fulfillment) still holds",
        ),
        (record(), {}, {}, Decision.NOT_FOUND, "no order"),
        (record(), state(cancelledAt="2026-01-01T00:00:00Z"), {}, Decision.ALREADY_CANCELLED, "cancelled in Shopify"),
        (record(), state(returnStatus="IN_PROGRESS"), {}, Decision.CANNOT_CANCEL, "return status"),
    ]
    for rec, states, links, expected, reason in cases:
        decision = only(decide([rec], states, links, prevent_refund=False))
        assert decision["decision"] == expected, (rec, states)
        assert reason in decision["reason"]
        assert decision["refund"] is False


def test_a_re_entered_order_holds_the_shopify_order_whatever_its_state_in_netsuite():
    holders = {
        "A": "Pending Approval",
        "B": "Pending Fulfillment",
        "D": "Partially Fulfilled",
        "E": "Pending Billing/Partially Fulfilled",
        "F": "Pending Billing",
        "G": "Billed",
    }
    for status, label in holders.items():
        decision = only(decide([record()], state(), linked((1, "C", False, False), (7, status, False, False)), False))
        assert decision["decision"] == Decision.LINKED_TO_OPEN_ORDER
        assert decision["reason"] == f"SO7 ({label}) still holds this Shopify order"
    shipped = only(decide([record()], state(), linked((1, "C", False, False), (7, "H", True, False)), False))
    assert shipped["reason"] == "SO7 (Closed, shipped) still holds this Shopify order"
    billed = only(decide([record()], state(), linked((1, "C", False, False), (7, "H", False, True)), False))
    assert billed["reason"] == "SO7 (Closed, billed) still holds this Shopify order"


def test_an_order_edited_in_netsuite_since_it_was_read_is_held_by_its_fresh_reading():
    # The compare step or the re-check before sending reads every order linking the Shopify order, this one too.
    cases = [
        ((1, "B", False, False), Decision.LINKED_TO_OPEN_ORDER, "SO1 itself is Pending Fulfillment in NetSuite now"),
        ((1, "H", True, False), Decision.LINKED_TO_OPEN_ORDER, "SO1 itself is Closed, shipped in NetSuite now"),
        ((1, "H", False, True), Decision.BILLED_IN_NETSUITE, "billed in NetSuite since it was read (Closed, billed)"),
        ((1, "C", False, False), Decision.TO_CANCEL, "canceled in NetSuite, open in Shopify"),
    ]
    for itself, expected, reason in cases:
        decision = only(decide([record()], state(), linked(itself), False))
        assert (decision["decision"], decision["refund"]) == (expected, expected == Decision.TO_CANCEL)
        assert decision["reason"].startswith(reason), decision["reason"]
    relinked = only(decide([record()], state(), linked((2, "C", False, False)), False))  # now links another order
    assert relinked["decision"] == Decision.INVALID_LINK
    assert relinked["reason"].startswith(f"SO1 no longer links {GID} in NetSuite")
    not_read = only(decide([record()], state(), {}, False))  # links not read (no NetSuite client): as extracted
    assert not_read["decision"] == Decision.TO_CANCEL


def test_canceled_orders_sharing_a_shopify_order_all_decide_to_cancel_it_once():
    links = linked((1, "C", False, False), (2, "H", False, False), (3, "C", False, False))
    decisions = decide([record(1), record(2, status="H")], state(), links, False)
    assert [d["decision"] for d in decisions] == [Decision.TO_CANCEL, Decision.TO_CANCEL]
    assert "SO2 (Closed), SO3 (Cancelled) also canceled link it: one cancel for all" in decisions[0]["reason"]
    assert "SO1 (Cancelled), SO3 (Cancelled) also canceled link it" in decisions[1]["reason"]


def counts_as_canceled(order) -> bool:
    """Issue 12's definition, written out here rather than imported."""
    return order["status"] == "C" or (order["status"] == "H" and not order["shipped"] and not order["billed"])


netsuite_orders = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(min_value=2, max_value=50),
            "tranid": st.just("SOx"),
            "status": st.sampled_from("ABCDEFGH"),
            "shipped": st.booleans(),
            "billed": st.booleans(),
        }
    ),
    max_size=4,
)

orders = st.builds(
    lambda link_ok, billed, exists, cancelled, financial, fulfillment, returns, itself, others: (
        record(
            gid=GID if link_ok else None, problem=None if link_ok else "bad", **({"billed": True} if billed else {})
        ),
        state(
            cancelledAt="2026-01-01T00:00:00Z" if cancelled else None,
            displayFinancialStatus=financial,
            displayFulfillmentStatus=fulfillment,
            returnStatus=returns,
        )
        if exists
        else {},
        {GID: ([itself] if itself else []) + others},
    ),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(FINANCIAL),
    st.sampled_from(FULFILLMENT),
    st.sampled_from(RETURNS),
    # The order itself as NetSuite shows it now: as extracted (canceled), edited since, or no longer linking it.
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "id": st.just(1),
                "tranid": st.just("SO1"),
                "status": st.sampled_from("ABCDEFGH"),
                "shipped": st.booleans(),
                "billed": st.booleans(),
            }
        ),
    ),
    netsuite_orders,
)


@given(orders, st.booleans())
def test_property_cancel_only_open_unshipped_orders_nothing_else_in_netsuite_holds(order, prevent_refund):
    rec, states, links = order
    decision = only(decide([rec], states, links, prevent_refund))
    shopify = states.get(GID)
    if decision["decision"] == Decision.TO_CANCEL:
        assert rec["gid"] and not rec.get("billed")
        assert any(order["id"] == rec["id"] for order in links[GID])  # it still links the Shopify order
        assert all(counts_as_canceled(order) for order in links[GID])  # itself and every other one
        assert shopify and shopify["cancelledAt"] is None
        assert FULFILLMENT_DECISIONS[shopify["displayFulfillmentStatus"]] == Decision.TO_CANCEL
        assert shopify["returnStatus"] == "NO_RETURN"
    if decision["refund"]:
        assert not prevent_refund
        assert decision["decision"] == Decision.TO_CANCEL
        assert shopify["displayFinancialStatus"] in REFUNDABLE_FINANCIAL
