"""NetSuite's collection replies: shape, paging links, limit/offset rules, the 100,000-row ceiling, request rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sandbox.model import SalesOrder, SalesOrderLine
from tests.timing import HTTP_TIMEOUT

ALL_IDS = "SELECT t.id FROM transaction t ORDER BY t.id"


def link_offsets(page: dict) -> dict[str, int | None]:
    """rel → offset in its href (None for self without offset)."""
    offsets = {}
    for link in page["links"]:
        query = parse_qs(urlsplit(link["href"]).query)
        offsets[link["rel"]] = int(query["offset"][0]) if "offset" in query else None
    return offsets


def test_collection_shape(client):
    page = client.ok(
        "SELECT t.id, t.tranid, t.foreigntotal, t.custbody_fa_channel_order FROM transaction t ORDER BY t.id", 4, 4
    )
    assert list(page) == ["links", "count", "hasMore", "items", "offset", "totalResults"]
    assert (page["count"], page["hasMore"], page["offset"], page["totalResults"]) == (4, True, 4, 11)
    assert [link["rel"] for link in page["links"]] == ["previous", "next", "last", "self"]
    assert link_offsets(page) == {"previous": 0, "next": 8, "last": 8, "self": 4}
    for link in page["links"]:
        assert link["href"].startswith(client.url + "?limit=4")  # absolute, from the request URL
    assert page["items"][0] == {
        "links": [],
        "id": "105",
        "tranid": "SO105",
        "foreigntotal": "25.5",
        "custbody_fa_channel_order": "5800105",
    }
    assert all(isinstance(value, str) for item in page["items"] for key, value in item.items() if key != "links")


def test_first_and_last_pages(client):
    first = client.ok(ALL_IDS, 4)
    assert [link["rel"] for link in first["links"]] == ["next", "last", "self"]
    last = client.ok(ALL_IDS, 4, 8)
    assert (last["count"], last["hasMore"]) == (3, False)
    assert [link["rel"] for link in last["links"]] == ["previous", "last", "self"]


def test_pages_put_together_give_every_row_once(client):
    whole = client.ok(ALL_IDS)
    assert whole["count"] == whole["totalResults"] == 11
    assert link_offsets(whole) == {"last": 0, "self": None}  # limit defaults to 1000
    paged = client.rows(ALL_IDS, limit=3)
    assert [item["id"] for item in paged] == [item["id"] for item in whole["items"]]


def test_an_empty_result(client):
    page = client.ok("SELECT t.id FROM transaction t WHERE t.id < 0")
    assert (page["items"], page["count"], page["hasMore"], page["totalResults"]) == ([], 0, False, 0)


def test_rows_that_tie_on_the_order_by_repeat_or_vanish_across_pages(client):
    """Each page re-runs the query and ties come back in any order, as in NetSuite: a unique ORDER BY is needed."""
    expected = sorted(item["id"] for item in client.ok(ALL_IDS)["items"])
    for ambiguous in ("SELECT t.id FROM transaction t ORDER BY t.status", "SELECT t.id FROM transaction t"):
        paged = [item["id"] for item in client.rows(ambiguous, limit=2)]
        assert sorted(paged) != expected, ambiguous
    stable = [item["id"] for item in client.rows("SELECT t.id FROM transaction t ORDER BY t.status, t.id", limit=2)]
    assert sorted(stable) == expected


@pytest.mark.parametrize(
    ("params", "parameter", "fragment"),
    [
        ({"limit": 0}, "limit", "between 1 and 1000"),
        ({"limit": 1001}, "limit", "between 1 and 1000"),
        ({"limit": "ten"}, "limit", "non-negative integer"),
        ({"offset": -5}, "offset", "non-negative integer"),
        ({"limit": 4, "offset": 6}, "offset", "multiple of the limit"),
        ({"limit": 1000, "offset": 100_000}, "offset", "at most the first 100000"),
        ({"limit": 300, "offset": 99_900}, "offset", "at most the first 100000"),
        ({"limit": 5, "offset": 15}, "offset", "has 11 results"),
    ],
)
def test_limit_and_offset_rules(client, netsuite_error, params, parameter, fragment):
    response = client.session.post(
        client.url, params=params, json={"q": ALL_IDS}, headers={"Prefer": "transient"}, timeout=HTTP_TIMEOUT
    )
    status, code, detail = netsuite_error(response)
    assert (status, code) == (400, "INVALID_PARAMETER")
    assert fragment in detail
    assert response.json()["o:errorDetails"][0]["o:errorQueryParam"] == parameter


def test_only_the_first_100000_rows_are_reachable(start_netsuite):
    """A 144,000-row result: pages up to offset 99,000 work, the last one still says hasMore, the next is refused."""
    at = datetime(2026, 1, 15)
    orders = [
        SalesOrder(n, f"SO{n}", "B", at + timedelta(seconds=n), at.date(), lines=[SalesOrderLine(1, "A", 1)])
        for n in range(1, 121)
    ]
    _app, client = start_netsuite(orders)
    query = "SELECT t.id AS a, tl.transaction AS b FROM transaction t, transactionline tl, transaction t3 WHERE t3.id <= 5 ORDER BY t.id, tl.transaction, tl.id, t3.id"
    first = client.ok(query, 1000)
    assert first["totalResults"] == 120 * 240 * 5  # orders × lines (mainline + 1 item each) × 5
    assert link_offsets(first)["last"] == 99_000
    last = client.ok(query, 1000, 99_000)
    assert (last["count"], last["hasMore"]) == (1000, True)
    assert "next" not in link_offsets(last)
    assert client.post(query, 1000, 100_000).status_code == 400
    assert link_offsets(client.ok(query, 300))["last"] == 99_600  # offset + limit must stay within 100,000


def test_prefer_transient_is_required(client, netsuite_error):
    for prefer in (None, "respond-async", "return=minimal"):
        headers = {"Prefer": prefer} if prefer else {}
        response = client.session.post(client.url, json={"q": ALL_IDS}, headers=headers, timeout=HTTP_TIMEOUT)
        status, code, detail = netsuite_error(response)
        assert (status, code) == (400, "INVALID_PARAMETER")
        assert "Prefer: transient" in detail
    for prefer in ("transient", "TRANSIENT", "respond-async, transient"):
        assert (
            client.session.post(
                client.url, json={"q": ALL_IDS}, headers={"Prefer": prefer}, timeout=HTTP_TIMEOUT
            ).status_code
            == 200
        )


@pytest.mark.parametrize(
    ("body", "fragment"), [(b"SELECT 1", "not valid JSON"), (b'{"query": "SELECT"}', '"q"'), (b"", '"q"')]
)
def test_the_body_must_carry_the_query_in_q(client, netsuite_error, body, fragment):
    headers = {"Prefer": "transient", "Content-Type": "application/json"}
    response = client.session.post(client.url, data=body, headers=headers, timeout=HTTP_TIMEOUT)
    status, code, detail = netsuite_error(response)
    assert (status, code) == (400, "INVALID_PARAMETER")
    assert fragment in detail


def test_wrong_method_and_unknown_path(client, netsuite_error):
    response = client.session.get(client.url, timeout=HTTP_TIMEOUT)
    assert netsuite_error(response)[:2] == (405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "POST"
    response = client.session.post(
        client.base_url + "/services/rest/query/v2/suiteql", json={"q": ALL_IDS}, timeout=HTTP_TIMEOUT
    )
    assert netsuite_error(response)[0] == 404
    assert response.headers["Content-Type"].startswith("application/vnd.oracle.resource+json; type=error")


def test_each_page_runs_against_current_data(netsuite):
    """NetSuite re-runs the query per page: a change between pages shows (so rows can shift between pages)."""
    app, client = netsuite
    first = client.ok(ALL_IDS, 5)
    app.store.update_sales_order(101, status="H")
    query = "SELECT t.id FROM transaction t WHERE t.status = 'C' ORDER BY t.id"
    before = client.ok(query)["totalResults"]
    app.store.update_sales_order(106, status="H")
    assert client.ok(query)["totalResults"] == before - 1
    assert first["totalResults"] == client.ok(ALL_IDS, 5, 5)["totalResults"] == 11


def test_a_plain_client_can_read_it(client):
    """Replies are JSON under NetSuite's vendor media type, which requests decodes like any JSON."""
    response = client.post(ALL_IDS, 2)
    assert response.headers["Content-Type"] == "application/vnd.oracle.resource+json; type=collection; charset=UTF-8"
    assert response.json()["count"] == 2


