"""Syntax errors worded like graphql-ruby's parser: `Parse error on "}" (RCURLY) at [1, 10]`."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLSyntaxError

_PUNCTUATORS = {
    "{": "LCURLY",
    "}": "RCURLY",
    "(": "LPAREN",
    ")": "RPAREN",
    "[": "LBRACKET",
    "]": "RBRACKET",
    ":": "COLON",
    "!": "BANG",
    "$": "VAR_SIGN",
    "=": "EQUALS",
    "@": "DIR_SIGN",
    "|": "PIPE",
    "&": "AMP",
}
_KEYWORDS = {"query", "mutation", "subscription", "fragment", "on", "true", "false", "null"}
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_NUMBER = re.compile(r"-?\d+(?P<fraction>\.\d+)?(?:[eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?')


def parse_error(error: GraphQLSyntaxError) -> dict[str, Any]:
    location = error.locations[0] if error.locations else None
    body = error.source.body if error.source else ""
    position = error.positions[0] if error.positions else len(body)
    token = _token_at(body, position)
    if token is None or location is None:
        return {"message": "Unexpected end of document", "locations": []}
    text, kind = token
    return {
        "message": f'Parse error on "{text}" ({kind}) at [{location.line}, {location.column}]',
        "locations": [{"line": location.line, "column": location.column}],
    }


def _token_at(body: str, position: int) -> tuple[str, str] | None:
    if position >= len(body):
        return None
    char = body[position]
    if body.startswith("...", position):
        return "...", "ELLIPSIS"
    if char in _PUNCTUATORS:
        return char, _PUNCTUATORS[char]
    if name := _NAME.match(body, position):
        word = name.group()
        return word, word.upper() if word in _KEYWORDS else "IDENTIFIER"
    if number := _NUMBER.match(body, position):
        return number.group(), "FLOAT" if number["fraction"] else "INT"
    if string := _STRING.match(body, position):
        return string.group(), "STRING"
    return char, "UNKNOWN_CHAR"
