import pytest

from include.cancel_sync.shopify.order_ids import parse_shopify_link


@pytest.mark.parametrize(
    ("raw", "gid"),
    [
        ("5800000000001", "gid://shopify/Order/5800000000001"),
        ("  42\t", "gid://shopify/Order/42"),
        ("gid://shopify/Order/42", "gid://shopify/Order/42"),
        (" gid://shopify/Order/0042 ", "gid://shopify/Order/42"),
    ],
)
def test_usable_links(raw, gid):
    link = parse_shopify_link(raw)
    assert link.gid == gid and link.problem is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("-5", "not a Shopify order id"),
        ("12ab34", "not a Shopify order id"),
        ("#1001", "not a Shopify order id"),
        ("0", "not a positive"),
        ("gid://shopify/Product/42", "Product id, not an Order id"),
        ("gid://shopify/Order/abc", "not a Shopify order id"),
        ("12345678901234567890123", "not a Shopify order id"),
        ("４２", "not a Shopify order id"),  # full-width digits are not ASCII digits
    ],
)
def test_unusable_links_are_explained(raw, problem):
    link = parse_shopify_link(raw)
    assert link.gid is None and problem in link.problem
