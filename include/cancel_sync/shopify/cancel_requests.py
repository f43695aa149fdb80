"""Send the cancels of a batch: one `orderCancel` per request, as many at a time as Shopify's bucket pays for
within a round trip (in_flight.py), at most `concurrency`.

The rules of cancel.py hold for every order:
- a request whose reply is lost (AmbiguousMutationError, or any surprise) may have run: the order is
  `accepted` + `ambiguous`, confirmed from Shopify's state, and never re-sent in this try;
- Shopify's user errors refuse the cancel: the order fails (a retry re-checks it first);
- a request Shopify refused before running anything (invalid document, retries exhausted on THROTTLED
  or refused connections) fails its order;
- a reply whose `orderCancel` field errored (GraphQL errors beside data) is in doubt like a lost one;
- from Admin API 2026-10 the reply carries the cancel's own result: a FAILED one fails the order at once
  with Shopify's errors. An endpoint that refuses that field (validation runs before anything does) is
  asked again without it, and not asked for it again.

`before_send(outcome)` runs before an order's request leaves (the ledger's claim): when it returns False,
nothing is sent for that order (it has set the order's outcome); if it raises, nothing is sent for that order
either and the error propagates, once every other order has had its turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from include.cancel_sync.errors import AmbiguousMutationError, ShopifyError, SyncError
from include.cancel_sync.records import OrderOutcome, Outcome
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.client import ShopifyClient, ShopifyPartialError
from include.cancel_sync.shopify.documents import (
    JOB_RESULT_SINCE,
    ORDER_CANCEL_MUTATION,
    ORDER_CANCEL_MUTATION_WITH_RESULT,
)
from include.cancel_sync.shopify.in_flight import InFlightWindow

log = logging.getLogger(__name__)

MUTATION_COST = 10.0  # points per orderCancel


def send_cancels(
    client: ShopifyClient,
    settings: SyncSettings,
    outcomes: list[OrderOutcome],
    staff_note: Callable[[str, int], str],
    concurrency: int,
    before_send: Callable[[OrderOutcome], bool] | None = None,
) -> None:
    """Cancel every order of `outcomes` (already re-checked); each gets `outcome` accepted/failed and `detail`.
    This thread hands the orders out in turn as the window admits them; `concurrency` threads send."""
    if not outcomes:
        return
    window = InFlightWindow.for_client(client, MUTATION_COST, concurrency)

    def send(outcome: OrderOutcome) -> None:
        try:
            if before_send is None or before_send(outcome):
                send_one(client, settings, outcome, staff_note)
        finally:
            window.release()

    sends: list[Future] = []
    with ThreadPoolExecutor(max(1, min(concurrency, len(outcomes))), thread_name_prefix="cancel") as pool:
        for outcome in outcomes:
            window.acquire()
            sends.append(pool.submit(send, outcome))
    client.stats["peak_in_flight"] = max(client.stats.get("peak_in_flight", 0), window.peak)
    for sent in sends:
        sent.result()  # the first error raised, now that every order has had its turn


def cancel_variables(settings: SyncSettings, outcome: OrderOutcome, staff_note: Callable[[str, int], str]) -> dict:
    return {
        "orderId": outcome["gid"],
        "reason": settings.reason,
        "restock": settings.restock,
        "notifyCustomer": settings.notify_customer,
        "refundMethod": {"originalPaymentMethodsRefund": bool(outcome["refund"])},
        "staffNote": staff_note(outcome["tranid"], outcome["id"]),
    }


def send_one(
    client: ShopifyClient, settings: SyncSettings, outcome: OrderOutcome, staff_note: Callable[[str, int], str]
) -> None:
    """One request for one order; the order leaves with its own outcome."""
    variables = cancel_variables(settings, outcome, staff_note)
    try:
        data = _execute_cancel(client, variables)
    except ShopifyPartialError as exc:  # the document ran and the field failed: its payload decides
        data = exc.data
        log.warning("Shopify answered the cancel of %s with errors: %s", outcome["gid"], exc)
    except AmbiguousMutationError as exc:
        outcome.update(
            outcome=Outcome.ACCEPTED, detail=f"reply lost ({exc}); confirming from order state", ambiguous=True
        )
        return
    except SyncError as exc:  # refused before anything ran
        outcome.update(outcome=Outcome.FAILED, detail=str(exc))
        return
    except Exception as exc:  # a surprise must not sink the batch; the state re-read decides
        log.exception("Unexpected error cancelling %s", outcome["gid"])
        outcome.update(outcome=Outcome.ACCEPTED, detail=f"unexpected {type(exc).__name__}; confirming", ambiguous=True)
        return
    _apply_payload(outcome, (data or {}).get("orderCancel"))


def _execute_cancel(client: ShopifyClient, variables: dict[str, Any]) -> dict[str, Any]:
    if not asks_job_result(client):
        return client.execute(ORDER_CANCEL_MUTATION, variables, mutation=True, cost=MUTATION_COST)
    try:
        return client.execute(ORDER_CANCEL_MUTATION_WITH_RESULT, variables, mutation=True, cost=MUTATION_COST)
    except ShopifyPartialError:
        raise
    except ShopifyError as exc:
        if "jobResult" not in str(exc):
            raise
    log.warning("Shopify %s has no orderCancel jobResult; cancelling without it", client.api_version)
    client.cancel_job_result = False
    return client.execute(ORDER_CANCEL_MUTATION, variables, mutation=True, cost=MUTATION_COST)


def asks_job_result(client: ShopifyClient) -> bool:
    if client.cancel_job_result is None:
        version = client.api_version
        client.cancel_job_result = version == "unstable" or version >= JOB_RESULT_SINCE
    return client.cancel_job_result


def _apply_payload(outcome: OrderOutcome, payload: dict[str, Any] | None) -> None:
    if not isinstance(payload, dict):
        outcome.update(
            outcome=Outcome.ACCEPTED,
            detail="Shopify answered this cancel without a payload; confirming from order state",
            ambiguous=True,
        )
        return
    errors = payload.get("orderCancelUserErrors") or []
    if errors:
        text = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
        outcome.update(outcome=Outcome.FAILED, detail=f"Shopify refused the cancel: {text}", user_errors=errors)
        return
    job, result = payload.get("job") or {}, payload.get("jobResult") or {}
    if result.get("status") == "FAILED":
        text = (
            "; ".join(f"{e.get('code')}: {e.get('message')}" for e in result.get("errors") or []) or "no reason given"
        )
        outcome.update(outcome=Outcome.FAILED, detail=f"Shopify's cancel failed: {text}", job_id=job.get("id"))
        return
    outcome.update(outcome=Outcome.ACCEPTED, detail="cancel accepted", job_id=job.get("id"))
