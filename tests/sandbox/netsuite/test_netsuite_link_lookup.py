"""Re-entered orders: every sales order whose link names a Shopify order, whatever its status, date or spelling."""

from __future__ import annotations

from datetime import datetime

import pytest

SHOPIFY_ID = "5800000000001"
GID = f"gid://shopify/Order/{SHOPIFY_ID}"


@pytest.fixture
def linked(start_netsuite, make_order):
    """One Shopify order re-entered three times, plus look-alikes that must not match."""
    orders = [
        make_order(1, "C", datetime(2026, 1, 15, 0, 5), link=SHOPIFY_ID),  # canceled in the run's window
        make_order(2, "B", datetime(2025, 6, 1, 12, 0), link=f"  {SHOPIFY_ID} "),  # open, months earlier, spaced
        make_order(3, "H", datetime(2027, 1, 1, 0, 0), link=GID, shipped=(1,)),  # closed after shipping, later
        make_order(4, "A", datetime(2026, 1, 15, 0, 6), link=f" {GID.upper()}"),  # spelled in capitals
        make_order(5, "C", datetime(2026, 1, 15, 0, 7), link=SHOPIFY_ID + "0"),  # another order
        make_order(6, "C", datetime(2026, 1, 15, 0, 8), link=f"gid://shopify/Product/{SHOPIFY_ID}"),  # not an order
        make_order(7, "C", datetime(2026, 1, 15, 0, 9), link=""),  # no link
    ]
    return start_netsuite(orders)[1]


def ids(page: dict) -> list[int]:
    return [int(item["id"]) for item in page["items"]]


@pytest.mark.parametrize(
    "condition",
    [
        f"TRIM(t.custbody_fa_channel_order) IN ('{SHOPIFY_ID}', '{GID}') "
        f"OR UPPER(TRIM(t.custbody_fa_channel_order)) = UPPER('{GID}')",
        f"REPLACE(UPPER(TRIM(t.custbody_fa_channel_order)), 'GID://SHOPIFY/ORDER/', '') IN ('{SHOPIFY_ID}')",
        f"LTRIM(RTRIM(REPLACE(LOWER(t.custbody_fa_channel_order), 'gid://shopify/order/'))) = '{SHOPIFY_ID}'",
    ],
)
def test_every_spelling_of_the_link_is_found_across_all_statuses_and_dates(linked, condition):
    query = (
        "SELECT t.id, BUILTIN.CF(t.status) AS status, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD') AS modified "
        f"FROM transaction t WHERE t.type = 'SalesOrd' AND ({condition}) ORDER BY t.id"
    )
    page = linked.ok(query)
    assert ids(page) == [1, 2, 3, 4]
    assert [item["status"] for item in page["items"]] == ["SalesOrd:C", "SalesOrd:B", "SalesOrd:H", "SalesOrd:A"]


def test_a_batch_of_links_groups_its_orders(linked):
    page = linked.ok(
        "SELECT REPLACE(UPPER(TRIM(t.custbody_fa_channel_order)), 'GID://SHOPIFY/ORDER/', '') AS shopify_id, "
        "COUNT(*) AS orders, MIN(t.id) AS first_id FROM transaction t "
        "WHERE t.type = 'SalesOrd' AND REPLACE(UPPER(TRIM(t.custbody_fa_channel_order)), 'GID://SHOPIFY/ORDER/', '') "
        f"IN ('{SHOPIFY_ID}', '{SHOPIFY_ID}0', '999') "
        "GROUP BY REPLACE(UPPER(TRIM(t.custbody_fa_channel_order)), 'GID://SHOPIFY/ORDER/', '') ORDER BY 1"
    )
    assert [(i["shopify_id"], i["orders"], i["first_id"]) for i in page["items"]] == [
        (SHOPIFY_ID, "4", "1"),
        (SHOPIFY_ID + "0", "1", "5"),
    ]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("TRIM('  x  ')", "x"),
        ("LTRIM('xxabc', 'x')", "abc"),
        ("RTRIM('abc  ')", "abc"),
        ("TRIM(LEADING '0' FROM '007')", "7"),
        ("REPLACE('a-b-c', '-')", "abc"),  # no replacement: what is found goes
        ("REPLACE('a-b-c', NULL, 'x')", "a-b-c"),  # NULL search: unchanged
        ("CONCAT('ab', 12)", "ab12"),
        ("LENGTH('  ab ')", "5"),
        ("UPPER(2.0)", "2"),
    ],
)
def test_text_functions_follow_oracle(linked, expression, expected):
    page = linked.ok(f"SELECT {expression} AS v FROM transaction t WHERE t.id = 1")
    assert page["items"] == [{"links": [], "v": expected}]


@pytest.mark.parametrize("expression", ["TRIM('   ')", "REPLACE('ab', 'ab')", "LENGTH('')", "TRIM(NULL)"])
def test_text_functions_that_end_empty_give_null(linked, expression):
    assert linked.ok(f"SELECT {expression} AS v FROM transaction t WHERE t.id = 1")["items"] == [{"links": []}]


def test_trim_takes_one_character_only(linked, invalid_query):
    invalid_query(linked.post("SELECT TRIM('xy' FROM t.tranid) FROM transaction t"), "ORA-30001")
    invalid_query(linked.post("SELECT CONCAT('a', 'b', 'c') FROM transaction t"), "ORA-00909")
