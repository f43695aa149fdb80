"""Cancel: re-check each order right before cancelling, cancel, confirm.

Safety rules, in order of importance:
- nothing is sent unless the toggle is on and the run is not a dry run;
- right before sending, Shopify's state and every NetSuite order linking the Shopify order are read
  again, and the decision is taken again on them;
- one cancel per Shopify order, however many canceled NetSuite orders link it;
- the refund flag comes from the merchant's setting and fresh Shopify state;
- a cancel whose reply was lost is never re-sent in the same try: the order is
  re-read, and if it is still open the order fails so a retry re-checks first;
- a cancel Shopify accepted but whose job ended with the order still open fails at once;
- an order cancelled with a refund the merchant turned off is reported as failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from include.cancel_sync.claims import mark_cancelled_elsewhere, split_claims, wait_for_other_runs
from include.cancel_sync.decide import decide
from include.cancel_sync.ledger import Holder, Ledger, RunKey, ledger_detail
from include.cancel_sync.netsuite.linked_orders import LinkedOrder
from include.cancel_sync.records import Decision, OrderDecision, OrderOutcome, Outcome, outcome_of
from include.cancel_sync.settings import SyncSettings
from include.cancel_sync.shopify.cancel_requests import send_cancels
from include.cancel_sync.shopify.client import ShopifyClient
from include.cancel_sync.shopify.order_states import read_finished_jobs, read_order_states, read_running_jobs
from include.cancel_sync.together import together

log = logging.getLogger(__name__)

ReadLinks = Callable[[list[str]], dict[str, list[LinkedOrder]]]
JOB_ENDED_OPEN = (
    "Shopify accepted the cancel, and its cancel job ended with the order still open (Shopify gave no reason; "
    "see the order's timeline in Shopify); a retry re-checks it"
)

STAFF_NOTE_LIMIT = 255
CONCURRENCY = 250  # the most cancel requests a task keeps in flight (a batch's worth); how many: shopify/in_flight.py


def staff_note(tranid: str, netsuite_id: int) -> str:
    prefix = "Canceled in NetSuite: sales order "
    suffix = f" (internal id {netsuite_id}), by netsuite_shopify_cancel_sync"
    room = STAFF_NOTE_LIMIT - len(prefix) - len(suffix)
    name = tranid if len(tranid) <= room else tranid[: room - 1] + "…"
    return prefix + name + suffix


def cancel_batch(
    client: ShopifyClient,
    settings: SyncSettings,
    decisions: list[OrderDecision],
    concurrency: int = CONCURRENCY,
    confirm_timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    ledger: Ledger | None = None,
    run_key: RunKey | None = None,
    read_links: ReadLinks | None = None,
) -> list[OrderOutcome]:
    """Return one outcome per decision (the decision plus `outcome` and `detail`); record each in the ledger.

    At most `concurrency` cancel requests in flight, one Shopify order each. `read_links(gids)` reads every NetSuite
    sales order linking those Shopify orders for the re-check (netsuite/linked_orders.py)."""
    outcomes: list[OrderOutcome] = [
        {**decision, "outcome": outcome_of(decision["decision"]), "detail": decision["reason"]}
        for decision in decisions
    ]
    wanted = [o for o in outcomes if o["decision"] == Decision.TO_CANCEL]
    sent: list[OrderOutcome] = []
    if wanted and not settings.may_cancel:
        why = "dry run" if settings.dry_run else "cancel sync is off (netsuite_shopify_cancel_enabled)"
        for outcome in wanted:
            refund = " with refund" if outcome["refund"] else ""
            outcome.update(outcome=Outcome.WOULD_CANCEL, detail=f"would cancel{refund}; {why}")
    elif wanted:
        sent = _cancel_wanted(
            client, settings, wanted, concurrency, confirm_timeout, sleep, ledger, run_key, read_links
        )
    if ledger is not None and run_key is not None:
        sent_ids = {id(o) for o in sent}
        ledger.record_outcomes(run_key, [o for o in outcomes if id(o) not in sent_ids], settings)
    return outcomes


def _cancel_wanted(
    client: ShopifyClient,
    settings: SyncSettings,
    wanted: list[OrderOutcome],
    concurrency: int,
    confirm_timeout: float,
    sleep: Callable[[float], None],
    ledger: Ledger | None,
    run_key: RunKey | None,
    read_links: ReadLinks | None,
) -> list[OrderOutcome]:
    """Re-check, send, confirm; returns the outcomes whose cancel was sent (their ledger rows are intents)."""
    # Re-check right before acting: Shopify's order and NetSuite's links may have changed since the compare step.
    gids = [o["gid"] for o in wanted]
    states, links = together(
        lambda: read_order_states(client, gids, with_staff_note=True), lambda: read_links(gids) if read_links else {}
    )
    # Read after Shopify's states: a cancel Shopify shows has its claim in the ledger by then (committed before
    # the request left), open while its run has not recorded the reply yet.
    cancelled_by = ledger.cancelled_or_claimed_by(gids) if ledger is not None else {}
    last_attempts = ledger.last_attempts if ledger is not None and run_key is not None else None
    _apply_recheck(wanted, states, links, settings, cancelled_by, run_key, last_attempts)
    journal = _Journal(ledger, run_key, settings) if ledger is not None and run_key is not None else None
    if journal:
        _respect_claims(client, journal, wanted, confirm_timeout, sleep)
    carriers, riders = _one_per_shopify_order([o for o in wanted if o["outcome"] == Outcome.TO_CANCEL])

    # `concurrency` requests at a time; each order's claim (its intent) is committed before its mutation leaves.
    claim = journal.claim if journal else None
    send_cancels(client, settings, carriers, staff_note, concurrency, before_send=claim)
    _confirm(client, settings, [o for o in carriers if o["outcome"] == Outcome.ACCEPTED], confirm_timeout, sleep)
    if journal:
        journal.attribute_refusals(carriers)
    _share_outcomes(riders, carriers)
    if not journal:
        return []
    journal.finish(carriers)
    return [o for o in carriers if o["id"] in journal.rows]  # those with a claim row (the others get a row below)


def _one_per_shopify_order(ready: list[OrderOutcome]) -> tuple[list[OrderOutcome], list[OrderOutcome]]:
    """The order that carries each Shopify order's cancel (the lowest NetSuite id), and those riding along."""
    carriers: dict[str, OrderOutcome] = {}
    riders: list[OrderOutcome] = []
    for outcome in sorted(ready, key=lambda o: o["id"]):
        if outcome["gid"] in carriers:
            riders.append(outcome)
        else:
            carriers[outcome["gid"]] = outcome
    return list(carriers.values()), riders


