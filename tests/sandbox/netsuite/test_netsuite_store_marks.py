"""Store marks over SuiteQL: the connector's channel text, Celigo's List/Record store field (raw id and
BUILTIN.DF), and the order's subsidiary on its main line — each selector form the sync sends."""

from __future__ import annotations

from datetime import datetime

import pytest

from sandbox.model import SalesOrder, SalesOrderLine
from sandbox.stores import CELIGO_CHANNEL_FIELD, CELIGO_STORE_FIELD, CONNECTOR_FIELD

AT = datetime(2026, 1, 15, 0, 5)
STORE_NAMES = {12: "EU Store", 13: "US Store"}
SUBSIDIARY_NAMES = {1: "Parent Company", 2: "Honeycomb B2B", 3: "Honeycomb EU"}


def marked(order_id: int, channel=None, celigo=None, subsidiary=1, billed=0) -> SalesOrder:
    return SalesOrder(
        id=order_id,
        tranid=f"SO{order_id}",
        status="C" if not billed else "H",
        last_modified=AT,
        trandate=AT.date(),
        fields={CONNECTOR_FIELD: channel} if channel else {},
        list_fields={CELIGO_STORE_FIELD: celigo, CELIGO_CHANNEL_FIELD: 101} if celigo else {},
        subsidiary=subsidiary,
        lines=[SalesOrderLine(line=1, item="SKU-1", quantity=2, quantity_billed=billed)],
    )


ORDERS = [
    marked(1, channel="Shopify"),
    marked(2, channel="Shopify-EU"),
    marked(3, channel="Shopify-US"),
    marked(4, celigo=12),
    marked(5, celigo=13),
    marked(6, subsidiary=2, billed=1),  # its invoice is a transaction in subsidiary 2 too
    marked(7, subsidiary=3),
    marked(8, channel="Amazon"),
]


@pytest.fixture
def client(start_netsuite):
    app, client = start_netsuite(ORDERS)
    app.load_list_values("transaction", CELIGO_STORE_FIELD, STORE_NAMES)
    app.load_list_values("transaction", CELIGO_CHANNEL_FIELD, {101: "Shopify"})
    app.load_list_values("transactionline", "subsidiary", SUBSIDIARY_NAMES)
    return client


def ids(client, where: str, source: str = "transaction t") -> list[int]:
    query = f"SELECT t.id FROM {source} WHERE t.type = 'SalesOrd' AND {where} ORDER BY t.id"
    return [int(row["id"]) for row in client.rows(query)]


def test_connector_channel_is_text_compared_exactly(client):
    assert ids(client, f"t.{CONNECTOR_FIELD} IN ('Shopify-EU', 'Shopify-US')") == [2, 3]
    assert ids(client, f"t.{CONNECTOR_FIELD} = 'Shopify'") == [1]
    assert ids(client, f"t.{CONNECTOR_FIELD} = 'shopify'") == []  # Oracle compares text case-sensitively


@pytest.mark.parametrize("values", ["12", "'12'", "12, 99", "'12', '99'"])
def test_celigo_store_field_holds_the_record_internal_id(client, values):
    # Oracle converts the text '12' to the number 12 beside a number column.
    assert ids(client, f"t.{CELIGO_STORE_FIELD} IN ({values})") == [4]


def test_a_list_field_compared_with_a_name_is_an_invalid_number(client, invalid_query):
    response = client.post(f"SELECT t.id FROM transaction t WHERE t.{CELIGO_STORE_FIELD} IN ('EU Store')")
    invalid_query(response, "ORA-01722")


def test_builtin_df_gives_the_list_value_name_in_select_and_where(client):
    rows = client.rows(
        f"SELECT t.id, t.{CELIGO_STORE_FIELD} AS store_id, BUILTIN.DF(t.{CELIGO_STORE_FIELD}) AS store, "
        f"BUILTIN.DF(t.{CELIGO_CHANNEL_FIELD}) AS channel FROM transaction t WHERE t.type = 'SalesOrd' ORDER BY t.id"
    )
    by_id = {int(row["id"]): row for row in rows}
    assert {k: by_id[k] for k in (4, 5)} == {
        4: {"links": [], "id": "4", "store_id": "12", "store": "EU Store", "channel": "Shopify"},
        5: {"links": [], "id": "5", "store_id": "13", "store": "US Store", "channel": "Shopify"},
    }
    assert by_id[1] == {"links": [], "id": "1"}  # no value: no name (NULL columns are left out)
    assert ids(client, f"BUILTIN.DF(t.{CELIGO_STORE_FIELD}) IN ('US Store')") == [5]
    assert ids(client, f"BUILTIN.DF(t.{CELIGO_STORE_FIELD}) = 'us store'") == []


