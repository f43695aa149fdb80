"""Resolvers binding the sandbox schema to the order store (the store travels in `info.context`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema

from sandbox.shopify.cancellation import request_cancel
from sandbox.shopify.gid import order_number_from_gid, parse_gid
from sandbox.shopify.money import money_bag
from sandbox.shopify.paging import MAX_PAGE_SIZE, InvalidCursorError, paginate
from sandbox.shopify.search import SearchSyntaxError, compile_search
from sandbox.shopify.store import OrderStore, StoredOrder
from sandbox.shopify.timestamps import iso


@dataclass
class RequestContext:
    store: OrderStore
    search_warnings: list[dict[str, Any]] = field(default_factory=list)  # → extensions.search


def _order(info: GraphQLResolveInfo, gid: str) -> StoredOrder | None:
    number = order_number_from_gid(gid)
    return info.context.store.get(number) if number is not None else None


def resolve_node(_root: Any, info: GraphQLResolveInfo, id: str) -> StoredOrder | None:
    return _order(info, id)


def resolve_nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[StoredOrder | None]:
    return [_order(info, gid) for gid in ids]


def resolve_orders(_root: Any, info: GraphQLResolveInfo, **arguments: Any) -> dict[str, Any]:
    first, last = arguments.get("first"), arguments.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, size in (("first", first), ("last", last)):
        # UNVERIFIED wording; Shopify documents the 250 limit, not its error text.
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise GraphQLError(f"The `{name}` argument must be between 0 and {MAX_PAGE_SIZE}, got {size}.")
    query = arguments.get("query")
    try:
        search = compile_search(query)
    except SearchSyntaxError as exc:
        raise GraphQLError(f"Invalid search query: {exc}") from exc
    if search.warnings:
        info.context.search_warnings.append({"path": info.path.as_list(), "query": query, "warnings": search.warnings})
    matches = [order for order in info.context.store.visible_orders() if search.predicate(order)]
    try:
        page = paginate(
            matches,
            arguments.get("sortKey") or "PROCESSED_AT",
            bool(arguments.get("reverse")),
            first,
            arguments.get("after"),
            last,
            arguments.get("before"),
        )
    except InvalidCursorError as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc
    return {
        "edges": [{"cursor": cursor, "node": order} for cursor, order in zip(page.cursors, page.orders, strict=True)],
        "nodes": page.orders,
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.has_previous_page,
            "startCursor": page.cursors[0] if page.cursors else None,
            "endCursor": page.cursors[-1] if page.cursors else None,
        },
    }


def resolve_job(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    parsed = parse_gid(id)
    job = info.context.store.job(id) if parsed and parsed[0] == "Job" else None
    if job is None:
        return None  # UNVERIFIED: what Shopify answers for an unknown or expired job id
    # Job.query resolves only once the job is done; any non-null value stands for QueryRoot.
    return {"id": job.id, "done": job.done, "query": {} if job.done else None}


def resolve_order_cancel(_root: Any, info: GraphQLResolveInfo, **arguments: Any) -> dict[str, Any]:
    supplied = [argument.name.value for argument in info.field_nodes[0].arguments or ()]
    received = {name: arguments[name] for name in supplied if name in arguments}
    return request_cancel(info.context.store, arguments, received)


def _capturable(order: StoredOrder) -> Decimal:
    return order.authorized if order.cancelled_at is None else Decimal("0.00")


ORDER_FIELDS: dict[str, Callable[[StoredOrder], Any]] = {
    "id": lambda order: order.gid,
    "legacyResourceId": lambda order: str(order.id),
    "name": lambda order: order.name,
    "createdAt": lambda order: iso(order.created_at),
    "processedAt": lambda order: iso(order.created_at),
    "updatedAt": lambda order: iso(order.updated_at),
    "cancelledAt": lambda order: iso(order.cancelled_at),
    "cancelReason": lambda order: order.cancel_reason,
    "cancellation": lambda order: {"staffNote": order.staff_note} if order.cancelled_at else None,
    "closed": lambda order: order.closed,
    "closedAt": lambda order: iso(order.closed_at),
    "test": lambda order: order.test,
    "tags": lambda order: list(order.tags),
    "note": lambda order: None,
    "email": lambda order: None,
    "currencyCode": lambda order: order.currency,
    "presentmentCurrencyCode": lambda order: order.currency,
    "displayFinancialStatus": lambda order: order.financial_status,
    "displayFulfillmentStatus": lambda order: order.fulfillment_status,
    "returnStatus": lambda order: order.return_status,
    "totalPriceSet": lambda order: money_bag(order.total, order.currency),
    "originalTotalPriceSet": lambda order: money_bag(order.total, order.currency),
    # UNVERIFIED whether Shopify also zeroes the current total of a cancelled, unrefunded order.
    "currentTotalPriceSet": lambda order: money_bag(order.total - order.refunded, order.currency),
    "totalRefundedSet": lambda order: money_bag(order.refunded, order.currency),
    "totalReceivedSet": lambda order: money_bag(order.received, order.currency),
    "netPaymentSet": lambda order: money_bag(order.received - order.refunded, order.currency),
    "totalCapturableSet": lambda order: money_bag(_capturable(order), order.currency),
}

ROOT_RESOLVERS = {
    ("QueryRoot", "node"): resolve_node,
    ("QueryRoot", "nodes"): resolve_nodes,
    ("QueryRoot", "order"): resolve_node,  # node() already returns only orders
    ("QueryRoot", "orders"): resolve_orders,
    ("QueryRoot", "job"): resolve_job,
    ("Mutation", "orderCancel"): resolve_order_cancel,
}


def bind_resolvers(schema: GraphQLSchema) -> None:
    for (type_name, field_name), resolver in ROOT_RESOLVERS.items():
        schema.type_map[type_name].fields[field_name].resolve = resolver
    order_type = schema.type_map["Order"]
    for field_name, read in ORDER_FIELDS.items():
        order_type.fields[field_name].resolve = _order_field(read)
    missing = set(order_type.fields) - set(ORDER_FIELDS)
    if missing:
        raise RuntimeError(f"Order fields without a resolver: {sorted(missing)}")
    schema.type_map["Node"].resolve_type = lambda value, _info, _type: "Order"
    if "JobResult" in schema.type_map:  # 2026-10 and later
        schema.type_map["JobResult"].resolve_type = lambda value, _info, _type: "OrderCancelJobResult"


def _order_field(read: Callable[[StoredOrder], Any]) -> Callable[..., Any]:
    def resolve(order: StoredOrder, _info: GraphQLResolveInfo) -> Any:
        return read(order)

    return resolve
