"""The compact XCom table gives back exactly the records it was given, through JSON."""

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from include.cancel_sync.xcom_table import as_records, is_table, pack, unpack

KEYS = ["id", "tranid", "gid", "decision", "refund", "problem", "modified"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["to_cancel", "cannot_cancel", "", "0", "1", "01"]),
    st.builds(lambda n: f"gid://shopify/Order/{n}", st.integers(0, 10**13)),
    st.builds(lambda n: f"gid://shopify/Order/0{n}", st.integers(0, 99)),  # a leading zero must survive
    st.builds(lambda s: f"2026-01-15 {s}", st.text(max_size=8)),
    st.text(max_size=20),
)
RECORD = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=len(KEYS))


# Big records are costly to draw on a busy 2-core CI machine; the shape, not the volume, is what matters.
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(st.lists(RECORD, max_size=40))
@example([{"id": "2026-01-15 ²"}, {"id": "2026-01-15 "}])  # '²' is a digit to str.isdigit, not to int
def test_pack_then_unpack_through_json_gives_the_records_back(records):
    table = json.loads(json.dumps(pack(records)))
    assert is_table(table)
    back = unpack(table)
    assert back == records
    for before, after in zip(records, back, strict=True):  # True stays True, 1 stays 1
        assert {k: type(v) for k, v in before.items()} == {k: type(v) for k, v in after.items()}


def test_repeated_values_and_common_prefixes_are_stored_once():
    records = [
        {"id": 10_000 + i, "gid": f"gid://shopify/Order/{5_800_000_000_000 + i}", "decision": "to_cancel"}
        for i in range(250)
    ]
    columns = pack(records)["columns"]
    assert columns["decision"] == {"values": ["to_cancel"], "codes": [0] * 250}
    assert columns["gid"]["prefix"] == "gid://shopify/Order/"
    assert len(json.dumps(pack(records))) < len(json.dumps(records)) / 3
    assert [list(r) for r in unpack(pack(records))] == [list(r) for r in records]  # same key order


def test_a_plain_list_is_refused():
    with pytest.raises(ValueError, match="not an XCom table"):
        unpack([{"id": 1}])


# Records whose `detail` is usually their `reason` (and `flag` sometimes 1 where `count` is 1, or missing).
SHORT = st.sampled_from(["a", "b", "", None, 1, True, 1.0])
CORRELATED = st.builds(
    lambda reason, other, same, flag, drop: (
        {"reason": reason, "count": 1, "detail": reason if same else other} | ({} if drop else {"flag": flag})
    ),
    SHORT,
    SHORT,
    st.booleans(),
    SHORT,
    st.booleans(),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(CORRELATED, max_size=40))
def test_columns_stored_as_another_columns_value_round_trip(records):
    back = unpack(json.loads(json.dumps(pack(records))))
    assert back == records
    for before, after in zip(records, back, strict=True):
        assert {k: type(v) for k, v in before.items()} == {k: type(v) for k, v in after.items()}


def test_a_column_mostly_equal_to_another_is_stored_as_a_reference():
    records = [{"reason": f"reason {i}", "detail": f"reason {i}" if i % 10 else f"done {i}"} for i in range(250)]
    column = pack(records)["columns"]["detail"]
    assert column["same_as"] == "reason"
    assert [index for index, _ in column["except"]] == list(range(0, 250, 10))
    assert unpack(pack(records)) == records


def test_steps_take_tables_and_the_plain_lists_of_older_runs():
    records = [{"id": 1, "gid": None}, {"id": 2, "gid": "gid://shopify/Order/2"}]
    assert as_records(pack(records)) == records
    assert as_records(records) == records