def _share_outcomes(riders: list[OrderOutcome], carriers: list[OrderOutcome]) -> None:
    """A rider ends as its carrier did; when the cancel went through, it counts once, on the carrier's row
    (refund included)."""
    by_gid = {carrier["gid"]: carrier for carrier in carriers}
    for rider in riders:
        carrier = by_gid[rider["gid"]]
        if carrier["outcome"] == Outcome.CANCELLED:
            detail = f"cancelled with {carrier['tranid']}, which links the same Shopify order: {carrier['detail']}"
            rider.update(outcome=Outcome.CANCELLED_WITH_OTHER, refund=False, detail=detail)
        else:
            detail = f"{carrier['detail']} (one cancel for {carrier['tranid']} and this order: same Shopify order)"
            rider.update(outcome=carrier["outcome"], detail=detail)


class _Journal:
    """Ledger rows of the cancels this try sends: a claim (intent) each, then the confirmed outcomes together."""

    def __init__(self, ledger: Ledger, run_key: RunKey, settings: SyncSettings) -> None:
        self.ledger = ledger
        self.run_key = run_key
        self.settings = settings
        self.rows: dict[int, int] = {}  # NetSuite id → ledger row

    def claim(self, outcome: OrderOutcome) -> bool:
        """Claim the order's Shopify order; False (with the outcome saying why) when it must not be sent."""
        claimed = self.ledger.claim(self.run_key, outcome, self.settings)
        if isinstance(claimed, Holder):
            outcome.update(
                outcome=Outcome.IN_OTHER_RUN, detail=f"being cancelled by {claimed.describe()}; nothing sent"
            )
            return False
        self.rows[outcome["id"]] = claimed
        # A run whose cancel went through just before our claim has closed its own: it is done, not ours to send.
        winner = self.ledger.cancelled_by([outcome["gid"]]).get(outcome["gid"])
        if winner is not None and not winner.same_run(self.run_key):
            mark_cancelled_elsewhere(outcome, winner)
            return False
        return True

    def attribute_refusals(self, sent: list[OrderOutcome]) -> None:
        """Shopify refusing a cancel because another run's went through first is that run's success, not a failure."""
        refused = [o for o in sent if o["outcome"] == Outcome.FAILED and o.get("user_errors")]
        winners = self.ledger.cancelled_by(o["gid"] for o in refused)
        for outcome in refused:
            winner = winners.get(outcome["gid"])
            if winner is not None and not winner.same_run(self.run_key):
                mark_cancelled_elsewhere(outcome, winner)

    def finish(self, sent: list[OrderOutcome]) -> None:
        # Until this commit the rows stay open: a try that dies before it leaves them in doubt. A cancel still in
        # doubt keeps its claim (accepted): no try sends another before Shopify shows how it ended.
        self.ledger.close_intents(
            [
                (
                    self.rows[o["id"]],
                    Outcome.ACCEPTED if o.get("in_doubt") else o["outcome"],
                    ledger_detail(o),
                    o.get("job_id"),
                )
                for o in sent
                if o["id"] in self.rows
            ]
        )


