"""Shopify's calculated query cost (https://shopify.dev/docs/api/usage/limits#cost-calculation).

- scalars and enums cost 0, each object 1; an interface costs the most expensive of its types;
- a connection costs 2 plus `first` (or `last`) times the cost of one node;
- a list field sized by an argument (`nodes(ids:)`) costs one node per id;
- every mutation field costs 10, whatever it selects.

The requested cost is computed from the document before running it; the actual cost walks the
same selections over the data returned, so nulls and short pages cost nothing.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)

from sandbox.shopify.selections import SelectionCollector

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_COST = 2
SIZED_LIST_ARGUMENTS = ("ids",)


class CostCalculator:
    def __init__(self, schema: GraphQLSchema, collector: SelectionCollector) -> None:
        self.schema = schema
        self.collector = collector

    def requested(self, operation: OperationDefinitionNode) -> int:
        root = self._root_type(operation)
        return self._requested_selection(root, [operation.selection_set])

    def actual(self, operation: OperationDefinitionNode, data: dict[str, Any] | None) -> int:
        root = self._root_type(operation)
        return self._actual_selection(root, [operation.selection_set], data)

    def _root_type(self, operation: OperationDefinitionNode) -> GraphQLObjectType:
        root = self.schema.get_root_type(operation.operation)
        assert root is not None  # validated before
        return root

    # -- requested --------------------------------------------------------------------------------

    def _requested_selection(self, parent: GraphQLType, sets: list[SelectionSetNode]) -> int:
        if is_abstract_type(parent):
            return max((self._requested_selection(t, sets) for t in self.schema.get_possible_types(parent)), default=0)
        return sum(self._requested_field(parent, nodes) for nodes in self.collector.collect(parent, sets).values())

    def _requested_field(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> int:
        name = nodes[0].name.value
        if name.startswith("__"):
            return 0
        if parent is self.schema.mutation_type:
            return MUTATION_COST
        field_type = parent.fields[name].type
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 0
        sets = _subselections(nodes)
        if _is_connection(named):
            page = self.collector.argument(nodes[0], "first")
            if page is None:
                page = self.collector.argument(nodes[0], "last")
            node_type, node_sets = _connection_nodes(self.collector, named, sets)
            return CONNECTION_COST + max(int(page or 0), 0) * (1 + self._requested_selection(node_type, node_sets))
        one = 1 + self._requested_selection(named, sets)
        if is_list_type(get_nullable_type(field_type)):
            return self._list_size(nodes[0]) * one
        return one

    def _list_size(self, node: FieldNode) -> int:
        for argument in SIZED_LIST_ARGUMENTS:
            value = self.collector.argument(node, argument)
            if isinstance(value, list):
                return len(value)
        return 1

    # -- actual -----------------------------------------------------------------------------------

    def _actual_selection(self, parent: GraphQLType, sets: list[SelectionSetNode], data: Any) -> int:
        if not isinstance(data, dict):
            return 0
        if is_abstract_type(parent):
            return max(
                (self._actual_selection(t, sets, data) for t in self.schema.get_possible_types(parent)), default=0
            )
        total = 0
        for key, nodes in self.collector.collect(parent, sets).items():
            if key in data:
                total += self._actual_field(parent, nodes, data[key])
        return total

    def _actual_field(self, parent: GraphQLObjectType, nodes: list[FieldNode], value: Any) -> int:
        name = nodes[0].name.value
        if name.startswith("__"):
            return 0
        if parent is self.schema.mutation_type:
            return MUTATION_COST
        named = get_named_type(parent.fields[name].type)
        if is_leaf_type(named) or value is None:
            return 0
        sets = _subselections(nodes)
        if _is_connection(named):
            node_type, node_sets = _connection_nodes(self.collector, named, sets)
            items = _connection_items(self.collector, named, sets, value)
            return CONNECTION_COST + sum(1 + self._actual_selection(node_type, node_sets, item) for item in items)
        if isinstance(value, list):
            return sum(1 + self._actual_selection(named, sets, item) for item in value if item is not None)
        return 1 + self._actual_selection(named, sets, value)


def _subselections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [node.selection_set for node in nodes if node.selection_set is not None]


def _is_connection(named: GraphQLType) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "pageInfo" in named.fields


def _connection_nodes(
    collector: SelectionCollector, connection: GraphQLObjectType, sets: list[SelectionSetNode]
) -> tuple[GraphQLType, list[SelectionSetNode]]:
    """The node type and every selection made on a node, via `edges { node }` or `nodes`."""
    node_type = get_named_type(connection.fields["nodes"].type)
    edge_type = get_named_type(connection.fields["edges"].type)
    node_sets: list[SelectionSetNode] = []
    for key_nodes in collector.collect(connection, sets).values():
        name = key_nodes[0].name.value
        if name == "nodes":
            node_sets += _subselections(key_nodes)
        elif name == "edges":
            for edge_nodes in collector.collect(edge_type, _subselections(key_nodes)).values():
                if edge_nodes[0].name.value == "node":
                    node_sets += _subselections(edge_nodes)
    return node_type, node_sets


def _connection_items(
    collector: SelectionCollector, connection: GraphQLObjectType, sets: list[SelectionSetNode], value: dict
) -> list[dict]:
    """The nodes a connection returned, merging what `edges { node }` and `nodes` show of each."""
    items: list[dict] = []
    edge_type = get_named_type(connection.fields["edges"].type)
    for key, key_nodes in collector.collect(connection, sets).items():
        name = key_nodes[0].name.value
        returned = value.get(key) or []
        if name == "nodes":
            _merge_items(items, returned)
        elif name == "edges":
            for node_key, edge_nodes in collector.collect(edge_type, _subselections(key_nodes)).items():
                if edge_nodes[0].name.value == "node":
                    _merge_items(items, [edge.get(node_key) for edge in returned])
    return items


def _merge_items(items: list[dict], returned: list[Any]) -> None:
    for position, item in enumerate(returned):
        if position == len(items):
            items.append({})
        if isinstance(item, dict):
            items[position].update(item)
