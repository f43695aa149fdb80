"""SuiteQL execution over HTTP: the DAG's query, NetSuite functions, Oracle semantics, and what is refused."""

from __future__ import annotations

from datetime import datetime

import pytest

from sandbox.netsuite.schema import SALES_ORDER_STATUS_LABELS


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_dag_query_returns_canceled_and_unshipped_closed_orders_in_the_window(client, dag_query):
    page = client.ok(dag_query)
    assert ids(page) == ["101", "102", "106", "110", "111"]
    assert page["items"][0] == {
        "links": [],
        "id": "101",
        "tranid": "SO101",
        "status": "SalesOrd:C",
        "lastmodified": "2026-01-15 00:01:00",
        "shopify_link": "5800101",
    }
    assert [item["status"] for item in page["items"]] == [
        "SalesOrd:C",
        "SalesOrd:H",
        "SalesOrd:C",
        "SalesOrd:H",
        "SalesOrd:C",
    ]
    assert page["items"][2]["lastmodified"] == "2026-01-15 00:14:59"
    assert "shopify_link" not in page["items"][4]  # '' is NULL in Oracle, and NULL columns are left out


def test_dag_query_keyset_continuation_and_id_list(client, dag_query):
    base = dag_query.replace("ORDER BY t.id", "")
    assert ids(client.ok(base + " AND t.id > 102 ORDER BY t.id")) == ["106", "110", "111"]
    assert ids(client.ok(base + " AND t.id IN (101, 103, 106, 107) ORDER BY t.id")) == ["101", "106"]


def test_dag_query_follows_changes_to_the_data(netsuite, dag_query):
    app, client = netsuite
    app.store.update_sales_order(105, status="C")  # pending fulfillment → canceled
    app.store.set_quantity_shipped(102, {1: 1})  # the closed order turns out to have shipped
    app.store.update_sales_order(101, last_modified=datetime(2026, 1, 15, 1, 0))  # edited later: leaves the window
    assert ids(client.ok(dag_query)) == ["105", "106", "110", "111"]


@pytest.mark.parametrize("link_field", ["custbody_celigo_etail_order_id", "custbody_shopify_order_id"])
def test_the_link_can_live_in_another_body_field(start_netsuite, make_order, dag_query, link_field):
    orders = [make_order(201, "C", datetime(2026, 1, 15, 0, 1), link="6001", link_field=link_field)]
    _app, client = start_netsuite(orders)
    query = dag_query.replace("t.custbody_fa_channel_order AS shopify_link", f"t.{link_field} AS shopify_link")
    assert client.ok(query)["items"][0]["shopify_link"] == "6001"


def test_an_unknown_custom_field_is_an_unknown_identifier(client, dag_query, invalid_query):
    query = dag_query.replace("t.custbody_fa_channel_order", "t.custbody_not_in_this_account")
    invalid_query(client.post(query), "Unknown identifier 't.custbody_not_in_this_account'", "t=transaction")


def test_builtin_df_gives_status_labels_and_cf_the_composite_code(start_netsuite, make_order):
    at = datetime(2026, 1, 15, 0, 0)
    _app, client = start_netsuite([make_order(300 + n, status, at) for n, status in enumerate("ABCDEFGH")])
    page = client.ok(
        "SELECT t.status, BUILTIN.DF(t.status) AS label, BUILTIN.CF(t.status) AS code, BUILTIN.DF(t.type) AS type "
        "FROM transaction t ORDER BY t.id"
    )
    assert [(i["status"], i["label"], i["code"]) for i in page["items"]] == [
        (letter, label, f"SalesOrd:{letter}") for letter, label in SALES_ORDER_STATUS_LABELS.items()
    ]
    assert {item["type"] for item in page["items"]} == {"Sales Order"}
    assert ids(
        client.ok(
            "SELECT t.id FROM transaction t WHERE BUILTIN.CF(t.status) IN ('SalesOrd:C', 'SalesOrd:H') ORDER BY t.id"
        )
    ) == ["302", "307"]
    assert (
        client.ok("SELECT t.id FROM transaction t WHERE t.status = 'SalesOrd:C'")["count"] == 0
    )  # the column holds the letter


def test_dates_come_back_in_the_user_format_unless_formatted(client):
    item = client.ok(
        "SELECT t.trandate, t.lastmodifieddate, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD') AS day, "
        "TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS exact, TO_CHAR(t.lastmodifieddate, 'MM/DD/YYYY HH12:MI AM') AS us, "
        "TO_CHAR(t.trandate) AS plain FROM transaction t WHERE t.id = 106"
    )["items"][0]
    assert item == {
        "links": [],
        "trandate": "1/15/2026",
        "lastmodifieddate": "1/15/2026",
        "day": "2026-01-15",
        "exact": "2026-01-15 00:14:59",
        "us": "01/15/2026 12:14 AM",
        "plain": "1/15/2026",
    }


