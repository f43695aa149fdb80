"""One GraphQL request, start to finish, the way Shopify's Admin API treats it.

parse → validate (both kept per document text: document_cache.py) → pick the operation → coerce variables → input limits → requested cost
(> 1000: MAX_COST_EXCEEDED) → reserve points (short: THROTTLED) → execute under the store lock →
actual cost, unused points returned → reply with `extensions.cost`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, execute_sync

from sandbox.shopify.cost import MAX_QUERY_COST, CostCalculator
from sandbox.shopify.document_cache import DocumentCache
from sandbox.shopify.limits import oversized_inputs
from sandbox.shopify.records import Stats
from sandbox.shopify.replies import cost_extension, max_cost_body, throttled_body
from sandbox.shopify.resolvers import RequestContext
from sandbox.shopify.selections import SelectionCollector
from sandbox.shopify.store import OrderStore
from sandbox.shopify.throttle import LeakyBucket
from sandbox.shopify.variables import coerce_variables


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any]
    operation_name: str | None


class Executor:
    def __init__(
        self, schema: GraphQLSchema, store: OrderStore, stats: Stats, documents: DocumentCache | None = None
    ) -> None:
        self.schema = schema
        self.store = store
        self.stats = stats
        self.documents = documents or DocumentCache()

    def run(self, request: GraphQLRequest, bucket: LeakyBucket) -> dict[str, Any]:
        """The JSON body of the reply (always HTTP 200, as Shopify answers GraphQL-level problems)."""
        self.store.complete_due_jobs()
        prepared = self.documents.prepare(self.schema, request.query)
        document = prepared.document
        if document is None or prepared.errors:
            return self._refused(prepared.refusal(), bucket)
        operation, problem = _select_operation(document, request.operation_name)
        if operation is None:
            return self._refused([{"message": problem}], bucket)
        variables, variable_errors = coerce_variables(self.schema, operation, request.variables)
        if variable_errors:
            return self._refused(variable_errors, bucket)
        oversized = oversized_inputs(document, variables)
        if oversized:
            return self._refused(oversized, bucket)

        costs = CostCalculator(self.schema, SelectionCollector(self.schema, _fragments(document), variables))
        requested = costs.requested(operation)
        if requested > MAX_QUERY_COST:
            self.stats.bump("max_cost_exceeded")
            return max_cost_body(requested, bucket.status())
        reserved, status = bucket.try_reserve(requested)
        if not reserved:
            self.stats.bump("throttled")
            return throttled_body(requested, status)

        context = RequestContext(self.store)
        with self.store.lock:
            result = execute_sync(
                self.schema,
                document,
                context_value=context,
                variable_values=request.variables,
                operation_name=request.operation_name,
            )
        actual = costs.actual(operation, result.data)
        status = bucket.give_back(requested - actual)
        self._count_execution(operation, requested, actual)

        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        body["data"] = result.data
        body["extensions"] = cost_extension(requested, actual, status)
        if context.search_warnings:
            body["extensions"]["search"] = context.search_warnings
        return body

    def _refused(self, errors: list[dict[str, Any]], bucket: LeakyBucket) -> dict[str, Any]:
        """A document Shopify will not run: errors only, nothing charged."""
        self.stats.bump("invalid_documents")
        return {"errors": errors, "extensions": cost_extension(0, 0, bucket.status())}

    def _count_execution(self, operation: OperationDefinitionNode, requested: int, actual: int) -> None:
        self.stats.bump("executed")
        self.stats.bump("points_requested", requested)
        self.stats.bump("points_spent", actual)
        root_fields = [
            selection.name.value for selection in operation.selection_set.selections if selection.kind == "field"
        ]
        self.stats.count_operation(operation.operation.value, root_fields)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _select_operation(document: DocumentNode, name: str | None) -> tuple[OperationDefinitionNode | None, str]:
    operations = [definition for definition in document.definitions if isinstance(definition, OperationDefinitionNode)]
    if name:
        for operation in operations:
            if operation.name and operation.name.value == name:
                return operation, ""
        return None, f'No operation named "{name}"'
    if len(operations) == 1:
        return operations[0], ""
    return None, "An operation name is required"