def _apply_recheck(
    wanted: list[OrderOutcome],
    states: dict[str, dict[str, Any]],
    links: dict[str, list[LinkedOrder]],
    settings: SyncSettings,
    cancelled_by: dict[str, Holder],
    run_key: RunKey | None,
    last_attempts: Callable[[list[str]], dict[str, Holder]] | None = None,
) -> None:
    """Re-decide with Shopify's and NetSuite's fresh word; an order found cancelled is credited to the run that
    cancelled it. `last_attempts` (the ledger's): without it, a cancel bearing the sync's note is this run's."""
    fresh = {d["id"]: d for d in decide(wanted, states, links, settings.prevent_refund)}
    for outcome in wanted:
        recheck = fresh[outcome["id"]]
        before = outcome.get("financial_status")
        outcome.update(recheck, outcome=outcome_of(recheck["decision"]), detail=recheck["reason"])
        if recheck["decision"] == Decision.ALREADY_CANCELLED:
            # Cancelled since the compare step: its reading is the order before; the re-check's is after.
            outcome.update(financial_status=before, financial_status_after=recheck["financial_status"])
    by_the_sync: list[tuple[OrderOutcome, dict[str, Any], OrderOutcome]] = []
    for outcome in wanted:
        if outcome["decision"] != Decision.ALREADY_CANCELLED:
            continue
        winner = cancelled_by.get(outcome["gid"])
        state = states.get(outcome["gid"]) or {}
        if winner is not None and (run_key is None or not winner.same_run(run_key)):
            if winner.outcome == Outcome.CANCELLED:
                mark_cancelled_elsewhere(outcome, winner)  # another run's cancel: counted there, not here
            else:  # its claim, unconfirmed: its refund check may never run
                _credit_unconfirmed(outcome, winner, state, settings)
            continue
        sender = _sent_by_us(state, [o for o in wanted if o["gid"] == outcome["gid"]])
        if sender is not None:
            by_the_sync.append((outcome, state, sender))
    # The sync's note says a sync sent it, not which run: the ledger's last try that sent one does (a run that
    # recorded its cancel as failed, its confirmation cut short, may still have cancelled it).
    tried = last_attempts([o["gid"] for o, _, _ in by_the_sync]) if by_the_sync and last_attempts else {}
    for outcome, state, sender in by_the_sync:
        attempt = tried.get(outcome["gid"])
        if last_attempts is None or (attempt is not None and attempt.same_run(run_key)):
            # An earlier try of this run sent it (and was cut short): report it as ours, send nothing.
            _mark_cancelled_earlier(outcome, state, settings, sender)
        elif attempt is not None:  # a try that did not confirm it: its refund check never ran
            _credit_unconfirmed(outcome, attempt, state, settings)
        # No try on record sent it (another ledger's sync): already cancelled, as decide() says.


def _mark_cancelled_earlier(
    outcome: OrderOutcome, state: dict[str, Any], settings: SyncSettings, sender: OrderOutcome | None = None
) -> None:
    if sender is not None and sender is not outcome:
        detail = f"cancelled with {sender['tranid']}, which links the same Shopify order, by an earlier try"
        outcome.update(outcome=Outcome.CANCELLED_WITH_OTHER, refund=False, detail=f"{detail} at {state['cancelledAt']}")
        return
    # The earlier try failed the order if it came back refunded against the setting: a retry must too.
    if _failed_for_refund(outcome, state, settings, "cancelled by an earlier try"):
        return
    outcome.update(
        outcome=Outcome.CANCELLED,
        refund=state.get("displayFinancialStatus") == "REFUNDED",
        detail=f"cancelled by an earlier try at {state['cancelledAt']}",
    )