def test_builtin_df_groups_by_the_name(client):
    rows = client.rows(
        f"SELECT BUILTIN.DF(t.{CELIGO_STORE_FIELD}) AS store, COUNT(*) AS orders FROM transaction t "
        f"WHERE t.type = 'SalesOrd' AND t.{CELIGO_STORE_FIELD} IS NOT NULL "
        f"GROUP BY BUILTIN.DF(t.{CELIGO_STORE_FIELD}) ORDER BY 1"
    )
    assert [(row["store"], row["orders"]) for row in rows] == [("EU Store", "1"), ("US Store", "1")]


def test_builtin_df_of_a_text_field_is_its_text_and_cf_of_a_list_field_is_refused(client, invalid_query):
    assert ids(client, f"BUILTIN.DF(t.{CONNECTOR_FIELD}) = 'Amazon'") == [8]
    invalid_query(client.post(f"SELECT BUILTIN.CF(t.{CELIGO_STORE_FIELD}) FROM transaction t"), "BUILTIN.CF")


MAIN_LINE_JOIN = "transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T'"


def test_the_subsidiary_is_read_on_the_main_line(client):
    assert ids(client, "tl.subsidiary IN (2, 3)", MAIN_LINE_JOIN) == [6, 7]
    assert ids(client, "tl.subsidiary IN ('2')", MAIN_LINE_JOIN) == [6]
    exists = (
        "EXISTS (SELECT 1 FROM transactionline m WHERE m.transaction = t.id AND m.mainline = 'T' AND m.subsidiary = 3)"
    )
    assert ids(client, exists) == [7]
    rows = client.rows(
        f"SELECT t.id, tl.subsidiary, BUILTIN.DF(tl.subsidiary) AS name FROM {MAIN_LINE_JOIN} "
        "WHERE t.type = 'SalesOrd' AND BUILTIN.DF(tl.subsidiary) <> 'Parent Company' ORDER BY t.id"
    )
    assert [(row["id"], row["subsidiary"], row["name"]) for row in rows] == [
        ("6", "2", "Honeycomb B2B"),
        ("7", "3", "Honeycomb EU"),
    ]


def test_every_line_and_the_bill_carry_the_order_subsidiary(client):
    rows = client.rows(
        "SELECT t.id, t.type, tl.mainline, tl.subsidiary FROM transaction t "
        "JOIN transactionline tl ON tl.transaction = t.id WHERE t.id IN (6, 2000000006) ORDER BY t.id, tl.id"
    )
    assert [(row["type"], row["mainline"], row["subsidiary"]) for row in rows] == [
        ("SalesOrd", "T", "2"),
        ("SalesOrd", "F", "2"),
        ("CustInvc", "T", "2"),
        ("CustInvc", "F", "2"),
    ]


def test_the_transaction_has_no_subsidiary_column(client, invalid_query):
    # As NetSuite answered an integrator live: "Unknown identifier 'subsidiary'. Available identifiers are:
    # {transaction=transaction}." (sandbox/netsuite/README.md, Store marks).
    invalid_query(client.post("SELECT t.subsidiary FROM transaction t"), "Unknown identifier 't.subsidiary'")
    invalid_query(client.post("SELECT subsidiary FROM transaction"), "Unknown identifier 'subsidiary'")


def test_list_values_and_list_fields_are_checked(start_netsuite):
    app, _client = start_netsuite([])
    with pytest.raises(ValueError, match="not a List/Record column"):
        app.load_list_values("transaction", CONNECTOR_FIELD, {1: "x"})
    with pytest.raises(ValueError, match="internal id"):
        app.load_sales_orders([marked(1, celigo="12")])
    bad = marked(1)
    bad.list_fields = {CONNECTOR_FIELD: 3}
    with pytest.raises(ValueError, match="not a List/Record body field"):
        app.load_sales_orders([bad])
