"""Field collection for the cost walker: which fields a selection set asks of a given object type.

Mirrors GraphQL's CollectFields (fragments applied when their type condition matches, @skip and
@include honoured, same response key merged), without graphql-core's internal API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    is_abstract_type,
    value_from_ast_untyped,
)


class SelectionCollector:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def collect(
        self, runtime_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key → the field nodes selecting it (several when fragments repeat a field)."""
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._visit(runtime_type, selection_set, grouped, set())
        return grouped

    def argument(self, node: FieldNode, name: str) -> Any:
        """An argument's value with variables substituted, or None when absent."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def _visit(
        self,
        runtime_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited_fragments: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, runtime_type):
                    self._visit(runtime_type, selection.selection_set, grouped, visited_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited_fragments or fragment is None:
                    continue
                visited_fragments.add(name)
                if self._applies(fragment.type_condition, runtime_type):
                    self._visit(runtime_type, fragment.selection_set, grouped, visited_fragments)

    def _applies(self, condition: NamedTypeNode | None, runtime_type: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        condition_type = self.schema.get_type(condition.name.value)
        if condition_type is runtime_type:
            return True
        return is_abstract_type(condition_type) and self.schema.is_sub_type(condition_type, runtime_type)

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((arg for arg in directive.arguments or () if arg.name.value == "if"), None)
            value = bool(value_from_ast_untyped(condition.value, self.variables)) if condition else False
            if (name == "skip" and value) or (name == "include" and not value):
                return False
        return True
