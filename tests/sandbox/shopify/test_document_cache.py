"""Documents are parsed and validated once per text and version; every reply is what a fresh parse would give."""

from __future__ import annotations

from sandbox.shopify.document_cache import DocumentCache
from sandbox.shopify.schema import sandbox_schema

ORDER = 'query { order(id: "gid://shopify/Order/1") { id name } }'
BROKEN = "query { order(id: $missing) { id } }"  # an undefined variable: a validation error
UNPARSABLE = "query { order("


def test_the_same_document_is_parsed_once_and_answered_the_same(shopify):
    first = shopify.graphql(ORDER)
    second = shopify.graphql(ORDER)
    assert first["data"] == second["data"] == {"order": {"id": "gid://shopify/Order/1", "name": "#1001"}}
    assert (shopify.app.documents.misses, shopify.app.documents.hits) == (1, 1)


def test_a_refused_document_is_refused_the_same_way_every_time(shopify):
    for text in (BROKEN, UNPARSABLE):
        first, second = shopify.graphql(text), shopify.graphql(text)
        assert "data" not in first and first["errors"] == second["errors"], first
    assert shopify.app.stats["invalid_documents"] == 4
    assert (shopify.app.documents.misses, shopify.app.documents.hits) == (2, 2)


def test_each_reply_gets_its_own_copy_of_the_errors():
    cache = DocumentCache()
    schema = sandbox_schema()
    refusal = cache.prepare(schema, BROKEN).refusal()
    refusal[0]["message"] = "changed by whoever sent the first reply"
    assert cache.prepare(schema, BROKEN).refusal()[0]["message"] != refusal[0]["message"]


def test_documents_are_kept_per_schema_and_the_oldest_goes_first():
    cache = DocumentCache(size=2)
    old, new = sandbox_schema(), sandbox_schema(job_result=True)
    cache.prepare(old, ORDER)
    cache.prepare(new, ORDER)  # another API version: another schema, validated on its own
    assert (cache.misses, cache.hits) == (2, 0)
    cache.prepare(old, ORDER)  # kept; now the newest
    cache.prepare(old, BROKEN)  # a third: `new`'s ORDER is dropped
    cache.prepare(new, ORDER)
    assert (cache.misses, cache.hits) == (4, 1)