def test_date_comparisons(client, invalid_query):
    def matching(condition: str) -> list[str]:
        return ids(client.ok(f"SELECT t.id FROM transaction t WHERE {condition} ORDER BY t.id"))

    assert matching("t.lastmodifieddate < TO_DATE('2026-01-15', 'YYYY-MM-DD')") == ["108"]
    assert matching("t.trandate = TO_DATE('2026-01-14', 'YYYY-MM-DD')") == ["108"]
    assert matching("t.trandate = '1/14/2026'") == ["108"]  # text beside a date is read in the user's format
    assert matching(
        "t.lastmodifieddate BETWEEN TO_TIMESTAMP('2026-01-15 00:14:00', 'YYYY-MM-DD HH24:MI:SS') "
        "AND TO_TIMESTAMP('2026-01-15 00:15:00', 'YYYY-MM-DD HH24:MI:SS')"
    ) == ["106", "107"]
    assert matching("TO_CHAR(t.lastmodifieddate, 'HH24:MI') >= '00:14'") == ["106", "107", "108"]
    invalid_query(
        client.post("SELECT t.id FROM transaction t WHERE t.lastmodifieddate >= '2026-01-15 00:00:00'"), "ORA-01858"
    )
    invalid_query(
        client.post(
            "SELECT t.id FROM transaction t WHERE t.lastmodifieddate >= TO_TIMESTAMP('2026-13-01', 'YYYY-MM-DD')"
        ),
        "month",
    )
    invalid_query(
        client.post(
            "SELECT t.id FROM transaction t WHERE t.lastmodifieddate >= TO_DATE('2026-01-01', 'YYYY-MM-DD HH:MI:SS.FF')"
        ),
        "ORA-01821",
    )
    invalid_query(client.post("SELECT t.id FROM transaction t WHERE t.lastmodifieddate > t.tranid"), "ORA-00932")
    invalid_query(client.post("SELECT t.lastmodifieddate - 1 FROM transaction t"), "date arithmetic")


def test_null_handling_and_text_functions(client):
    item = client.ok(
        "SELECT NVL(t.custbody_fa_channel_order, 'none') AS link, COALESCE(t.custbody_celigo_etail_order_id, t.tranid) AS fallback, "
        "UPPER('so') || LOWER(t.tranid) AS cased, TRIM('  x  ') AS trimmed, TRIM('   ') AS blank, "
        "SUBSTR(t.tranid, 3) AS digits, SUBSTR(t.tranid, -2, 1) AS tens, SUBSTR(t.tranid, 0, 2) AS prefix, "
        "ABS(-4) AS magnitude, 7 / 2 AS half, 0.1 + 0.2 AS decimal, t.custbody_celigo_etail_order_id AS missing "
        "FROM transaction t WHERE t.id = 111"
    )["items"][0]
    assert item == {
        "links": [],
        "link": "none",
        "fallback": "SO111",
        "cased": "SOso111",
        "trimmed": "x",
        "digits": "111",
        "tens": "1",
        "prefix": "SO",
        "magnitude": "4",
        "half": "3.5",
        "decimal": "0.3",
    }


def test_lines_join_with_negative_quantities_and_one_mainline(client):
    page = client.ok(
        "SELECT tl.transaction, COUNT(*) AS line_count, SUM(tl.quantity) AS ordered, SUM(ABS(NVL(tl.quantityshiprecv, 0))) AS shipped "
        "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id "
        "WHERE tl.mainline = 'F' AND tl.taxline = 'F' AND t.id IN (103, 104) GROUP BY tl.transaction ORDER BY tl.transaction"
    )
    assert [(i["transaction"], i["line_count"], i["ordered"], i["shipped"]) for i in page["items"]] == [
        ("103", "2", "-4", "1"),
        ("104", "2", "-4", "4"),
    ]
    mainlines = client.ok("SELECT COUNT(*) FROM transactionline WHERE mainline = 'T'")
    assert mainlines["items"] == [{"links": [], "expr1": "11"}]  # unnamed expressions are exprN


def test_identifiers_are_case_insensitive_and_names_come_back_lowercase(client):
    page = client.ok(
        "SELECT T.ID, Tranid AS \"DocNumber\", COUNT(*) FROM TRANSACTION T WHERE T.Type = 'SalesOrd' AND T.ID = 101 GROUP BY T.ID, Tranid"
    )
    assert page["items"] == [{"links": [], "id": "101", "docnumber": "SO101", "expr1": "1"}]


