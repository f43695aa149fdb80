"""Every GraphQL document the sync sends is valid against Shopify's published schema, with nothing deprecated."""

import graphql
import pytest
from graphql.validation import NoDeprecatedCustomRule

from include.cancel_sync.shopify.documents import ALL_DOCUMENTS


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_document_is_valid_and_not_deprecated(official_shopify_schema, name):
    document = graphql.parse(ALL_DOCUMENTS[name])
    rules = [*graphql.specified_rules, NoDeprecatedCustomRule]
    errors = graphql.validate(official_shopify_schema, document, rules)
    assert errors == [], [e.message for e in errors]


def test_validation_does_catch_a_deprecated_argument(official_shopify_schema):
    """The check above can fail: the deprecated `refund` argument is refused."""
    document = graphql.parse(
        'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: false, refund: true)'
        " { job { id } } }"
    )
    errors = graphql.validate(official_shopify_schema, document, [*graphql.specified_rules, NoDeprecatedCustomRule])
    assert any("refund" in e.message and "deprecated" in e.message for e in errors)
