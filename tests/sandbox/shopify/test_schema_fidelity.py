"""The sandbox schema is a strict subset of Shopify's official 2026-01 schema, type for type.

If the sandbox accepted a field, argument or value Shopify rejects (or typed one differently), tests
against it would pass while production fails; this walks both schemas to rule that out.
"""

from __future__ import annotations

import graphql
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    is_non_null_type,
    print_ast,
)

from sandbox.shopify.schema import sandbox_schema


def _default(value_definition) -> str | None:
    node = value_definition.ast_node
    return print_ast(node.default_value) if node is not None and node.default_value is not None else None


def _own_types(schema: graphql.GraphQLSchema) -> dict[str, graphql.GraphQLNamedType]:
    return {name: named for name, named in schema.type_map.items() if not name.startswith("__")}


def _subset_problems(sandbox: graphql.GraphQLSchema, official: graphql.GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for name, ours in _own_types(sandbox).items():
        theirs = official.type_map.get(name)
        if theirs is None:
            problems.append(f"type {name} does not exist in Shopify's schema")
            continue
        if type(ours) is not type(theirs):
            problems.append(f"{name} is a {type(ours).__name__} here but a {type(theirs).__name__} at Shopify")
            continue
        if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
            problems += _field_problems(name, ours, theirs)
            ours_interfaces = {interface.name for interface in ours.interfaces}
            theirs_interfaces = {interface.name for interface in theirs.interfaces}
            problems += [f"{name} implements {extra} only here" for extra in ours_interfaces - theirs_interfaces]
        elif isinstance(ours, GraphQLEnumType):
            if list(ours.values) != list(theirs.values):
                problems.append(f"enum {name} values differ: {sorted(set(ours.values) ^ set(theirs.values))}")
            for value_name, value in ours.values.items():
                if (
                    value_name in theirs.values
                    and value.deprecation_reason != theirs.values[value_name].deprecation_reason
                ):
                    problems.append(f"enum {name}.{value_name} deprecation differs")
        elif isinstance(ours, GraphQLInputObjectType):
            problems += _input_problems(name, ours, theirs)
        elif isinstance(ours, GraphQLUnionType):
            problems += [f"union {name} lists {t.name} only here" for t in set(ours.types) - set(theirs.types)]
        elif isinstance(ours, GraphQLScalarType) and ours.specified_by_url != theirs.specified_by_url:
            problems.append(f"scalar {name} specifiedBy differs")
    for directive in sandbox.directives:
        if official.get_directive(directive.name) is None:
            problems.append(f"directive @{directive.name} does not exist in Shopify's schema")
    for operation in ("query", "mutation", "subscription"):
        ours_root, theirs_root = getattr(sandbox, f"{operation}_type"), getattr(official, f"{operation}_type")
        if ours_root is not None and (theirs_root is None or ours_root.name != theirs_root.name):
            problems.append(f"{operation} root differs")
    return problems


def _field_problems(type_name: str, ours, theirs) -> list[str]:
    problems = []
    for field_name, field in ours.fields.items():
        where = f"{type_name}.{field_name}"
        official_field = theirs.fields.get(field_name)
        if official_field is None:
            problems.append(f"{where} does not exist at Shopify")
            continue
        if str(field.type) != str(official_field.type):
            problems.append(f"{where} is {field.type} here but {official_field.type} at Shopify")
        if field.deprecation_reason != official_field.deprecation_reason:
            problems.append(f"{where} deprecation differs")
        for arg_name, arg in field.args.items():
            official_arg = official_field.args.get(arg_name)
            if official_arg is None:
                problems.append(f"{where}({arg_name}:) does not exist at Shopify")
            elif (str(arg.type), _default(arg), arg.deprecation_reason) != (
                str(official_arg.type),
                _default(official_arg),
                official_arg.deprecation_reason,
            ):
                problems.append(f"{where}({arg_name}:) type, default or deprecation differs")
        for arg_name, official_arg in official_field.args.items():
            required = is_non_null_type(official_arg.type) and _default(official_arg) is None
            if required and arg_name not in field.args:
                problems.append(f"{where} lacks Shopify's required argument {arg_name}")
    return problems


def _input_problems(type_name: str, ours: GraphQLInputObjectType, theirs: GraphQLInputObjectType) -> list[str]:
    problems = []
    if ours.is_one_of != theirs.is_one_of:
        problems.append(f"input {type_name} @oneOf differs")
    for field_name, field in ours.fields.items():
        official_field = theirs.fields.get(field_name)
        if official_field is None:
            problems.append(f"input {type_name}.{field_name} does not exist at Shopify")
        elif (str(field.type), _default(field)) != (str(official_field.type), _default(official_field)):
            problems.append(f"input {type_name}.{field_name} type or default differs")
    for field_name, official_field in theirs.fields.items():
        if is_non_null_type(official_field.type) and field_name not in ours.fields:
            problems.append(f"input {type_name} lacks Shopify's required field {field_name}")
    return problems


def test_sandbox_schema_is_a_strict_subset_of_shopifys(official_schema):
    assert _subset_problems(sandbox_schema(), official_schema) == []


def test_the_fidelity_check_notices_a_difference(official_schema):
    altered = graphql.build_schema(
        "type QueryRoot { order(id: ID): Order }  type Order { id: ID!  name: Int  madeUp: String }  "
        "enum OrderCancelReason { CUSTOMER }"
    )
    problems = _subset_problems(altered, official_schema)
    assert "QueryRoot.order(id:) type, default or deprecation differs" in problems
    assert "Order.name is Int here but String! at Shopify" in problems
    assert "Order.madeUp does not exist at Shopify" in problems
    assert any(problem.startswith("enum OrderCancelReason values differ") for problem in problems)


@pytest.mark.parametrize(
    ("type_name", "field_name"),
    [("QueryRoot", "nodes"), ("QueryRoot", "orders"), ("QueryRoot", "job"), ("Mutation", "orderCancel")],
)
def test_the_fields_the_sync_relies_on_are_present(type_name, field_name):
    assert field_name in sandbox_schema().type_map[type_name].fields


def test_order_cancel_keeps_every_official_argument_including_deprecated_refund(official_schema):
    ours = sandbox_schema().mutation_type.fields["orderCancel"].args
    theirs = official_schema.mutation_type.fields["orderCancel"].args
    assert set(ours) == set(theirs)
    assert ours["refund"].deprecation_reason == "Use `refundMethod` instead."
    assert sandbox_schema().type_map["OrderCancelRefundMethodInput"].is_one_of


def test_the_syncs_documents_are_valid_against_the_sandbox(official_schema):
    documents = pytest.importorskip("include.cancel_sync.shopify.documents").ALL_DOCUMENTS
    for name, document in documents.items():
        parsed = graphql.parse(document)
        assert graphql.validate(sandbox_schema(), parsed) == [], name
        assert graphql.validate(official_schema, parsed) == [], name


# The 2026-10 additions (sandbox/shopify/schema_2026_10.graphql), as Shopify's 2026-10 reference lists them.
# JobResult exists in 2026-01 as well, and the subset check holds it to Shopify's definition.
JOB_RESULT_ADDITIONS = {
    "type OrderCancelJobResult does not exist in Shopify's schema",
    "type OrderCancelStatus does not exist in Shopify's schema",
    "OrderCancelPayload.jobResult does not exist at Shopify",
}


def test_the_2026_10_schema_adds_only_the_documented_job_result(official_schema):
    newer = sandbox_schema(job_result=True)
    problems = set(_subset_problems(newer, official_schema))
    assert problems == JOB_RESULT_ADDITIONS
    assert str(newer.type_map["OrderCancelPayload"].fields["jobResult"].type) == "OrderCancelJobResult"
    result = newer.type_map["OrderCancelJobResult"]
    assert {name: str(field.type) for name, field in result.fields.items()} == {
        "done": "Boolean!",
        "errors": "[OrderCancelUserError!]!",
        "id": "ID!",
        "order": "Order",
        "status": "OrderCancelStatus!",
    }
    assert [interface.name for interface in result.interfaces] == ["JobResult"]
    assert list(newer.type_map["OrderCancelStatus"].values) == ["FAILED", "STARTED", "SUCCEEDED"]
    # Everything else is the 2026-01 subset, unchanged.
    older = sandbox_schema()
    assert set(newer.type_map) - set(older.type_map) == {"JobResult", "OrderCancelJobResult", "OrderCancelStatus"}
    assert set(newer.type_map["OrderCancelPayload"].fields) - set(older.type_map["OrderCancelPayload"].fields) == {
        "jobResult"
    }
