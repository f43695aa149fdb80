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


def test_every_size_of_the_multi_cancel_document_is_valid(official_shopify_schema):
    from include.cancel_sync.shopify.documents import MAX_CANCELS_PER_REQUEST, order_cancel_mutation

    rules = [*graphql.specified_rules, NoDeprecatedCustomRule]
    for count in range(1, MAX_CANCELS_PER_REQUEST + 1):
        document = graphql.parse(order_cancel_mutation(count))
        assert graphql.validate(official_shopify_schema, document, rules) == [], count
        aliases = [field.alias.value for field in document.definitions[0].selection_set.selections]
        assert aliases == [f"c{i}" for i in range(count)]
