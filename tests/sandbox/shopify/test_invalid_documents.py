"""Documents Shopify will not run come back as HTTP 200 with graphql-ruby style errors and no data."""

from __future__ import annotations

import pytest


def only_error(sandbox, query: str, variables: dict | None = None) -> dict:
    body = sandbox.graphql(query, variables)
    assert "data" not in body, body
    assert len(body["errors"]) == 1, body["errors"]
    return body["errors"][0]


def test_an_unknown_field(shopify):
    error = only_error(shopify, 'query Q { order(id: "gid://shopify/Order/1") { id colour } }')
    assert error == {
        "message": "Field 'colour' doesn't exist on type 'Order'",
        "locations": [{"line": 1, "column": 51}],
        "path": ["query Q", "order", "colour"],
        "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "colour"},
    }


def test_a_syntax_error(shopify):
    error = only_error(shopify, '{ order(id: "gid://shopify/Order/1") { id }')
    assert error["message"] == "Unexpected end of document"
    error = only_error(shopify, "{ order(id: ) { id } }")
    assert error == {"message": 'Parse error on ")" (RPAREN) at [1, 13]', "locations": [{"line": 1, "column": 13}]}


@pytest.mark.parametrize(
    ("query", "message", "code"),
    [
        (
            '{ orders(first: "ten") { nodes { id } } }',
            "Argument 'first' on Field 'orders' has an invalid value (\"ten\"). Expected type 'Int'.",
            "argumentLiteralsIncompatible",
        ),
        (
            "{ orders(first: 1, sortKey: NAME) { nodes { id } } }",
            "Argument 'sortKey' on Field 'orders' has an invalid value (NAME). Expected type 'OrderSortKeys'.",
            "argumentLiteralsIncompatible",
        ),
        (
            '{ orders(first: 1, colour: "red") { nodes { id } } }',
            "Field 'orders' doesn't accept argument 'colour'",
            "argumentNotAccepted",
        ),
        ("{ order { id } }", "Field 'order' is missing required arguments: id", "missingRequiredArguments"),
        (
            '{ order(id: "gid://shopify/Order/1") }',
            "Field must have selections (field 'order' returns Order but has no selections. Did you mean 'order { ... }'?)",
            "selectionMismatch",
        ),
        (
            '{ order(id: "gid://shopify/Order/1") { name { first } } }',
            "Selections can't be made on scalars (field 'name' returns String but has selections [\"first\"])",
            "selectionMismatch",
        ),
        (
            "query { order(id: $id) { id } }",
            "Variable $id is used by anonymous query but not declared",
            "variableNotDefined",
        ),
        (
            'query Q($id: ID!) { job(id: "gid://shopify/Job/1") { id } }',
            "Variable $id is declared by Q but not used",
            "variableNotUsed",
        ),
        (
            "query($id: String) { order(id: $id) { id } }",
            "Type mismatch on variable $id and argument id (String / ID!)",
            "variableMismatch",
        ),
        (
            "query($id: ID) { order(id: $id) { id } }",
            "Nullability mismatch on variable $id and argument id (ID / ID!)",
            "variableMismatch",
        ),
        (
            '{ order(id: "gid://shopify/Order/1") { ... on Job { id } } }',
            "Fragment on Job can't be spread inside Order",
            "cannotSpreadFragment",
        ),
        (
            '{ order(id: "gid://shopify/Order/1") @cached { id } }',
            "Directive @cached is not defined",
            "undefinedDirective",
        ),
        ('{ order(id: "abc") { id } }', "Invalid global id `abc`", "argumentLiteralsIncompatible"),
        (
            'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true, '
            "refundMethod: {originalPaymentMethodsRefund: true, storeCreditRefund: {}}) { job { id } } }",
            "OneOf Input Object 'OrderCancelRefundMethodInput' must specify exactly one key.",
            "invalidOneOfInputObject",
        ),
        (
            "subscription { orders { id } }",
            "Schema is not configured for subscriptions",
            "missingSubscriptionConfiguration",
        ),
    ],
)
def test_validation_errors_are_worded_like_shopify(shopify, query, message, code):
    error = only_error(shopify, query)
    assert (error["message"], error["extensions"]["code"]) == (message, code)
    assert error["locations"]


def test_all_missing_arguments_are_named_in_one_error(shopify):
    error = only_error(shopify, "mutation { orderCancel(restock: true) { job { id } } }")
    assert error["message"] == "Field 'orderCancel' is missing required arguments: orderId, reason"
    assert error["extensions"] == {
        "code": "missingRequiredArguments",
        "className": "Field",
        "name": "orderCancel",
        "arguments": "orderId, reason",
    }


def test_several_problems_are_all_reported(shopify):
    body = shopify.graphql('{ order(id: "gid://shopify/Order/1") { colour size } }')
    assert [error["extensions"]["fieldName"] for error in body["errors"]] == ["colour", "size"]


@pytest.mark.parametrize(
    ("variables", "value", "explanation"),
    [
        ({}, None, "Expected value to not be null"),
        ({"id": None}, None, "Expected value to not be null"),
        ({"id": "1234"}, "1234", "Invalid global id `1234`"),
        ({"id": 1234}, 1234, "Invalid global id `1234`"),
    ],
)
def test_bad_variables_are_reported_like_shopify(shopify, variables, value, explanation):
    error = only_error(shopify, "query($id: ID!) { order(id: $id) { id } }", variables)
    assert error["message"] == "Variable $id of type ID! was provided invalid value"
    assert error["extensions"]["value"] == value
    assert error["extensions"]["problems"][0]["explanation"] == explanation


def test_a_bad_id_inside_a_list_variable_names_its_position(shopify):
    error = only_error(
        shopify, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["gid://shopify/Order/1", "2"]}
    )
    assert error["extensions"]["problems"] == [
        {"path": [1], "explanation": "Invalid global id `2`", "message": "Invalid global id `2`"}
    ]


def test_invalid_documents_are_counted_and_never_executed(shopify):
    only_error(shopify, "{ nope }")
    assert (shopify.app.stats["invalid_documents"], shopify.app.stats["executed"]) == (1, 0)
