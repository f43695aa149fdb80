"""Cancel: re-check each order right before cancelling, cancel, confirm.

Safety rules, in order of importance:
- nothing is sent unless the toggle is on and the run is not a dry run;
- the refund flag comes from the merchant's setting and fresh Shopify state;
- a cancel whose reply was lost is never re-sent in the same try: the order is
  re-read, and if it is still open the order fails so a retry re-checks first;
- an order cancelled with a refund the merchant turned off is reported as failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from include.cancel_sync.classes import ALREADY_CANCELLED, CANCELLED, FAILED, TO_CANCEL, WOULD_CANCEL
from include.cancel_sync.decide import decide
from include.cancel_sync.errors import AmbiguousMutationError, SyncError
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify_client import ShopifyClient
from include.cancel_sync.shopify_documents import ORDER_CANCEL_MUTATION
from include.cancel_sync.shopify_state import read_order_states

log = logging.getLogger(__name__)

STAFF_NOTE_LIMIT = 255
MUTATION_COST = 10.0


def staff_note(tranid: str, netsuite_id: int) -> str:
    prefix = "Canceled in NetSuite: sales order "
    suffix = f" (internal id {netsuite_id}), by netsuite_shopify_cancel_sync"
    room = STAFF_NOTE_LIMIT - len(prefix) - len(suffix)
    name = tranid if len(tranid) <= room else tranid[: room - 1] + "…"
    return prefix + name + suffix


def cancel_batch(
    client: ShopifyClient,
    settings: SyncSettings,
    decisions: list[dict[str, Any]],
    concurrency: int = 4,
    confirm_timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Return one outcome per decision (the decision plus `outcome` and `detail`)."""
    outcomes = [dict(decision, outcome=decision["decision"], detail=decision["reason"]) for decision in decisions]
    wanted = [o for o in outcomes if o["decision"] == TO_CANCEL]
    if not wanted:
        return outcomes
    if not settings.may_cancel:
        why = "dry run" if settings.dry_run else "cancel sync is off (netsuite_shopify_cancel_enabled)"
        for outcome in wanted:
            outcome.update(
                outcome=WOULD_CANCEL, detail=f"would cancel{' with refund' if outcome['refund'] else ''}; {why}"
            )
        return outcomes
    # Re-check right before acting: the order may have changed since the compare step.
    states = read_order_states(client, [o["gid"] for o in wanted], with_staff_note=True)
    fresh = {d["id"]: d for d in decide(wanted, states, settings.prevent_refund)}
    to_send = []
    for outcome in wanted:
        recheck = fresh[outcome["id"]]
        outcome.update(recheck, outcome=recheck["decision"], detail=recheck["reason"])
        if recheck["decision"] == TO_CANCEL:
            to_send.append(outcome)
        elif recheck["decision"] == ALREADY_CANCELLED and _cancelled_by_us(states[outcome["gid"]], outcome):
            # An earlier try of this run sent it (and was cut short): report it as ours, send nothing.
            state = states[outcome["gid"]]
            outcome.update(
                outcome=CANCELLED,
                refund=state.get("displayFinancialStatus") == "REFUNDED",
                detail=f"cancelled by an earlier try at {state['cancelledAt']}",
            )
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="cancel") as pool:
        list(pool.map(lambda outcome: _send_cancel(client, settings, outcome), to_send))
    _confirm(client, settings, [o for o in to_send if o["outcome"] == "accepted"], confirm_timeout, sleep)
    return outcomes


def _cancelled_by_us(state: dict[str, Any], outcome: dict[str, Any]) -> bool:
    note = ((state.get("cancellation") or {}).get("staffNote")) or ""
    return note == staff_note(outcome["tranid"], outcome["id"])


def _send_cancel(client: ShopifyClient, settings: SyncSettings, outcome: dict[str, Any]) -> None:
    variables = {
        "orderId": outcome["gid"],
        "reason": settings.reason,
        "restock": settings.restock,
        "notifyCustomer": settings.notify_customer,
        "refundMethod": {"originalPaymentMethodsRefund": bool(outcome["refund"])},
        "staffNote": staff_note(outcome["tranid"], outcome["id"]),
    }
    try:
        data = client.execute(ORDER_CANCEL_MUTATION, variables, mutation=True, cost=MUTATION_COST)
    except AmbiguousMutationError as exc:
        outcome.update(outcome="accepted", detail=f"reply lost ({exc}); confirming from order state", ambiguous=True)
        return
    except SyncError as exc:
        outcome.update(outcome=FAILED, detail=str(exc))
        return
    except Exception as exc:  # one order's surprise must not sink its batch; the state re-read decides
        log.exception("Unexpected error cancelling %s", outcome["gid"])
        outcome.update(outcome="accepted", detail=f"unexpected {type(exc).__name__}; confirming", ambiguous=True)
        return
    payload = data.get("orderCancel") or {}
    errors = payload.get("orderCancelUserErrors") or []
    if errors:
        text = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
        outcome.update(outcome=FAILED, detail=f"Shopify refused the cancel: {text}", user_errors=errors)
        return
    job = payload.get("job") or {}
    outcome.update(outcome="accepted", detail="cancel accepted", job_id=job.get("id"))


def _confirm(
    client: ShopifyClient,
    settings: SyncSettings,
    accepted: list[dict[str, Any]],
    timeout: float,
    sleep: Callable[[float], None],
) -> None:
    """Wait until Shopify shows every accepted cancel as done (cancelledAt set)."""
    pending = {o["gid"]: o for o in accepted}
    deadline = time.monotonic() + timeout
    delay = 0.2
    while pending:
        states = read_order_states(client, list(pending))
        for gid, state in states.items():
            if state.get("cancelledAt"):
                _finish(pending.pop(gid), state, settings)
        gone = [gid for gid in pending if gid not in states]
        for gid in gone:
            pending.pop(gid).update(outcome=FAILED, detail="order disappeared from Shopify while being cancelled")
        if not pending:
            return
        if time.monotonic() >= deadline:
            break
        sleep(delay)
        delay = min(delay * 2, 5.0)
    for outcome in pending.values():
        if outcome.get("ambiguous"):
            detail = "the cancel's reply was lost and Shopify still shows the order open; a retry re-checks it"
        else:
            detail = f"Shopify accepted the cancel but did not finish it within {timeout:.0f}s; a retry re-checks it"
        outcome.update(outcome=FAILED, detail=detail)


def _finish(outcome: dict[str, Any], state: dict[str, Any], settings: SyncSettings) -> None:
    financial = state.get("displayFinancialStatus")
    outcome["financial_status_after"] = financial
    if settings.prevent_refund and financial == "REFUNDED" and outcome.get("financial_status") != "REFUNDED":
        outcome.update(outcome=FAILED, detail="cancelled, but Shopify refunded it although prevent-refund is on")
        log.error("Order %s was refunded against the prevent-refund setting", outcome["gid"])
        return
    refunded = " with refund" if outcome["refund"] else " without refund"
    outcome.update(outcome=CANCELLED, detail=f"cancelled{refunded} at {state['cancelledAt']}")
