"""Send the cancels of a batch: several orders per request (aliased `orderCancel`), a few requests at a time.

Shopify charges each `orderCancel` 10 points however they are sent, so grouping saves round trips
(and with them the time a batch needs at a given concurrency), not points. The rules of cancel.py
hold for every order of a group:

- a request whose reply is lost (AmbiguousMutationError, or any surprise) may have run any of its
  cancels: every order in it is `accepted` + `ambiguous`, confirmed from Shopify's state, and never
  re-sent in this try;
- a reply with data answers order i under alias `c{i}`: its user errors go to that order only, and an
  alias that came back empty (a field error) is ambiguous for that order alone;
- a request Shopify refused before running anything (invalid document, retries exhausted on
  THROTTLED or refused connections) fails its orders, so a retry re-checks them first.

cancel_batch sends one order per request unless told otherwise (`cancels_per_request`); None groups
by batch size (`cancels_per_request()` below).

`before_send(group)` runs before a group's request leaves (the ledger's intents: if it raises, nothing
is sent), `after_reply(group)` once its orders carry their reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from include.cancel_sync.errors import AmbiguousMutationError, SyncError
from include.cancel_sync.records import FAILED
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.client import ShopifyClient, ShopifyPartialError
from include.cancel_sync.shopify.documents import MAX_CANCELS_PER_REQUEST, order_cancel_mutation

log = logging.getLogger(__name__)

MUTATION_COST = 10.0  # points per orderCancel field
CANCELS_PER_REQUEST = 10  # at most, per request: 100 points
ROUNDS = 4  # a batch is grouped only as much as needed to go out in about this many rounds of requests

Group = list[dict[str, Any]]


def send_cancels(
    client: ShopifyClient,
    settings: SyncSettings,
    outcomes: list[dict[str, Any]],
    staff_note: Callable[[str, int], str],
    concurrency: int,
    per_request: int | None = None,
    before_send: Callable[[Group], None] | None = None,
    after_reply: Callable[[Group], None] | None = None,
) -> None:
    """Cancel every order of `outcomes` (already re-checked); each gets `outcome` accepted/failed and `detail`.

    `per_request` None: `cancels_per_request(len(outcomes), concurrency)`."""
    if per_request is None:
        per_request = cancels_per_request(len(outcomes), concurrency)
    per_request = max(1, min(per_request, MAX_CANCELS_PER_REQUEST))
    groups = [outcomes[start : start + per_request] for start in range(0, len(outcomes), per_request)]

    def send(group: Group) -> None:
        if before_send:
            before_send(group)
        send_group(client, settings, group, staff_note)
        if after_reply:
            after_reply(group)

    if not groups:
        return
    with ThreadPoolExecutor(max(1, min(concurrency, len(groups))), thread_name_prefix="cancel") as pool:
        list(pool.map(send, groups))


def cancels_per_request(orders: int, concurrency: int) -> int:
    """One order per request while `concurrency` requests send the batch in ROUNDS rounds or fewer (a lost
    reply then leaves one order in doubt); bigger batches group up to CANCELS_PER_REQUEST orders."""
    return max(1, min(CANCELS_PER_REQUEST, -(-orders // (max(1, concurrency) * ROUNDS))))


def group_variables(settings: SyncSettings, group: Group, staff_note: Callable[[str, int], str]) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "reason": settings.reason,
        "restock": settings.restock,
        "notifyCustomer": settings.notify_customer,
    }
    for i, outcome in enumerate(group):
        variables[f"orderId{i}"] = outcome["gid"]
        variables[f"refundMethod{i}"] = {"originalPaymentMethodsRefund": bool(outcome["refund"])}
        variables[f"staffNote{i}"] = staff_note(outcome["tranid"], outcome["id"])
    return variables


def send_group(client: ShopifyClient, settings: SyncSettings, group: Group, staff_note: Callable[[str, int], str]):
    """One request for the whole group; every order of it leaves with its own outcome."""
    document = order_cancel_mutation(len(group))
    variables = group_variables(settings, group, staff_note)
    try:
        data = client.execute(document, variables, mutation=True, cost=MUTATION_COST * len(group))
    except ShopifyPartialError as exc:  # some fields ran: read them one by one below
        data = exc.data
        log.warning("Shopify answered %d cancels with errors: %s", len(group), exc)
    except AmbiguousMutationError as exc:
        for outcome in group:
            outcome.update(
                outcome="accepted", detail=f"reply lost ({exc}); confirming from order state", ambiguous=True
            )
        return
    except SyncError as exc:  # refused before anything ran
        for outcome in group:
            outcome.update(outcome=FAILED, detail=str(exc))
        return
    except Exception as exc:  # a surprise must not sink the batch; the state re-read decides
        log.exception("Unexpected error cancelling %s", ", ".join(o["gid"] for o in group))
        for outcome in group:
            outcome.update(outcome="accepted", detail=f"unexpected {type(exc).__name__}; confirming", ambiguous=True)
        return
    for i, outcome in enumerate(group):
        _apply_payload(outcome, (data or {}).get(f"c{i}"))


def _apply_payload(outcome: dict[str, Any], payload: dict[str, Any] | None) -> None:
    if not isinstance(payload, dict):
        outcome.update(
            outcome="accepted",
            detail="Shopify answered this cancel with an error; confirming from order state",
            ambiguous=True,
        )
        return
    errors = payload.get("orderCancelUserErrors") or []
    if errors:
        text = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
        outcome.update(outcome=FAILED, detail=f"Shopify refused the cancel: {text}", user_errors=errors)
        return
    job = payload.get("job") or {}
    outcome.update(outcome="accepted", detail="cancel accepted", job_id=job.get("id"))
