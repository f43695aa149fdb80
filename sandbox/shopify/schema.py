"""The sandbox schemas: schema.graphql (a 2026-01 subset) for older API versions, plus
schema_2026_10.graphql's additions (orderCancel's `jobResult`) from 2026-10; each built once, resolvers bound."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_schema

from sandbox.shopify.resolvers import bind_resolvers

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
JOB_RESULT_PATH = Path(__file__).with_name("schema_2026_10.graphql")
JOB_RESULT_VERSION = "2026-10"  # first stable version with OrderCancelJobResult


@cache
def sandbox_schema(job_result: bool = False) -> GraphQLSchema:
    """The 2026-01 subset; with `job_result`, the 2026-10 one."""
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    if job_result:
        text += "\n" + JOB_RESULT_PATH.read_text(encoding="utf-8")
    schema = build_schema(text)
    bind_resolvers(schema)
    return schema


def schema_for_version(version: str) -> GraphQLSchema:
    """`version` is YYYY-MM (quarterly) or "unstable"; such strings sort in release order."""
    return sandbox_schema(job_result=version == "unstable" or version >= JOB_RESULT_VERSION)