REFUNDED_AGAINST_SETTING = "Shopify refunded it although prevent-refund is on"
_REFUNDED = frozenset({"REFUNDED", "PARTIALLY_REFUNDED"})


def _refunded_against_setting(outcome: OrderOutcome, financial_after: str | None, settings: SyncSettings) -> bool:
    """A refund the merchant turned off: prevent-refund on, and the cancelled order shows a refund, whole or
    partial, it did not have before (partly refunded before and after: a further refund does not show)."""
    return (
        settings.prevent_refund and financial_after in _REFUNDED and financial_after != outcome.get("financial_status")
    )


def _credit_unconfirmed(outcome: OrderOutcome, holder: Holder, state: dict[str, Any], settings: SyncSettings) -> None:
    """Another run's cancel that run never confirmed: its, unless it came back refunded against the setting."""
    if not _failed_for_refund(outcome, state, settings, f"cancelled by {holder.describe()}"):
        mark_cancelled_elsewhere(outcome, holder)


def _failed_for_refund(outcome: OrderOutcome, state: dict[str, Any], settings: SyncSettings, cancelled: str) -> bool:
    """Note how Shopify shows the cancelled order's money; True when it came back refunded against the setting
    (the order then fails, loudly, with `cancelled`, what cancelled it, in its detail)."""
    financial = state.get("displayFinancialStatus")
    outcome["financial_status_after"] = financial
    if not _refunded_against_setting(outcome, financial, settings):
        return False
    outcome.update(outcome=Outcome.FAILED, detail=f"{cancelled}, but {REFUNDED_AGAINST_SETTING}")
    log.error("Order %s was refunded against the prevent-refund setting", outcome["gid"])
    return True


def _respect_claims(
    client: ShopifyClient, journal: _Journal, wanted: list[OrderOutcome], timeout: float, sleep: Callable[[float], None]
) -> None:
    """Settle the claims in doubt on these orders (this run's dead tries, expired ones), and wait for other runs'
    live claims on those still to send (claims.py)."""
    by_gid: dict[str, list[OrderOutcome]] = {}
    for outcome in wanted:
        by_gid.setdefault(outcome["gid"], []).append(outcome)
    in_doubt, elsewhere = split_claims(journal.ledger, journal.run_key, list(by_gid))
    for ours in (True, False):
        # A dead try of this run may have cancels still in flight: wait for them. A claim past its lease is
        # long past any reply or job: Shopify's state now is its last word.
        claims = {gid: holder for gid, holder in in_doubt.items() if holder.same_run(journal.run_key) == ours}
        if claims:
            doubtful = {gid: by_gid[gid] for gid in claims}
            wait = timeout if ours else 0.0
            _settle_open_intents(client, journal, doubtful, claims, wait, sleep)
    to_send = {
        gid: sharing for gid, sharing in by_gid.items() if any(o["outcome"] == Outcome.TO_CANCEL for o in sharing)
    }
    held = {gid: holder for gid, holder in elsewhere.items() if gid in to_send}
    if held:
        wait_for_other_runs(journal.ledger, journal.run_key, to_send, held, timeout, sleep)