def test_oracle_semantics(client, invalid_query):
    def matching(condition: str) -> list[str]:
        return ids(client.ok(f"SELECT t.id FROM transaction t WHERE {condition} ORDER BY t.id"))

    assert matching("t.custbody_fa_channel_order <> ''") == []  # '' is NULL: the comparison is never true
    assert matching("t.custbody_fa_channel_order IS NULL") == ["111"]
    assert matching("t.tranid LIKE 'so10%'") == []  # LIKE is case-sensitive
    assert matching("t.tranid LIKE 'SO10_'") == ["101", "102", "103", "104", "105", "106", "107", "108", "109"]
    assert matching("t.id = '101'") == ["101"]  # text converts to a number
    invalid_query(client.post("SELECT t.id FROM transaction t WHERE t.id = 'abc'"), "ORA-01722")
    # Comparing a text field with a number converts every value: non-numeric data fails the query, as in Oracle.
    client.ok("SELECT t.id FROM transaction t WHERE t.custbody_fa_channel_order = 5800101")
    invalid_query(client.post("SELECT t.id FROM transaction t WHERE t.tranid = 101"), "ORA-01722")
    invalid_query(client.post("SELECT t.id FROM transaction t WHERE t.id / 0 > 1"), "ORA-01476")
    nulls = client.ok(
        "SELECT NVL(t.custbody_fa_channel_order, 'null') AS link FROM transaction t ORDER BY t.custbody_fa_channel_order DESC"
    )
    assert nulls["items"][0]["link"] == "null"  # NULLs sort first when descending, last when ascending
    nulls = client.ok(
        "SELECT NVL(t.custbody_fa_channel_order, 'null') AS link FROM transaction t ORDER BY t.custbody_fa_channel_order"
    )
    assert nulls["items"][-1]["link"] == "null"


