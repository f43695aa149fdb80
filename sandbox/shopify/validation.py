"""Validate a document with graphql-core's rules, remembering which rule raised each error.

graphql-core words errors like graphql-js; Shopify runs graphql-ruby, whose wording and
`extensions.code` differ. errors.py needs the rule to translate, so each rule reports through a
context proxy that stamps its name on the error. One extra rule checks literal IDs are GIDs, as
Shopify's ID coercion does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    StringValueNode,
    get_named_type,
    specified_rules,
    validate,
)
from graphql.validation import ValidationRule

from sandbox.shopify.gid import invalid_gid_message, is_valid_gid

RULE_KEY = "_rule"  # private extensions key, removed before replying


class _TaggingContext:
    def __init__(self, context: Any, rule_name: str) -> None:
        self._context = context
        self._rule_name = rule_name

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), RULE_KEY: self._rule_name}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _tagged(rule: type[ValidationRule]) -> type[ValidationRule]:
    def __init__(self: ValidationRule, context: Any) -> None:
        rule.__init__(self, _TaggingContext(context, rule.__name__))

    return type(rule.__name__, (rule,), {"__init__": __init__})


class GlobalIdLiteralsRule(ValidationRule):
    """A literal passed where an ID is expected must be a GID (Shopify: "Invalid global id `...`")."""

    def enter_argument(self, node: Any, *_args: Any) -> None:
        argument = self.context.get_argument()
        if argument is None or get_named_type(argument.type).name != "ID":
            return
        values = (node.value.values or ()) if isinstance(node.value, ListValueNode) else (node.value,)
        for value in values:
            if isinstance(value, StringValueNode | IntValueNode) and not is_valid_gid(value.value):
                self.report_error(
                    GraphQLError(
                        invalid_gid_message(value.value),
                        node,
                        extensions={"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
                    )
                )


@cache
def _rules() -> tuple[type[ValidationRule], ...]:
    return tuple(_tagged(rule) for rule in (*specified_rules, GlobalIdLiteralsRule))


def validate_document(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
    """graphql-core errors, each carrying `extensions[RULE_KEY]` = the rule class name."""
    return validate(schema, document, _rules())