def _settle_open_intents(
    client: ShopifyClient,
    journal: _Journal,
    in_doubt: dict[str, list[OrderOutcome]],
    holders: dict[str, Holder],
    timeout: float,
    sleep: Callable[[float], None],
) -> None:
    """A cancel a dead try sent (or was sending) may still be in flight: wait for Shopify's word, never resend
    blindly. A dead try of another run (its claim expired) keeps the credit for a cancel that went through."""
    ledger, run_key = journal.ledger, journal.run_key
    open_intents = ledger.open_intents(in_doubt)
    open_jobs = ledger.open_jobs(in_doubt)
    # Shopify shows these cancelled: found so at the re-check, or while waiting here.
    cancelled_gids = {
        o["gid"] for sharing in in_doubt.values() for o in sharing if o["decision"] == Decision.ALREADY_CANCELLED
    }
    claimed = in_doubt
    # Wait only where the re-check still says open; an order it found cancelled is settled already.
    in_doubt = {
        gid: sharing for gid, sharing in in_doubt.items() if any(o["outcome"] == Outcome.TO_CANCEL for o in sharing)
    }
    deadline = time.monotonic() + timeout
    delay = 0.2
    while in_doubt:
        states = read_order_states(client, list(in_doubt), with_staff_note=True)
        for gid, state in states.items():
            if state.get("cancelledAt"):
                sharing = in_doubt.pop(gid)
                cancelled_gids.add(gid)
                sender = _sent_by_us(state, sharing) or min(sharing, key=lambda o: o["id"])
                for outcome in sharing:
                    if holders[gid].same_run(run_key):
                        _mark_cancelled_earlier(outcome, state, journal.settings, sender)
                    else:
                        _credit_unconfirmed(outcome, holders[gid], state, journal.settings)
        if not in_doubt or time.monotonic() >= deadline:
            break
        sleep(delay)
        delay = min(delay * 2, 5.0)
    # Not cancelled: a cancel job Shopify has not run yet may still cancel it, whatever this try decided. Send
    # nothing, keep its claim, and say so loudly (the order may be cancelled after all, even one no longer wanted).
    running = read_running_jobs(client, [job for gid, job in open_jobs.items() if gid not in cancelled_gids])
    for gid, sharing in claimed.items():
        if gid in cancelled_gids or open_jobs.get(gid) not in running:
            continue
        pending = f"Shopify has not run the cancel job {open_jobs[gid]} of {holders[gid].describe()} yet"
        for outcome in sharing:
            now = "" if outcome["outcome"] == Outcome.TO_CANCEL else f", though now: {outcome['detail']}"
            detail = f"{pending}; it may still cancel the order{now}; nothing sent (a later try re-checks it)"
            outcome.update(outcome=Outcome.FAILED, detail=detail, in_doubt=True)
    for gid, row_ids in open_intents.items():
        if gid not in cancelled_gids and open_jobs.get(gid) in running:
            continue
        for row_id in row_ids:
            # Whatever this try makes of it (a refund against the setting fails it), the cancel went through.
            if gid in cancelled_gids:
                detail = "confirmed by a later try: Shopify shows the order cancelled"
                ledger.close_intent(row_id, Outcome.CANCELLED, detail)
            else:
                detail = "a later try found the order still open; cancel not applied"
                ledger.close_intent(row_id, Outcome.NOT_APPLIED, detail)


def _sent_by_us(state: dict[str, Any], sharing: list[OrderOutcome]) -> OrderOutcome | None:
    """Which of the orders linking this Shopify order our cancel was sent for, by its staff note (None: not ours)."""
    note = ((state.get("cancellation") or {}).get("staffNote")) or ""
    return next((o for o in sharing if note == staff_note(o["tranid"], o["id"])), None)


def _confirm(
    client: ShopifyClient,
    settings: SyncSettings,
    accepted: list[OrderOutcome],
    timeout: float,
    sleep: Callable[[float], None],
) -> None:
    """Wait until Shopify shows every accepted cancel as done (cancelledAt set).

    An order whose cancel job had already run when its state was read, and is still open, is not waited
    for: Shopify ended the cancel without cancelling (its job says "run", not "succeeded")."""
    pending = {o["gid"]: o for o in accepted}
    deadline = time.monotonic() + timeout
    delay = 0.2
    first = True
    while pending:
        # Jobs before states: a job seen done before the order was read, with the order still open, failed.
        ran = set() if first else read_finished_jobs(client, [o.get("job_id") for o in pending.values()])
        first = False
        states = read_order_states(client, list(pending))
        for gid, state in states.items():
            if state.get("cancelledAt"):
                _finish(pending.pop(gid), state, settings)
            elif pending[gid].get("job_id") in ran:
                pending.pop(gid).update(outcome=Outcome.FAILED, detail=JOB_ENDED_OPEN)
        gone = [gid for gid in pending if gid not in states]
        for gid in gone:
            pending.pop(gid).update(
                outcome=Outcome.FAILED, detail="order disappeared from Shopify while being cancelled"
            )
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
        outcome.update(outcome=Outcome.FAILED, detail=detail, in_doubt=True)


def _finish(outcome: OrderOutcome, state: dict[str, Any], settings: SyncSettings) -> None:
    if _failed_for_refund(outcome, state, settings, "cancelled"):
        return
    refunded = " with refund" if outcome["refund"] else " without refund"
    outcome.update(outcome=Outcome.CANCELLED, detail=f"cancelled{refunded} at {state['cancelledAt']}")
