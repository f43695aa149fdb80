"""Read Shopify orders' current state, 250 ids per request, and whether their cancel jobs have run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from include.cancel_sync.shopify.client import ShopifyClient
from include.cancel_sync.shopify.documents import (
    MAX_JOBS_PER_QUERY,
    ORDER_RECHECK_QUERY,
    ORDER_STATES_QUERY,
    jobs_query,
)

NODES_PER_REQUEST = 250


def read_order_states(
    client: ShopifyClient, gids: Iterable[str], with_staff_note: bool = False
) -> dict[str, dict[str, Any]]:
    """GID → order fields; orders Shopify does not know are simply absent."""
    document, per_order = (ORDER_RECHECK_QUERY, 2.0) if with_staff_note else (ORDER_STATES_QUERY, 1.0)
    unique = list(dict.fromkeys(gids))
    states: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), NODES_PER_REQUEST):
        chunk = unique[start : start + NODES_PER_REQUEST]
        data = client.execute(document, {"ids": chunk}, cost=per_order * len(chunk))
        for node in data.get("nodes") or []:
            if node and node.get("id") in chunk:
                states[node["id"]] = node
    return states


def read_jobs(client: ShopifyClient, job_ids: Iterable[str | None]) -> dict[str, bool]:
    """Job id → whether Shopify has run it (`done`), for the ids Shopify knows (unknown ones are absent)."""
    unique = [job_id for job_id in dict.fromkeys(job_ids) if job_id]
    jobs: dict[str, bool] = {}
    for start in range(0, len(unique), MAX_JOBS_PER_QUERY):
        chunk = unique[start : start + MAX_JOBS_PER_QUERY]
        data = client.execute(
            jobs_query(len(chunk)), {f"id{i}": job_id for i, job_id in enumerate(chunk)}, cost=len(chunk)
        )
        for i, job_id in enumerate(chunk):
            job = data.get(f"j{i}") or {}
            if job.get("id") == job_id:
                jobs[job_id] = job.get("done") is True
    return jobs


def read_finished_jobs(client: ShopifyClient, job_ids: Iterable[str | None]) -> set[str]:
    """The ids among `job_ids` of jobs Shopify has run (`done`); unknown ids count as not done."""
    return {job_id for job_id, done in read_jobs(client, job_ids).items() if done}


def read_running_jobs(client: ShopifyClient, job_ids: Iterable[str | None]) -> set[str]:
    """The ids among `job_ids` of jobs Shopify knows and has not run yet."""
    return {job_id for job_id, done in read_jobs(client, job_ids).items() if not done}
