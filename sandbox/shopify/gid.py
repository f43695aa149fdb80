"""Shopify global ids: `gid://shopify/<Type>/<id>`."""

from __future__ import annotations

import re

# Shopify parses any `gid://<app>/<Model>/<id>` (optionally with ?params); the id part may be any text.
_GID = re.compile(r"^gid://(?P<app>[^/\s]+)/(?P<model>[A-Za-z][A-Za-z0-9]*)/(?P<key>[^/\s?]+)(?:\?\S*)?$")


def is_valid_gid(value: object) -> bool:
    return isinstance(value, str) and _GID.match(value) is not None


def parse_gid(value: str) -> tuple[str, str] | None:
    """(model, key) of a valid GID, or None."""
    match = _GID.match(value)
    if match is None:
        return None
    return match["model"], match["key"]


def order_number_from_gid(value: str) -> int | None:
    """The numeric order id a GID names, or None when it names something else."""
    parsed = parse_gid(value)
    if parsed is None or parsed[0] != "Order" or not parsed[1].isdigit():
        return None
    return int(parsed[1])


def order_gid(order_id: int) -> str:
    return f"gid://shopify/Order/{order_id}"


def job_gid(key: str) -> str:
    return f"gid://shopify/Job/{key}"


def invalid_gid_message(value: object) -> str:
    return f"Invalid global id `{value}`"
