"""Shopify's input limit: every array argument holds at most 250 items (e.g. `nodes(ids:)`)."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, Visitor, value_from_ast_untyped, visit

MAX_INPUT_ARRAY = 250


def oversized_inputs(document: DocumentNode, variables: dict[str, Any]) -> list[dict[str, Any]]:
    finder = _OversizedInputFinder(variables)
    visit(document, finder)
    return finder.errors


class _OversizedInputFinder(Visitor):
    def __init__(self, variables: dict[str, Any]) -> None:
        super().__init__()
        self.variables = variables
        self.errors: list[dict[str, Any]] = []

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        for argument in node.arguments or ():
            size = _largest_list(value_from_ast_untyped(argument.value, self.variables))
            if size > MAX_INPUT_ARRAY:
                location = argument.loc.source.get_location(argument.loc.start) if argument.loc else None
                self.errors.append(
                    {
                        "message": f"The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_ARRAY}.",
                        "locations": [{"line": location.line, "column": location.column}] if location else [],
                        "path": [(node.alias or node.name).value, argument.name.value],
                        "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
                    }
                )


def _largest_list(value: Any) -> int:
    if isinstance(value, list):
        return max([len(value), *(_largest_list(item) for item in value)])
    if isinstance(value, dict):
        return max((_largest_list(item) for item in value.values()), default=0)
    return 0
