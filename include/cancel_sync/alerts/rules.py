"""When to tell a person, and what: failed orders of this run, and orders that keep failing across runs.

Two triggers, both naming each order and its reason:
- the run ended with failed orders (or batches that never finished);
- an order failed in this run (on any try, even if a retry then cancelled it) and in at least one other
  of the last N runs of the DAG, per the audit ledger: retries are hiding a problem that keeps coming back.
Requiring a failure in this run keeps a past problem from being re-announced by every later run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from include.cancel_sync.labels import NEXT_STEPS, REPEAT_FAILURE_NEXT_STEP, STOPPED_RUN_NEXT_STEP
from include.cancel_sync.ledger import Ledger, ledger_table
from include.cancel_sync.records import Outcome

DEFAULT_RECENT_RUNS = 5
MIN_FAILED_RUNS = 2
MAX_LISTED = 50  # an alert names at most this many orders; the report has the rest


@dataclass(frozen=True)
class RepeatFailure:
    netsuite_id: int
    tranid: str
    shopify_name: str
    store: str | None
    failed_runs: int
    recent_runs: int
    last_reason: str


@dataclass
class Alert:
    dag_id: str
    run_id: str
    failed: list[dict[str, Any]] = field(default_factory=list)  # outcomes of this run that failed (the first ones)
    failed_batches: int = 0
    repeats: list[RepeatFailure] = field(default_factory=list)
    report_links: list[str] = field(default_factory=list)
    failed_total: int = 0  # when more failed than `failed` holds
    stopped: str = ""  # the task that stopped the run before any order was handled, and why
    caught: list[dict[str, Any]] = field(default_factory=list)  # a sweep's orders the windows missed (the first)
    caught_total: int = 0
    report_error: str = ""  # the report could not be kept where the Variable says
    failed_stores: list[str] = field(default_factory=list)  # stores whose batches did not finish

    @property
    def failed_count(self) -> int:
        return max(self.failed_total, len(self.failed))

    @property
    def subject(self) -> str:
        parts = []
        if self.stopped:
            parts.append("the run stopped before handling any order")
        if self.caught_total:
            parts.append(f"the sweep caught {self.caught_total} order(s) the windows missed")
        if self.report_error:
            parts.append("its report could not be written")
        if self.failed:
            parts.append(f"{self.failed_count} order(s) failed")
        if self.failed_batches:
            where = f" (store {', '.join(self.failed_stores)})" if self.failed_stores else ""
            parts.append(f"{self.failed_batches} batch(es) did not finish{where}")
        if self.repeats:
            parts.append(f"{len(self.repeats)} order(s) keep failing")
        return f"[NetSuite→Shopify cancel sync] {', '.join(parts)} in run {self.run_id}"

    @property
    def text(self) -> str:
        lines = [self.subject, "", f"DAG {self.dag_id}, run {self.run_id}."]
        if self.stopped:
            lines += ["", f"Stopped at {self.stopped}", f"Next step: {STOPPED_RUN_NEXT_STEP}"]
        if self.report_error:
            lines += ["", f"The report could not be written: {self.report_error}."]
            lines += ["Next step: set netsuite_shopify_report_location to a place the workers can write to."]
        if self.caught:
            lines += ["", "Caught by the sweep (canceled in NetSuite, but no window run settled them):"]
            lines += [
                f"- {_order(o.get('tranid'), o['id'], o.get('shopify_name'), o.get('store'))}: {o.get('outcome')}; "
                f"{o.get('caught')}"
                for o in self.caught[:MAX_LISTED]
            ]
            lines += _more(self.caught_total)
        if self.failed:
            lines += ["", "Failed in this run (every other order was handled; a retry re-checks these):"]
            lines += [
                f"- {_order(o.get('tranid'), o['id'], o.get('shopify_name'), o.get('store'))}: {o.get('detail')}"
                for o in self.failed[:MAX_LISTED]
            ]
            lines += _more(self.failed_count)
            lines += [f"Next step: {NEXT_STEPS[Outcome.FAILED]}"]
        if self.failed_batches:
            lines += ["", f"{self.failed_batches} batch(es) did not finish: their orders are not in the report."]
            if self.failed_stores:
                lines += [
                    f"They are store {', '.join(self.failed_stores)}'s: check that store's Shopify connection and "
                    "the failed tasks' logs (the other stores finished), then clear the failed tasks to retry them."
                ]
        if self.repeats:
            lines += ["", "Keep failing (failed in several of the recent runs, per the audit ledger):"]
            lines += [
                f"- {_order(r.tranid, r.netsuite_id, r.shopify_name, r.store)}: failed in {r.failed_runs} of the last "
                f"{r.recent_runs} runs; last reason: {r.last_reason}"
                for r in self.repeats[:MAX_LISTED]
            ]
            lines += _more(len(self.repeats))
            lines += [f"Next step: {REPEAT_FAILURE_NEXT_STEP}"]
        if self.report_links:
            lines += ["", "Report:", *(f"  {link}" for link in self.report_links)]
        return "\n".join(lines) + "\n"


def _order(tranid: Any, netsuite_id: Any, shopify_name: Any, store: Any = None) -> str:
    shopify = f" → Shopify {shopify_name}" if shopify_name else ""
    where = f" in store {store}" if store else ""
    return f"{tranid or '(no tranid)'} (NetSuite id {netsuite_id}){shopify}{where}"


def _more(count: int) -> list[str]:
    return [f"- … and {count - MAX_LISTED} more (see the report)"] if count > MAX_LISTED else []


def repeat_failures(
    ledger: Ledger, dag_id: str, run_id: str, recent_runs: int = DEFAULT_RECENT_RUNS
) -> list[RepeatFailure]:
    """Orders that failed (any try) in this run and in ≥ 1 other of the DAG's last `recent_runs` runs."""
    t = ledger_table
    with ledger.engine.connect() as db:
        latest = (
            sa.select(t.c.run_id)
            .where(t.c.dag_id == dag_id)
            .group_by(t.c.run_id)
            .order_by(sa.func.max(t.c.id).desc())
            .limit(recent_runs)
        )
        runs = [row.run_id for row in db.execute(latest)]
        if run_id not in runs:
            runs = [run_id, *runs[: recent_runs - 1]]
        failed_rows = db.execute(
            sa.select(t.c.netsuite_id, t.c.run_id, t.c.tranid, t.c.shopify_name, t.c.store, t.c.detail)
            .where(t.c.dag_id == dag_id, t.c.run_id.in_(runs), t.c.outcome == Outcome.FAILED)
            .order_by(t.c.id)
        ).all()
    runs_by_order: dict[int, set[str]] = defaultdict(set)
    last_row: dict[int, Any] = {}
    for row in failed_rows:
        runs_by_order[row.netsuite_id].add(row.run_id)
        last_row[row.netsuite_id] = row
    return [
        RepeatFailure(
            netsuite_id=netsuite_id,
            tranid=last_row[netsuite_id].tranid or "",
            shopify_name=last_row[netsuite_id].shopify_name or "",
            store=last_row[netsuite_id].store,
            failed_runs=len(failed_in),
            recent_runs=len(runs),
            last_reason=last_row[netsuite_id].detail or "",
        )
        for netsuite_id, failed_in in sorted(runs_by_order.items())
        if run_id in failed_in and len(failed_in) >= MIN_FAILED_RUNS
    ]