def test_a_page_of_unique_keys_is_the_plain_slice_and_ties_at_its_edges_still_move():
    from sandbox.netsuite.paging import PageRequest, arrange_page

    unique = [(f"row{n}", n) for n in range(10)]  # (column, sort key)
    assert arrange_page(unique, 1, PageRequest(3, 3)) == unique[3:6]
    tied = [(f"row{n}", n // 4) for n in range(12)]  # keys tie in fours, across the pages' edges
    pages = [arrange_page(tied, 1, PageRequest(3, offset)) for offset in (0, 3, 6, 9)]
    assert [row for page in pages for row in page] != tied  # shuffled within ties, as NetSuite re-running would


_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),  # SQLite keeps no NaN (it stores NULL)
    st.sampled_from([0.1 + 0.2, -0.0, 1e15, 1e15 - 1, 123.456, 1e-7, 2.5, 1e300]),
    st.text(),
)


@settings(max_examples=200)
@example(rows=[(None, -(2**63), None), (2**63 - 1, float("inf"), datetime(2026, 1, 5, 15, 7, 9))])
@example(rows=[(1, "a", datetime(999, 12, 31))])
@given(rows=st.lists(st.tuples(_values, _values, st.datetimes() | st.none()), max_size=8))
def test_a_page_rendered_by_sqlite_is_the_page_collection_renders(rows):
    """Pages without ties are rendered by SQLite (item_json_sql); the body must be the one `collection` makes."""
    from sandbox.netsuite import oracle_dates
    from sandbox.netsuite.paging import PageRequest, collection, encoded_collection, item_json_sql
    from sandbox.netsuite.store import SalesOrderStore, StoredRows
    from sandbox.netsuite.suiteql import TranslatedQuery

    store = SalesOrderStore()
    stored = [(a, b, oracle_dates.canonical(c) if c else None, key) for key, (a, b, c) in enumerate(rows)]
    store._connection.execute("CREATE TEMP TABLE page_rows (x0, x1, x2, x3)")
    store._connection.executemany("INSERT INTO temp.page_rows VALUES (?, ?, ?, ?)", stored)
    kept = StoredRows(store, "page_rows", 4, len(stored))
    query = TranslatedQuery("", ("amount", "it's", "modified"), frozenset({2}), 1)
    page = PageRequest(10, 0)
    expected = collection("http://ns/q?limit=10", page, query, kept[:], len(stored))
    items = kept.rendered(0, len(stored), item_json_sql(query.columns, query.date_columns))
    if items is None:  # a float SQLite would print otherwise than Python: the page takes collection's path
        assert any(
            isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15)
            for row in rows
            for value in row[:2]
        ) or any(row[2] and row[2].year < 1000 for row in rows)
        return
    body = json.loads(encoded_collection("http://ns/q?limit=10", page, items, len(stored)))
    assert body == expected
    assert list(body) == list(expected) and [list(item) for item in body["items"]] == [
        list(item) for item in expected["items"]
    ]
