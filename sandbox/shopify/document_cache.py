"""Documents parsed and validated once per text and schema, as GraphQL servers keep them: a client sends the
same few documents over and over with new variables, so only the first of each pays for parsing and
validation (about 85% of a small mutation's time in this sandbox, graphql-core's validation walking the
whole document per rule).

Nothing Shopify documents depends on it: a cached document gets the very reply a fresh one would (its
errors are copied out, never shared), only faster.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, GraphQLSyntaxError, parse

from sandbox.shopify.document_index import DocumentIndex
from sandbox.shopify.error_translation import translate_validation_errors
from sandbox.shopify.parse_errors import parse_error
from sandbox.shopify.validation import validate_document

MAX_DOCUMENTS = 256  # distinct (schema, text) pairs kept; a sync sends fewer than ten


@dataclass(frozen=True)
class PreparedDocument:
    document: DocumentNode | None  # None when the text does not parse
    errors: tuple[dict[str, Any], ...]  # parse or validation errors, worded as Shopify does; () when valid

    def refusal(self) -> list[dict[str, Any]]:
        """The errors for one reply (a copy: replies never share them)."""
        return copy.deepcopy(list(self.errors))


class DocumentCache:
    def __init__(self, size: int = MAX_DOCUMENTS) -> None:
        self._size = size
        self._documents: OrderedDict[tuple[int, str], PreparedDocument] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def prepare(self, schema: GraphQLSchema, text: str) -> PreparedDocument:
        key = (id(schema), text)  # schemas are built once per version and live as long as the process
        with self._lock:
            prepared = self._documents.get(key)
            if prepared is not None:
                self._documents.move_to_end(key)
                self.hits += 1
                return prepared
            self.misses += 1
        prepared = _prepare(schema, text)
        with self._lock:
            self._documents[key] = prepared
            if len(self._documents) > self._size:
                self._documents.popitem(last=False)
        return prepared


def _prepare(schema: GraphQLSchema, text: str) -> PreparedDocument:
    try:
        document = parse(text)
    except GraphQLSyntaxError as error:
        return PreparedDocument(None, (parse_error(error),))
    errors = validate_document(schema, document)
    if errors:
        return PreparedDocument(document, tuple(translate_validation_errors(errors, DocumentIndex(schema, document))))
    return PreparedDocument(document, ())
