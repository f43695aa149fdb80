"""One cancel in flight per Shopify order, across runs, DAGs and tries: the claims in the ledger.

An order's intent row is its claim (ledger.py: one open intent per Shopify order). Before sending, the
cancel step looks at the claims on its orders:
- a claim of this run (an earlier try that died), one a finished try left in doubt (`accepted`: its cancel
  unconfirmed), or one older than LEASE (its try is long dead) is in doubt: the step waits for Shopify's word
  on it and settles it (cancel.py), never resending blindly;
- a live claim of another run is waited for: when that run's cancel goes through, the order is
  `already_cancelled` "by run X (try n)"; when it does not, or the wait runs out, the order is left to
  that run (`cancelling_in_other_run`) and nothing is sent.
A claim taken at send time can still lose to a run that got there first; then nothing is sent either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from include.cancel_sync.ledger import Holder, Ledger, RunKey
from include.cancel_sync.records import OrderOutcome, Outcome

# Far longer than a try needs from claiming an order to settling it (its sends, confirmation and retries):
# a claim this old belongs to a try that died without a retry to settle it.
LEASE = timedelta(minutes=30)


def split_claims(ledger: Ledger, run_key: RunKey, gids: list[str], now: datetime | None = None):
    """(in doubt: claims of this run, left in doubt, or past their lease; held elsewhere: live claims of other
    runs), by GID."""
    now = now or datetime.now(UTC)
    in_doubt: dict[str, Holder] = {}
    elsewhere: dict[str, Holder] = {}
    for gid, holder in ledger.open_holders(gids).items():
        if holder.same_run(run_key) or holder.left_in_doubt or now - holder.recorded_at > LEASE:
            in_doubt[gid] = holder
        else:
            elsewhere[gid] = holder
    return in_doubt, elsewhere


def wait_for_other_runs(
    ledger: Ledger,
    run_key: RunKey,
    waiting: dict[str, list[OrderOutcome]],
    elsewhere: dict[str, Holder],
    timeout: float,
    sleep: Callable[[float], None],
) -> None:
    """Wait for other runs' claims on these orders to settle; then each order is settled by that run's word."""
    open_claims = dict(elsewhere)
    deadline = time.monotonic() + timeout
    delay = 0.2
    while open_claims and time.monotonic() < deadline:
        sleep(delay)
        delay = min(delay * 2, 5.0)
        still = ledger.open_holders(list(open_claims))
        open_claims = {gid: holder for gid, holder in open_claims.items() if still.get(gid) == holder}
    done = ledger.cancelled_by(list(elsewhere))
    for gid, holder in elsewhere.items():
        for outcome in waiting.get(gid, []):
            winner = done.get(gid)
            if winner is not None and not winner.same_run(run_key):
                mark_cancelled_elsewhere(outcome, winner)
            elif gid in open_claims:
                outcome.update(
                    outcome=Outcome.IN_OTHER_RUN,
                    detail=f"being cancelled by {holder.describe()}, which reports how it ends; nothing sent",
                )
            else:
                outcome.update(
                    outcome=Outcome.IN_OTHER_RUN,
                    detail=f"{holder.describe()} held it and its cancel did not go through; nothing sent (a later "
                    "run re-checks it)",
                )


def mark_cancelled_elsewhere(outcome: OrderOutcome, winner: Holder) -> None:
    outcome.update(
        outcome=Outcome.ALREADY_CANCELLED,
        refund=False,
        detail=f"cancelled by {winner.describe()}",
    )
