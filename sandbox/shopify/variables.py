"""Coerce the request's variables the way Shopify reports problems with them.

Shopify (graphql-ruby) answers one error per bad variable: "Variable $id of type ID! was provided
invalid value", with the value and a list of problems in `extensions`. ID variables must hold GIDs.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    OperationDefinitionNode,
    coerce_input_value,
    get_named_type,
    is_non_null_type,
    print_ast,
    type_from_ast,
    value_from_ast,
)
from graphql.utilities import validate_input_value

from sandbox.shopify.gid import invalid_gid_message, is_valid_gid


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(coerced values, Shopify-style errors)."""
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        variable_type = type_from_ast(schema, definition.type)
        assert variable_type is not None  # validated before
        problems: list[dict[str, Any]] = []
        if name not in inputs or inputs[name] is None:
            if name not in inputs and definition.default_value is not None:
                values[name] = value_from_ast(definition.default_value, variable_type)
            elif is_non_null_type(variable_type):
                problems.append(_problem([], "Expected value to not be null"))
            elif name in inputs:
                values[name] = None
        else:
            problems += _input_problems(inputs[name], variable_type)
            if not problems:
                values[name] = coerce_input_value(inputs[name], variable_type)
                if get_named_type(variable_type).name == "ID":
                    problems += _gid_problems(values[name])
        if problems:
            errors.append(
                {
                    "message": f"Variable ${name} of type {print_ast(definition.type)} was provided invalid value",
                    "locations": [{"line": loc.line, "column": loc.column} for loc in _locations(definition)],
                    "extensions": {"value": inputs.get(name), "problems": problems},
                }
            )
    return values, errors


def _problem(path: list[Any], explanation: str) -> dict[str, Any]:
    return {"path": path, "explanation": explanation, "message": explanation}


def _input_problems(value: Any, variable_type: GraphQLInputType) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def on_error(error: GraphQLError, path: Any) -> None:
        problems.append(_problem(list(path), error.message))

    validate_input_value(value, variable_type, on_error)
    return problems


def _gid_problems(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [
            _problem([index], invalid_gid_message(item)) for index, item in enumerate(value) if not is_valid_gid(item)
        ]
    return [] if is_valid_gid(value) else [_problem([], invalid_gid_message(value))]


def _locations(definition: Any) -> list[Any]:
    location = definition.loc
    if location is None:
        return []
    return [location.source.get_location(location.start)]
