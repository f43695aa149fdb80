"""Read the Shopify order id a NetSuite order holds in its link field."""

from __future__ import annotations

import re
from dataclasses import dataclass

ORDER_GID_PREFIX = "gid://shopify/Order/"
_NUMERIC = re.compile(r"^[0-9]{1,19}$")
_ANY_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(.+)$")


@dataclass(frozen=True)
class ParsedLink:
    gid: str | None
    problem: str | None  # why the link cannot be used; None when gid is set


def parse_shopify_link(raw: str | None) -> ParsedLink:
    """Accept a numeric order id or an Order GID; explain anything else."""
    if raw is None or not raw.strip():
        return ParsedLink(None, "link field is empty")
    text = raw.strip()
    if _NUMERIC.match(text):
        return _from_number(text, raw)
    match = _ANY_GID.match(text)
    if match:
        kind, rest = match.groups()
        if kind != "Order":
            return ParsedLink(None, f"link is a Shopify {kind} id, not an Order id: {raw!r}")
        if _NUMERIC.match(rest):
            return _from_number(rest, raw)
    return ParsedLink(
        None, f"link is not a Shopify order id (expected digits or gid://shopify/Order/<digits>): {raw!r}"
    )


def _from_number(digits: str, raw: str) -> ParsedLink:
    number = int(digits)
    if number <= 0:
        return ParsedLink(None, f"link is not a positive Shopify order id: {raw!r}")
    return ParsedLink(f"{ORDER_GID_PREFIX}{number}", None)