def test_exists_in_subqueries_and_left_joins(client, invalid_query):
    shipped = "SELECT tl.transaction FROM transactionline tl WHERE tl.quantityshiprecv < 0"
    assert ids(client.ok(f"SELECT t.id FROM transaction t WHERE t.id IN ({shipped}) ORDER BY t.id")) == ["103", "104"]
    assert ids(
        client.ok(f"SELECT t.id FROM transaction t WHERE t.id NOT IN ({shipped}) AND t.id < 103 ORDER BY 1")
    ) == ["101", "102"]
    page = client.ok(
        "SELECT t.id, tl.id AS line FROM transaction t LEFT JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' "
        "WHERE t.id = 110 ORDER BY t.id"
    )
    assert page["items"] == [{"links": [], "id": "110"}]  # no item lines: the line column is NULL, so omitted
    scalar = client.ok(
        "SELECT t.id, (SELECT COUNT(*) FROM transactionline tl WHERE tl.transaction = t.id) AS lines FROM transaction t WHERE t.id = 104"
    )
    assert scalar["items"][0]["lines"] == "3"
    item = "SELECT tl.item FROM transactionline tl WHERE tl.transaction = t.id AND tl.mainline = 'F'"
    one = client.ok(f"SELECT t.id, ({item}) AS item FROM transaction t WHERE t.id IN (101, 110) ORDER BY t.id")
    assert one["items"] == [{"links": [], "id": "101", "item": "SKU-1"}, {"links": [], "id": "110"}]
    invalid_query(client.post(f"SELECT t.id, ({item}) AS item FROM transaction t WHERE t.id = 104"), "ORA-01427")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("DELETE FROM transaction", "SELECT statements only"),
        ("UPDATE transaction SET status = 'C'", "SELECT statements only"),
        ("INSERT INTO transaction (id) VALUES (1)", "SELECT statements only"),
        ("DROP TABLE transaction", "SELECT statements only"),
        ("SELECT id FROM transaction; DELETE FROM transaction", "exactly one statement"),
        ("SELECT id FROM customer", "Invalid search type: customer"),
        ("SELECT t.entity FROM transaction t", "Unknown identifier 't.entity'"),
        ("SELECT t.id FROM transaction t WHERE tl.id = 1", "Unknown identifier 'tl.id'"),
        ("SELECT id FROM transaction t JOIN transactionline tl ON tl.transaction = t.id", "ORA-00918"),
        ("SELECT SYSDATE FROM transaction", "SYSDATE"),
        ("SELECT DECODE(status, 'C', 1, 0) FROM transaction", "does not support 'DECODE"),
        ("SELECT MY_FUNCTION(id) FROM transaction", "Function MY_FUNCTION is not supported"),
        ("SELECT BUILTIN.CONSOLIDATE(foreigntotal) FROM transaction", "BUILTIN"),
        ("SELECT BUILTIN.DF(tranid) FROM transaction", "BUILTIN.DF on transaction.tranid"),
        ("SELECT id FROM transaction ORDER BY id FETCH FIRST 5 ROWS ONLY", "limit and offset URL parameters"),
        ("SELECT id FROM transaction WHERE ROWNUM <= 5", "Unknown identifier 'ROWNUM'"),
        ("SELECT id FROM transaction UNION SELECT id FROM transaction", "UNION"),
        ("SELECT t.id FROM transaction t, transactionline tl WHERE t.id = tl.transaction(+)", "(+) outer joins"),
        (
            "SELECT t.id FROM transaction t, transactionline tl JOIN transaction t2 ON t2.id = tl.transaction",
            "cannot be mixed",
        ),
        ("SELECT id FROM (SELECT id FROM transaction)", "in FROM"),
        ("SELECT id FROM transaction WHERE id IN (" + ", ".join(map(str, range(1001))) + ")", "ORA-01795"),
        ("SELECT id FROM transaction WHERE", "Syntax error"),
        ("SELECT id, FROM transaction WHERE type = 'SalesOrd'", "ORA-00936"),
        ("SELECT FROM transaction", "ORA-00936"),
        ("SELECT t.id FROM transaction t WHERE t.id IN (1, 2,)", "ORA-00936"),
        ("SELECT t.id FROM transaction t ORDER BY t.id,", "ORA-00936"),
        ("SELECT t.id FROM transaction t, WHERE t.id = 1", "Syntax error"),
        ("SELECT t.id FROM transaction t WHERE t.id = = 1", "Syntax error"),
        ("SELECT t.id FROM transaction t WHERE (t.id = 1", "Syntax error"),
        ("SELECT t.id FROM transactions t", "Invalid search type: transactions"),
        ("SELECT l.previousdoc FROM nexttransactionlinelink l WHERE l.amount > 0", "Unknown identifier 'l.amount'"),
        ("SELECT id FROM transaction WHERE id", "ORA-00920"),
        ("SELECT id, tranid AS id FROM transaction", "same name"),
        ("SELECT CAST(id AS VARCHAR(10)) FROM transaction", "not support"),
        ("SELECT DISTINCT status FROM transaction ORDER BY tranid", "ORA-01791"),
        ("SELECT id FROM transaction ORDER BY 3", "ORA-01785"),
        ("", "empty"),
        ("SELECT t.id, COUNT(*) FROM transaction t", "ORA-00937"),
        ("SELECT t.status, t.id FROM transaction t GROUP BY t.status", "ORA-00979"),
        ("SELECT t.status, COUNT(*) FROM transaction t GROUP BY t.status ORDER BY t.id", "ORA-00979"),
        ("SELECT t.status FROM transaction t GROUP BY t.status HAVING t.id > 1", "ORA-00979"),
    ],
)
def test_what_netsuite_or_the_sandbox_refuses_is_a_400(client, invalid_query, query, fragment):
    invalid_query(client.post(query), fragment)


def test_distinct_and_grouping_see_the_time_of_a_date_even_though_it_shows_without(start_netsuite, make_order):
    at = datetime(2026, 1, 15, 8, 0)
    _app, client = start_netsuite(
        [make_order(1, "C", at), make_order(2, "C", at.replace(hour=9)), make_order(3, "C", at)]
    )
    page = client.ok("SELECT DISTINCT t.lastmodifieddate FROM transaction t ORDER BY t.lastmodifieddate")
    assert page["items"] == [{"links": [], "lastmodifieddate": "1/15/2026"}] * 2
    page = client.ok("SELECT DISTINCT TO_CHAR(t.lastmodifieddate) AS day FROM transaction t")
    assert page["items"] == [{"links": [], "day": "1/15/2026"}]


def test_grouping(client):
    page = client.ok(
        "SELECT UPPER(t.status) AS status, COUNT(*) AS orders, MAX(t.lastmodifieddate) AS latest FROM transaction t "
        "GROUP BY UPPER(t.status) HAVING COUNT(*) > 1 ORDER BY orders DESC, 1"
    )
    assert [(item["status"], item["orders"], item["latest"]) for item in page["items"]] == [
        ("C", "5", "1/15/2026"),
        ("H", "4", "1/15/2026"),
    ]


def test_a_syntax_error_gets_netsuites_400_body(client):
    response = client.post("SELECT id, FROM transaction WHERE type = 'SalesOrd'")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/vnd.oracle.resource+json; type=error")
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (
        "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "Bad Request",
        400,
    )
    (detail,) = body["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_PARAMETER"
    assert detail["o:errorQueryParam"] == "q"
    assert detail["detail"].startswith("Invalid search query. Detailed unprocessed description follows. ")