def build_alert(
    dag_id: str,
    run_id: str,
    report: dict[str, Any],
    outcomes: list[dict[str, Any]],
    repeats: list[RepeatFailure],
    report_links: list[str] | None = None,
    caught: list[dict[str, Any]] | None = None,
) -> Alert | None:
    """None when there is nothing a person needs to hear about. `outcomes` may be only the failed ones (the
    report keeps the first hundred); the report's count says how many failed in all. `caught`: a sweep's
    orders the windows missed — any of them means a window misses orders, so it is always told."""
    failed = [o for o in outcomes if o.get("outcome") == Outcome.FAILED]
    failed_batches = int(report.get("failed_batches") or 0)
    stopped = report.get("failed_step")
    caught = list(caught or [])
    unwritable = report.get("report_error")
    if not (failed or failed_batches or repeats or stopped or caught or unwritable):
        return None
    total = int(report.get("failed") or 0)
    alert = Alert(dag_id, run_id, failed, failed_batches, repeats, list(report_links or []), failed_total=total)
    if stopped:
        alert.stopped = f"{stopped}: {report.get('reason') or 'no reason recorded'}"
    alert.report_error = unwritable or ""
    alert.failed_stores = list(report.get("failed_stores") or [])
    alert.caught, alert.caught_total = caught, int(report.get("caught_by_sweep") or len(caught))
    return alert
