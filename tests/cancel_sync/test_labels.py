"""Every code a person can meet has words, and every problem a next step."""

from __future__ import annotations

import pytest

from include.cancel_sync import labels
from include.cancel_sync.records import NEEDS_A_PERSON, Decision, Outcome
from include.cancel_sync.report.rows import BUCKETS, OTHER, bucket_of
from include.cancel_sync.shopify.fulfillment import Hold, hold_of

# The outcomes a person must act on: the report's "need a person", and failures.
ACTIONABLE = NEEDS_A_PERSON | {Outcome.FAILED}


def test_every_decision_and_outcome_has_its_own_words():
    assert set(labels.DECISION_LABELS) == set(Decision)
    assert set(labels.OUTCOME_LABELS) == set(Outcome)
    for table in (labels.DECISION_LABELS, labels.OUTCOME_LABELS):
        words = list(table.values())
        assert len(set(words)) == len(words)  # no two codes read alike
        for code, text in table.items():
            assert text and text != code.value and "_" not in text, code


def test_every_outcome_that_needs_a_person_has_a_next_step_and_no_other_has_one():
    for outcome in Outcome:
        step = labels.next_step(outcome)
        if outcome in ACTIONABLE:
            assert len(step) > 40, outcome  # a sentence that says what to do
        else:
            assert step == "", outcome


def test_each_hold_has_its_own_step_and_an_unknown_state_falls_back_to_the_general_one():
    assert set(labels.HOLD_NEXT_STEPS) == set(Hold)
    assert len(set(labels.HOLD_NEXT_STEPS.values())) == len(Hold)
    for hold in Hold:
        assert labels.next_step(Outcome.CANNOT_CANCEL, hold) == labels.HOLD_NEXT_STEPS[hold]
    general = labels.NEXT_STEPS[Outcome.CANNOT_CANCEL]
    assert labels.next_step(Outcome.CANNOT_CANCEL) == general  # a ledger row: its Shopify state is not kept
    assert labels.next_step(Outcome.CANNOT_CANCEL, "") == general


@pytest.mark.parametrize(
    ("fulfillment", "returns", "hold"),
    [
        ("IN_PROGRESS", "NO_RETURN", Hold.FULFILLMENT_SERVICE),
        ("PENDING_FULFILLMENT", None, Hold.FULFILLMENT_SERVICE),
        ("REQUEST_DECLINED", "NO_RETURN", Hold.REQUEST_DECLINED),
        ("FULFILLED", "RETURNED", Hold.SHIPPED),  # shipped first: the return follows from it
        ("PARTIALLY_FULFILLED", "NO_RETURN", Hold.SHIPPED),
        ("UNFULFILLED", "RETURN_REQUESTED", Hold.RETURN),
        ("SOMETHING_NEW", "NO_RETURN", Hold.UNKNOWN_STATUS),
        ("UNFULFILLED", "NO_RETURN", None),
        ("ON_HOLD", None, None),
    ],
)
def test_what_holds_an_order(fulfillment, returns, hold):
    assert hold_of(fulfillment, returns) == hold
    assert labels.hold_of_order(Outcome.CANNOT_CANCEL, fulfillment, returns) == hold
    assert labels.hold_of_order(Outcome.CANCELLED, fulfillment, returns) is None  # only a refused cancel is held


def test_unknown_codes_are_shown_as_they_are():
    assert labels.outcome_label("something_new") == "something_new"
    assert labels.decision_label("something_new") == "something_new"
    assert labels.outcome_label(None) == labels.OPEN_INTENT_LABEL  # a ledger intent still open
    assert labels.next_step("something_new") == ""


def test_the_report_buckets_take_their_words_from_the_labels():
    for key, text in BUCKETS:
        if key in set(Outcome):
            assert text == labels.OUTCOME_LABELS[Outcome(key)]
    # Every final outcome a run can report has a bucket of its own (OTHER is for codes from elsewhere).
    final = set(Outcome) - {Outcome.CANCELLED, Outcome.TO_CANCEL, Outcome.ACCEPTED, Outcome.NOT_APPLIED}
    for outcome in final:
        assert bucket_of({"outcome": outcome}) == outcome.value != OTHER
