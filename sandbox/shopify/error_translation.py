"""Translate graphql-core validation errors into what Shopify (graphql-ruby) replies.

Messages and `extensions.code` follow graphql-ruby's static validation (e.g. "Field 'x' doesn't exist
on type 'Order'", code "undefinedField"). Rules without a known counterpart keep graphql-core's
message under a generic code. The texts are approximations of Shopify's, close enough that a client
handling them by code or by the presence of `errors` behaves as it would against Shopify.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, print_ast

from sandbox.shopify.document_index import DocumentIndex
from sandbox.shopify.validation import RULE_KEY

Translated = tuple[str, dict[str, Any]]  # (message, extensions)


def translate_validation_errors(errors: list[GraphQLError], index: DocumentIndex) -> list[dict[str, Any]]:
    replies = []
    missing_arguments: dict[int, dict[str, Any]] = {}  # graphql-ruby reports them once per field
    for error in errors:
        extensions = dict(error.extensions or {})
        rule = extensions.pop(RULE_KEY, "")
        node = error.nodes[0] if error.nodes else None
        context = index.context(node)
        if rule == "ProvidedRequiredArgumentsRule" and node is not None:
            merged = _merge_missing_argument(missing_arguments, error, node)
            if merged is not None:
                if context is not None:
                    merged["path"] = list(context.path)
                replies.append(merged)
            continue
        translate = _TRANSLATORS.get(rule)
        message, extra = translate(error, index) if translate else (error.message, {})
        reply: dict[str, Any] = {"message": message, "locations": _locations(error)}
        if context is not None:
            reply["path"] = list(context.path)
        reply["extensions"] = {**extensions, **extra} if (extensions or extra) else {"code": "validationError"}
        replies.append(reply)
    return replies


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": location.line, "column": location.column} for location in error.locations or []]


def _merge_missing_argument(seen: dict[int, dict[str, Any]], error: GraphQLError, node: Any) -> dict | None:
    match = re.match(r"Argument '@?(?:[^.(']+\.)?(?P<owner>[^.(']+)\((?P<arg>[^:)]+):\)'", error.message)
    owner = match["owner"] if match else node.name.value
    argument = match["arg"] if match else "?"
    class_name = "Directive" if node.kind == "directive" else "Field"
    reply = seen.get(id(node))
    if reply is not None:
        names = reply["extensions"]["arguments"] + ", " + argument
        reply["extensions"]["arguments"] = names
        reply["message"] = f"{class_name} '{owner}' is missing required arguments: {names}"
        return None
    reply = {
        "message": f"{class_name} '{owner}' is missing required arguments: {argument}",
        "locations": _locations(error),
        "extensions": {
            "code": "missingRequiredArguments",
            "className": class_name,
            "name": owner,
            "arguments": argument,
        },
    }
    seen[id(node)] = reply
    return reply


def _named(type_text: str) -> str:
    return type_text.replace("[", "").replace("]", "").replace("!", "")


def _fields_on_correct_type(error: GraphQLError, _index: DocumentIndex) -> Translated:
    match = re.match(r"Cannot query field '(?P<field>[^']+)' on type '(?P<type>[^']+)'", error.message)
    if match is None:
        return error.message, {"code": "undefinedField"}
    return (
        f"Field '{match['field']}' doesn't exist on type '{match['type']}'",
        {"code": "undefinedField", "typeName": match["type"], "fieldName": match["field"]},
    )


def _known_argument_names(error: GraphQLError, _index: DocumentIndex) -> Translated:
    match = re.match(
        r"Unknown argument '(?P<arg>[^']+)' on (?P<kind>field|directive) '@?(?:[^.']+\.)?(?P<owner>[^']+)'",
        error.message,
    )
    if match is None:
        return error.message, {"code": "argumentNotAccepted"}
    kind = match["kind"].capitalize()
    return (
        f"{kind} '{match['owner']}' doesn't accept argument '{match['arg']}'",
        {"code": "argumentNotAccepted", "name": match["owner"], "typeName": kind, "argumentName": match["arg"]},
    )


def _values_of_correct_type(error: GraphQLError, index: DocumentIndex) -> Translated:
    context = index.context(error.nodes[0] if error.nodes else None)
    argument = context.argument if context else None
    one_of = re.match(r"Within OneOf Input Object type '(?P<type>[^']+)'", error.message)
    if one_of is not None:
        return (
            f"OneOf Input Object '{one_of['type']}' must specify exactly one key.",
            {"code": "invalidOneOfInputObject", "inputObjectType": one_of["type"]},
        )
    if argument is None:
        return error.message, {"code": "argumentLiteralsIncompatible"}
    return (
        f"Argument '{argument.name}' on {argument.owner_kind} '{argument.owner_name}' has an invalid value "
        f"({print_ast(argument.value)}). Expected type '{argument.type}'.",
        {"code": "argumentLiteralsIncompatible", "typeName": argument.owner_kind, "argumentName": argument.name},
    )


def _scalar_leafs(error: GraphQLError, _index: DocumentIndex) -> Translated:
    node = error.nodes[0] if error.nodes else None
    no_subfields = re.match(
        r"Field '(?P<field>[^']+)' must not have a selection since type '(?P<type>[^']+)'", error.message
    )
    if no_subfields is not None:
        # graphql-core points at the offending selection set rather than the field.
        name, type_name = no_subfields["field"], _named(no_subfields["type"])
        selections = node.selections if node is not None and node.kind == "selection_set" else ()
        selected = ", ".join(_selection_label(selection) for selection in selections)
        return (
            f"Selections can't be made on scalars (field '{name}' returns {type_name} but has selections [{selected}])",
            {"code": "selectionMismatch", "nodeName": f"field '{name}'", "typeName": type_name},
        )
    needs_subfields = re.match(
        r"Field '(?P<field>[^']+)' of type '(?P<type>[^']+)' must have a selection", error.message
    )
    name = needs_subfields["field"] if needs_subfields else "?"
    type_name = _named(needs_subfields["type"]) if needs_subfields else "?"
    return (
        f"Field must have selections (field '{name}' returns {type_name} but has no selections. "
        f"Did you mean '{name} {{ ... }}'?)",
        {"code": "selectionMismatch", "nodeName": f"field '{name}'", "typeName": type_name},
    )


def _selection_label(selection: Any) -> str:
    if selection.kind == "inline_fragment":
        condition = selection.type_condition.name.value if selection.type_condition else ""
        return f'"... on {condition} {{ ... }}"'
    return f'"{selection.name.value}"'


def _variables_in_allowed_position(error: GraphQLError, index: DocumentIndex) -> Translated:
    match = re.match(
        r"Variable '\$(?P<var>[^']+)' of type '(?P<vtype>[^']+)' used in position expecting type '(?P<atype>[^']+)'",
        error.message,
    )
    if match is None:
        return error.message, {"code": "variableMismatch"}
    usage = error.nodes[-1] if error.nodes else None
    context = index.context(usage)
    argument = context.argument.name if context and context.argument else "?"
    variable_type, argument_type = match["vtype"], match["atype"]
    if _named(variable_type) != _named(argument_type):
        problem = "Type mismatch"
    elif variable_type.count("[") != argument_type.count("["):
        problem = "List dimension mismatch"
    else:
        problem = "Nullability mismatch"
    return (
        f"{problem} on variable ${match['var']} and argument {argument} ({variable_type} / {argument_type})",
        {
            "code": "variableMismatch",
            "variableName": match["var"],
            "typeName": variable_type,
            "argumentName": argument,
            "errorMessage": problem,
        },
    )


def _variable_usage(verb: str, code: str) -> Callable[[GraphQLError, DocumentIndex], Translated]:
    def translate(error: GraphQLError, _index: DocumentIndex) -> Translated:
        match = re.match(r"Variable '\$(?P<var>[^']+)' is .*?(?:operation '(?P<op>[^']+)')?\.?$", error.message)
        if match is None:
            return error.message, {"code": code}
        operation = match["op"] or "anonymous query"
        return (
            f"Variable ${match['var']} is {verb} {operation} but {'not declared' if code == 'variableNotDefined' else 'not used'}",
            {
                "code": code,
                "variableName": match["var"],
            },
        )

    return translate


def _known_type_names(error: GraphQLError, index: DocumentIndex) -> Translated:
    match = re.match(r"Unknown type '(?P<type>[^']+)'", error.message)
    type_name = match["type"] if match else "?"
    context = index.context(error.nodes[0] if error.nodes else None)
    if context is not None and context.variable is not None:
        return (
            f"{type_name} isn't a defined input type (on ${context.variable})",
            {"code": "variableRequiresValidType", "typeName": type_name, "variableName": context.variable},
        )
    return f"No such type {type_name}, so it can't be a fragment condition", {
        "code": "undefinedType",
        "typeName": type_name,
    }


def _possible_fragment_spreads(error: GraphQLError, _index: DocumentIndex) -> Translated:
    match = re.match(
        r"Fragment (?:'(?P<name>[^']+)' )?cannot be spread here as objects of type '(?P<parent>[^']+)' "
        r"can never be of type '(?P<type>[^']+)'",
        error.message,
    )
    if match is None:
        return error.message, {"code": "cannotSpreadFragment"}
    label = f"{match['name']} on {match['type']}" if match["name"] else f"on {match['type']}"
    return (
        f"Fragment {label} can't be spread inside {match['parent']}",
        {
            "code": "cannotSpreadFragment",
            "typeName": match["type"],
            "fragmentName": match["name"] or "unknown",
            "parentName": match["parent"],
        },
    )


def _rewrite(pattern: str, template: str, code: str) -> Callable[[GraphQLError, DocumentIndex], Translated]:
    def translate(error: GraphQLError, _index: DocumentIndex) -> Translated:
        match = re.match(pattern, error.message)
        return (template.format(**match.groupdict()) if match else error.message), {"code": code}

    return translate


_TRANSLATORS: dict[str, Callable[[GraphQLError, DocumentIndex], Translated]] = {
    "FieldsOnCorrectTypeRule": _fields_on_correct_type,
    "KnownArgumentNamesRule": _known_argument_names,
    "ValuesOfCorrectTypeRule": _values_of_correct_type,
    "ScalarLeafsRule": _scalar_leafs,
    "VariablesInAllowedPositionRule": _variables_in_allowed_position,
    "NoUndefinedVariablesRule": _variable_usage("used by", "variableNotDefined"),
    "NoUnusedVariablesRule": _variable_usage("declared by", "variableNotUsed"),
    "KnownTypeNamesRule": _known_type_names,
    "PossibleFragmentSpreadsRule": _possible_fragment_spreads,
    "VariablesAreInputTypesRule": _rewrite(
        r"Variable '\$(?P<var>[^']+)' cannot be non-input type '(?P<type>[^']+)'",
        "{type} isn't a valid input type (on ${var})",
        "variableRequiresValidType",
    ),
    "FragmentsOnCompositeTypesRule": _rewrite(
        r".*non composite type '(?P<type>[^']+)'",
        "Invalid fragment on type {type} (must be Union, Interface or Object)",
        "fragmentOnNonCompositeType",
    ),
    "KnownFragmentNamesRule": _rewrite(
        r"Unknown fragment '(?P<name>[^']+)'", "Fragment {name} was used, but not defined", "useAndDefineFragment"
    ),
    "NoUnusedFragmentsRule": _rewrite(
        r"Fragment '(?P<name>[^']+)' is never used", "Fragment {name} was defined, but not used", "useAndDefineFragment"
    ),
    "UniqueFragmentNamesRule": _rewrite(
        r".*fragment named '(?P<name>[^']+)'", 'Fragment name "{name}" must be unique', "fragmentNotUnique"
    ),
    "KnownDirectivesRule": _rewrite(
        r"Unknown directive '@(?P<name>[^']+)'", "Directive @{name} is not defined", "undefinedDirective"
    ),
    "UniqueOperationNamesRule": _rewrite(
        r".*operation named '(?P<name>[^']+)'", 'Operation name "{name}" must be unique', "uniquelyNamedOperations"
    ),
    "LoneAnonymousOperationRule": _rewrite(
        r".*", "Operation name is required when multiple operations are present", "uniquelyNamedOperations"
    ),
    "UniqueArgumentNamesRule": _rewrite(
        r".*argument named '(?P<name>[^']+)'", 'There can be only one argument named "{name}"', "argumentNotUnique"
    ),
    "UniqueVariableNamesRule": _rewrite(
        r".*variable named '\$(?P<name>[^']+)'", 'There can only be one variable named "{name}"', "variableNotUnique"
    ),
    "OverlappingFieldsCanBeMergedRule": _rewrite(
        r"Fields '(?P<name>[^']+)' conflict because (?P<reason>.*)",
        "Field '{name}' has a field conflict: {reason}",
        "fieldConflict",
    ),
    "KnownOperationTypesRule": _rewrite(
        r"The (?P<operation>\w+) operation is not supported",
        "Schema is not configured for {operation}s",
        "missingSubscriptionConfiguration",
    ),
}
