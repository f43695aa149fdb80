"""Record links derived from connections (never their secrets), overrides, and spreadsheet-safe CSV cells."""

from __future__ import annotations

import csv
import io

import pytest

from include.cancel_sync.report.record_urls import netsuite_app_url, record_urls, shopify_orders_url
from tests.cancel_sync.report.reference import order_rows, render_csv

GID = "gid://shopify/Order/5800000000013"


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        ("1234567_SB1", "https://1234567-sb1.app.netsuite.com"),
        ("TSTDRV123456", "https://tstdrv123456.app.netsuite.com"),
        ("", None),
        ("evil.com/x", None),  # never a host we did not build
    ],
)
def test_netsuite_app_host_comes_from_the_account_id(account_id, expected):
    assert netsuite_app_url(account_id) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("https://my-shop.myshopify.com", "https://admin.shopify.com/store/my-shop/orders"),
        ("my-shop.myshopify.com", "https://admin.shopify.com/store/my-shop/orders"),
        ("http://127.0.0.1:8766", "http://127.0.0.1:8766/_sandbox/orders"),
        ("http://user:secret@localhost:9000", "http://localhost:9000/_sandbox/orders"),  # no credentials kept
        ("https://shop.example.com", None),
    ],
)
def test_shopify_admin_link_comes_from_the_connection_host(host, expected):
    assert shopify_orders_url(host) == expected


def test_links_point_at_the_order_and_overrides_win():
    links = record_urls({"account_id": "1234567_SB1"}, "https://my-shop.myshopify.com")
    assert (
        links.netsuite(10013) == "https://1234567-sb1.app.netsuite.com/app/accounting/transactions/salesord.nl?id=10013"
    )
    assert links.shopify(GID) == "https://admin.shopify.com/store/my-shop/orders/5800000000013"
    assert links.shopify("gid://shopify/Product/1") is None and links.shopify(None) is None

    custom = record_urls(
        {"account_id": "1234567_SB1"},
        "https://my-shop.myshopify.com",
        "https://erp.example.com/",
        "https://a.example/s",
    )
    assert custom.netsuite(7).startswith("https://erp.example.com/app/accounting/")
    assert custom.shopify(GID) == "https://a.example/s/orders/5800000000013"
    off = record_urls({"account_id": "1234567_SB1"}, "https://my-shop.myshopify.com", "", "javascript:alert(1)")
    assert off.netsuite(7) is None and off.shopify(GID) is None  # empty switches off; only http(s) is a link


def test_csv_cells_never_start_a_formula_and_keep_non_ascii():
    outcome = {
        "id": 10013,
        "tranid": '=HYPERLINK("http://x","Größe")',
        "gid": GID,
        "shopify_name": "+1042",
        "decision": "to_cancel",
        "refund": True,
        "outcome": "failed",
        "detail": "-reason, with comma",
    }
    [row] = list(csv.DictReader(io.StringIO(render_csv(order_rows([outcome])))))
    assert row["netsuite_tranid"] == "'" + outcome["tranid"]
    assert row["shopify_order"] == "'+1042" and row["reason"] == "'-reason, with comma"
    assert row["refund"] == "yes" and row["netsuite_internal_id"] == "10013"
