"""The sandbox schema: schema.graphql built once per process, with resolvers bound."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_schema

from sandbox.shopify.resolvers import bind_resolvers

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")


@cache
def sandbox_schema() -> GraphQLSchema:
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    bind_resolvers(schema)
    return schema
