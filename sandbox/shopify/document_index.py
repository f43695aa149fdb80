"""Where each node of a document sits: its graphql-ruby style path and, inside an argument, which one.

graphql-ruby reports validation errors with a `path` like ["query Name", "orders", "first"] and names
the argument a bad value belongs to; graphql-core errors only point at nodes. This index maps a
node (by identity) back to that context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, Node, TypeInfo, TypeInfoVisitor, Visitor, visit


@dataclass(frozen=True)
class ArgumentContext:
    name: str
    type: str  # e.g. "ID!", "" when the argument is unknown to the schema
    owner_kind: str  # "Field" or "Directive"
    owner_name: str
    value: Any  # the argument's value node


@dataclass(frozen=True)
class NodeContext:
    path: tuple[str | int, ...]
    argument: ArgumentContext | None
    variable: str | None  # set inside a variable definition


class DocumentIndex:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self._contexts: dict[int, NodeContext] = {}
        self._keep_alive: list[Node] = []  # ids are only unique while the nodes live
        type_info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(type_info, _Indexer(self, type_info)))

    def context(self, node: Node | None) -> NodeContext | None:
        return None if node is None else self._contexts.get(id(node))

    def _record(self, node: Node, context: NodeContext) -> None:
        self._contexts[id(node)] = context
        self._keep_alive.append(node)


class _Indexer(Visitor):
    def __init__(self, index: DocumentIndex, type_info: TypeInfo) -> None:
        super().__init__()
        self.index = index
        self.type_info = type_info
        self.path: list[str | int] = []
        self.argument: ArgumentContext | None = None
        self.owners: list[tuple[str, str]] = []  # (kind, name) of fields/directives being visited
        self.variable: str | None = None

    def enter(self, node: Node, *_args: Any) -> None:
        kind = node.kind
        segment = self._segment(node)
        if segment is not None:
            self.path.append(segment)
        if kind == "field":
            self.owners.append(("Field", node.name.value))
        elif kind == "directive":
            self.owners.append(("Directive", node.name.value))
        elif kind == "argument":
            definition = self.type_info.get_argument()
            owner_kind, owner_name = self.owners[-1] if self.owners else ("Field", "")
            self.argument = ArgumentContext(
                node.name.value, str(definition.type) if definition else "", owner_kind, owner_name, node.value
            )
        elif kind == "variable_definition":
            self.variable = node.variable.name.value
        self.index._record(node, NodeContext(tuple(self.path), self.argument, self.variable))

    def leave(self, node: Node, *_args: Any) -> None:
        kind = node.kind
        if self._segment(node) is not None:
            self.path.pop()
        if kind in ("field", "directive"):
            self.owners.pop()
        elif kind == "argument":
            self.argument = None
        elif kind == "variable_definition":
            self.variable = None

    @staticmethod
    def _segment(node: Any) -> str | None:
        kind = node.kind
        if kind == "operation_definition":
            operation = node.operation.value
            return f"{operation} {node.name.value}" if node.name else operation
        if kind == "fragment_definition":
            return f"fragment {node.name.value}"
        if kind == "field":
            return (node.alias or node.name).value
        if kind == "argument":
            return node.name.value
        if kind == "inline_fragment":
            return f"... on {node.type_condition.name.value}" if node.type_condition else "..."
        if kind == "fragment_spread":
            return f"... {node.name.value}"
        return None
