"""Billed orders: transactionline.quantitybilled, the invoice or cash sale made from the lines, and their links."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests

from sandbox.model import SalesOrder, SalesOrderLine
from sandbox.netsuite.documents import BILL_ID_BASE, FULFILLMENT_ID_BASE
from tests.timing import HTTP_TIMEOUT

AT = datetime(2026, 1, 15, 0, 5)
BILLED_BY_LINES = """
SELECT t.id FROM transaction t
WHERE t.type = 'SalesOrd'
  AND EXISTS (SELECT 1 FROM transactionline tl
              WHERE tl.transaction = t.id AND tl.mainline = 'F' AND ABS(NVL(tl.quantitybilled, 0)) > 0)
ORDER BY t.id
"""
HAS_BILL = """EXISTS (SELECT 1 FROM NextTransactionLineLink l JOIN transaction b ON b.id = l.nextdoc
              WHERE l.previousdoc = t.id AND (l.linktype = 'OrdBill' OR b.type IN ('CustInvc', 'CashSale')))"""
BILLED_BY_LINKS = f"SELECT t.id FROM transaction t WHERE t.type = 'SalesOrd' AND {HAS_BILL} ORDER BY t.id"


def order(order_id: int, status: str, shipped=(0, 0), billed=(0, 0), billing: str = "invoice") -> SalesOrder:
    lines = [
        SalesOrderLine(line=n, item=f"SKU-{n}", quantity=2, quantity_shipped=s, quantity_billed=b, rate="10.00")
        for n, (s, b) in enumerate(zip(shipped, billed, strict=True), 1)
    ]
    return SalesOrder(
        order_id,
        f"SO{order_id}",
        status,
        AT,
        AT.date(),
        fields={"custbody_fa_channel_order": "58"},
        lines=lines,
        billing=billing,
    )


def ids(page: dict) -> list[int]:
    return [int(item["id"]) for item in page["items"]]


@pytest.fixture
def orders() -> list[SalesOrder]:
    return [
        order(1, "H"),  # closed, nothing done: a cancellation
        order(2, "H", billed=(1, 0)),  # closed, nothing shipped, one unit invoiced
        order(3, "H", billed=(2, 2), billing="cash_sale"),  # closed, paid by a cash sale
        order(4, "G", shipped=(2, 2), billed=(2, 2)),  # billed in full after shipping
        order(5, "C"),
    ]


def test_billed_quantities_are_stored_negative_like_the_other_sales_order_quantities(start_netsuite, orders):
    _app, client = start_netsuite(orders)
    page = client.ok(
        "SELECT tl.transaction, tl.id, tl.quantity, tl.quantitybilled FROM transactionline tl "
        "WHERE tl.transaction = 2 AND tl.mainline = 'F' ORDER BY tl.id"
    )
    assert [(i["quantity"], i["quantitybilled"]) for i in page["items"]] == [("-2", "-1"), ("-2", "0")]


def test_billed_quantities_can_be_stored_positive(start_netsuite, orders):
    _app, client = start_netsuite(orders, billed_sign=1)
    page = client.ok("SELECT tl.quantitybilled FROM transactionline tl WHERE tl.transaction = 2 AND tl.id = 1")
    assert page["items"] == [{"links": [], "quantitybilled": "1"}]
    assert ids(client.ok(BILLED_BY_LINES)) == [2, 3, 4]


@pytest.mark.parametrize("query", [BILLED_BY_LINES, BILLED_BY_LINKS])
def test_billed_orders_are_found_by_their_lines_or_by_their_links(start_netsuite, orders, query):
    _app, client = start_netsuite(orders)
    assert ids(client.ok(query)) == [2, 3, 4]


def test_each_billed_order_has_one_bill_linked_line_by_line(start_netsuite, orders):
    _app, client = start_netsuite(orders)
    bills = client.ok(
        "SELECT t.id, t.tranid, t.type, BUILTIN.DF(t.type) AS kind, BUILTIN.CF(t.status) AS status, "
        "BUILTIN.DF(t.status) AS label, t.foreigntotal, t.custbody_fa_channel_order AS link "
        "FROM transaction t WHERE t.type <> 'SalesOrd' ORDER BY t.id"
    )["items"]
    assert [(b["id"], b["tranid"], b["kind"], b["status"], b["label"], b["foreigntotal"]) for b in bills] == [
        (str(BILL_ID_BASE + 2), "INV2", "Invoice", "CustInvc:A", "Open", "10"),
        (str(BILL_ID_BASE + 3), "CS3", "Cash Sale", "CashSale:B", "Not Deposited", "40"),
        (str(BILL_ID_BASE + 4), "INV4", "Invoice", "CustInvc:A", "Open", "40"),
    ]
    assert {b["link"] for b in bills} == {"58"}  # body fields travel with the transform
    links = client.ok(
        "SELECT l.previousdoc, l.previousline, l.previoustype, l.nextdoc, l.nextline, l.nexttype, l.linktype "
        "FROM nexttransactionlinelink l ORDER BY l.previousdoc, l.previousline"
    )["items"]
    assert [tuple(link[k] for k in ("previousdoc", "previousline", "nexttype", "linktype")) for link in links] == [
        ("2", "1", "CustInvc", "OrdBill"),
        ("3", "1", "CashSale", "OrdBill"),
        ("3", "2", "CashSale", "OrdBill"),
        ("4", "1", "CustInvc", "OrdBill"),
        ("4", "2", "CustInvc", "OrdBill"),
    ]
    assert {link["previoustype"] for link in links} == {"SalesOrd"}
    lines = client.ok(
        f"SELECT tl.id, tl.item, tl.quantity FROM transactionline tl WHERE tl.transaction = {BILL_ID_BASE + 2} ORDER BY tl.id"
    )
    assert [(i["id"], i.get("item"), i.get("quantity")) for i in lines["items"]] == [
        ("0", None, None),
        ("1", "SKU-1", "-1"),
    ]


def test_fulfillments_are_made_only_when_asked_for(start_netsuite, orders):
    _app, plain = start_netsuite(orders)
    assert plain.ok("SELECT COUNT(*) AS n FROM transaction t WHERE t.type = 'ItemShip'")["items"][0]["n"] == "0"
    _app, client = start_netsuite(orders, fulfillment_documents=True)
    shipped = client.ok(
        "SELECT t.id, l.nextdoc, l.linktype FROM transaction t JOIN nexttransactionlinelink l ON l.previousdoc = t.id "
        "JOIN transaction f ON f.id = l.nextdoc WHERE f.type = 'ItemShip' ORDER BY t.id, l.previousline"
    )["items"]
    assert [(i["id"], i["nextdoc"], i["linktype"]) for i in shipped] == [
        ("4", str(FULFILLMENT_ID_BASE + 4), "ShipRcpt")
    ] * 2


def test_billing_follows_updates_and_reloads(start_netsuite, orders):
    app, client = start_netsuite(orders)
    control = client.base_url + "/_sandbox/sales-orders/"
    assert requests.post(control + "1", json={"quantity_billed": {"2": 1}}, timeout=HTTP_TIMEOUT).ok
    assert ids(client.ok(BILLED_BY_LINKS)) == [1, 2, 3, 4]
    refused = requests.post(control + "1", json={"quantity_billed": {"2": 3}}, timeout=HTTP_TIMEOUT)
    assert refused.status_code == 400 and "cannot bill 3" in refused.json()["error"]
    app.store.set_quantity_billed(2, {1: 0})  # the invoice was deleted
    app.load_sales_orders([order(3, "H")])  # reloaded without its cash sale
    assert ids(client.ok(BILLED_BY_LINKS)) == [1, 4]
    assert ids(client.ok(BILLED_BY_LINES)) == [1, 4]
    assert client.ok("SELECT COUNT(*) AS n FROM transaction t WHERE t.type <> 'SalesOrd'")["items"][0]["n"] == "2"
    with pytest.raises(KeyError):
        app.store.update_sales_order(BILL_ID_BASE + 4, status="C")  # only sales orders are changed this way


def test_a_billed_closed_order_still_passes_the_shipped_test(start_netsuite, orders, dag_query):
    """Billing is a separate question: the closed-and-unshipped test alone lets billed orders through."""
    _app, client = start_netsuite(orders)
    assert ids(client.ok(dag_query)) == [1, 2, 3, 5]
    assert ids(client.ok(dag_query.replace("ORDER BY t.id", f"AND NOT {HAS_BILL} ORDER BY t.id"))) == [1, 5]
