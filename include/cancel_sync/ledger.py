"""The audit ledger: one row per order decision and action, in a real SQL database.

It answers "what did the sync do to order X, when, and why":

    SELECT recorded_at, run_id, try_number, decision, refund_requested, outcome, detail
    FROM cancel_sync_ledger
    WHERE tranid = 'SO10042' OR shopify_name = '#1042'
    ORDER BY id;

Before `orderCancel` an intent row is committed (outcome NULL); after confirmation the
batch's rows get their final outcome in one transaction. A row still NULL (or
`accepted`) on a later try means that try died mid-cancel: the cancel step then waits
for Shopify's word instead of cancelling blindly.

The intent is also the claim on its Shopify order: a unique index allows one open intent
per Shopify order, whatever run, DAG or try holds it, on SQLite and PostgreSQL alike. A
run that finds another run's claim waits for its outcome and never sends a second cancel.

`cancel_sync_runs` keeps one row per run, written by its report task: every run, the failed
and the empty ones included, with its counts and why it failed.

The database is the Airflow connection `netsuite_shopify_ledger` (conn_type `sqlite`
with host = file path, or `postgres`); without it, a SQLite file in $AIRFLOW_HOME.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from include.cancel_sync.constants import LEDGER_CONN_ID
from include.cancel_sync.records import Decision, Outcome

_metadata = sa.MetaData()
# How long a cancel job Shopify calls pending is waited for: Shopify runs them in seconds; no page says how long
# it keeps a job (an old id may read as pending, or as nothing), so past this its order is judged by its state.
JOB_TRUSTED = timedelta(hours=6)
SETTLED_FOR_GOOD = (Outcome.CANCELLED, Outcome.CANCELLED_WITH_OTHER, Outcome.ALREADY_CANCELLED)
# How a claim's row may close when its cancel was sent (riders' rows too): a failure may be a reply lost after
# Shopify acted, or an unconfirmed cancel Shopify had accepted (its job id kept).
_MAY_HAVE_CANCELLED = (Outcome.ACCEPTED, Outcome.CANCELLED, Outcome.FAILED)
# An intent whose cancel may or may not have happened: no reply yet, or accepted but unconfirmed.
_OPEN = f"outcome IS NULL OR outcome = '{Outcome.ACCEPTED.value}'"
ledger_table = sa.Table(
    "cancel_sync_ledger",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("dag_id", sa.String(250), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("try_number", sa.Integer, nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False),
    sa.Column("netsuite_id", sa.BigInteger, nullable=False),
    sa.Column("store", sa.String(40)),  # stores.py; NULL: an order of no store, or a row from before stores
    sa.Column("tranid", sa.String(200)),
    sa.Column("shopify_gid", sa.String(100)),
    sa.Column("shopify_name", sa.String(100)),
    sa.Column("decision", sa.String(40), nullable=False),
    sa.Column("refund_requested", sa.Boolean, nullable=False),
    sa.Column("restock", sa.Boolean, nullable=False),
    sa.Column("notify_customer", sa.Boolean, nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("job_id", sa.String(200)),
    sa.Column("outcome", sa.String(40)),  # NULL while an intent is open
    sa.Column("detail", sa.Text),
    sa.Column("outcome_at", sa.DateTime(timezone=True)),
    sa.Index("ix_cancel_sync_ledger_gid_open", "shopify_gid", "outcome"),
    # The claim: at most one open intent per Shopify order (a partial unique index, on both databases).
    sa.Index(
        "ux_cancel_sync_ledger_one_claim",
        "shopify_gid",
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    ),
    sa.Index("ix_cancel_sync_ledger_tranid", "tranid"),
    sa.Index("ix_cancel_sync_ledger_run", "run_id"),
)


runs_table = sa.Table(
    "cancel_sync_runs",
    _metadata,
    sa.Column("dag_id", sa.String(250), primary_key=True),
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # success / failed
    sa.Column("failed_step", sa.String(100)),  # the task that stopped the run early, if one did
    sa.Column("reason", sa.Text),  # why the run failed, as its report says it
    sa.Column("mode", sa.String(100)),
    sa.Column("window_start", sa.String(40)),
    sa.Column("window_end", sa.String(40)),
    sa.Column("orders", sa.Integer, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),  # outcome → orders
    sa.Column("stores", sa.JSON),  # store → its counts, as the report's per-store sections (NULL before stores)
    sa.Column("report_uri", sa.Text),
    sa.Index("ix_cancel_sync_runs_finished", "finished_at"),
)


@dataclass(frozen=True)
class Holder:
    """Who holds, or last held, a Shopify order: the ledger row of that run's try."""

    dag_id: str
    run_id: str
    try_number: int
    recorded_at: datetime
    row_id: int
    # The row's outcome: None while its try runs, `accepted` once a finished try left its cancel in doubt.
    outcome: str | None = field(default=None, compare=False)

    @property
    def left_in_doubt(self) -> bool:
        """A finished try's claim on a cancel Shopify had not confirmed: nobody will report how it ends."""
        return self.outcome == Outcome.ACCEPTED

    def describe(self) -> str:
        return f"run {self.run_id} (try {self.try_number})"

    def same_run(self, key: RunKey) -> bool:
        return (self.dag_id, self.run_id) == (key.dag_id, key.run_id)


@dataclass(frozen=True)
class RunKey:
    dag_id: str
    run_id: str
    try_number: int = 1
    map_index: int = -1


def _now() -> datetime:
    return datetime.now(UTC)


def ledger_detail(outcome: dict[str, Any]) -> str | None:
    """An outcome's detail as the ledger keeps it: with a sweep's catch, "… [caught by the sweep: …]"."""
    detail, caught = outcome.get("detail"), outcome.get("caught")
    return f"{detail} [{caught}]" if caught else detail


def _utc(value: datetime) -> datetime:
    """SQLite gives timestamps back without their zone: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def default_ledger_url() -> str:
    home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
    return f"sqlite:///{os.path.abspath(home)}/netsuite_shopify_ledger.sqlite"


def url_from_connection(conn: Any) -> str:
    """SQLAlchemy URL from an Airflow connection (sqlite or postgres)."""
    kind = (conn.conn_type or "").lower()
    if kind == "sqlite":
        return f"sqlite:///{conn.host}"
    if kind in ("postgres", "postgresql"):
        url = sa.engine.URL.create(
            "postgresql+psycopg",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
        )
        return url.render_as_string(hide_password=False)
    raise ValueError(f"connection {LEDGER_CONN_ID} must be of type sqlite or postgres, not {conn.conn_type!r}")


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps each intent durable at a fraction of the cost of a full journal sync,
    # and lets parallel cancel tasks read while one writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _add_missing_columns(engine: sa.Engine) -> None:
    """A ledger made by an earlier version lacks the newer columns (all nullable): add them, keeping every row."""
    inspector = sa.inspect(engine)
    for table in _metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=engine.dialect)
                try:
                    with engine.begin() as db:
                        db.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
                except sa.exc.DBAPIError:  # another task added it first
                    added = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
                    if column.name not in added:
                        raise


class Ledger:
    def __init__(self, url: str) -> None:
        connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
        self.engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        # SQLite has one writer at a time: this process's threads (a task's parallel claims) take turns on a
        # lock rather than in SQLite's busy handler, which sleeps a blocked writer up to 100 ms a try.
        self._write_lock: Any = contextlib.nullcontext()
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_wal)
            self._write_lock = threading.Lock()
        _metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        for index in ledger_table.indexes:  # a ledger made by an earlier version lacks the newer indexes
            index.create(self.engine, checkfirst=True)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction (committed on leaving)."""
        with self._write_lock, self.engine.begin() as db:
            yield db

    @classmethod
    def from_airflow(cls, conn_id: str = LEDGER_CONN_ID) -> Ledger:
        from airflow.sdk import BaseHook
        from airflow.sdk.exceptions import AirflowNotFoundException

        try:
            return cls(url_from_connection(BaseHook.get_connection(conn_id)))
        except AirflowNotFoundException:
            return cls(default_ledger_url())

    def _row(self, key: RunKey, outcome: dict[str, Any], settings: Any, final: bool) -> dict[str, Any]:
        now = _now()
        return {
            "recorded_at": now,
            "dag_id": key.dag_id,
            "run_id": key.run_id,
            "try_number": key.try_number,
            "map_index": key.map_index,
            "netsuite_id": outcome["id"],
            "store": outcome.get("store"),
            "tranid": outcome.get("tranid"),
            "shopify_gid": outcome.get("gid"),
            "shopify_name": outcome.get("shopify_name"),
            "decision": outcome["decision"],
            "refund_requested": bool(outcome.get("refund")),
            "restock": bool(settings.restock),
            "notify_customer": bool(settings.notify_customer),
            "dry_run": bool(settings.dry_run),
            "job_id": outcome.get("job_id") if final else None,
            "outcome": outcome["outcome"] if final else None,
            "detail": ledger_detail(outcome) if final else "intent: orderCancel about to be sent",
            "outcome_at": now if final else None,
        }

    def record_outcomes(self, key: RunKey, outcomes: Iterable[dict[str, Any]], settings: Any) -> None:
        rows = [self._row(key, outcome, settings, final=True) for outcome in outcomes]
        if rows:
            with self._writing() as db:
                db.execute(ledger_table.insert(), rows)

    def claim(self, key: RunKey, outcome: dict[str, Any], settings: Any) -> int | Holder:
        """Commit the order's intent, which claims its Shopify order; returns the row id, or the Holder of
        the claim when another intent already holds the order."""
        for _ in range(3):  # a claim released between our insert and our look is tried again
            try:
                with self._writing() as db:
                    return db.execute(
                        ledger_table.insert().values(self._row(key, outcome, settings, final=False))
                    ).inserted_primary_key[0]
            except sa.exc.IntegrityError:
                holder = self.open_holders([outcome["gid"]]).get(outcome["gid"])
                if holder is not None:
                    return holder
        raise RuntimeError(f"could not claim {outcome['gid']}: claims kept changing hands")

    def close_intent(self, row_id: int, outcome: str, detail: str, job_id: str | None = None) -> None:
        with self._writing() as db:
            db.execute(
                ledger_table.update()
                .where(ledger_table.c.id == row_id)
                .values(outcome=outcome, detail=detail, job_id=job_id, outcome_at=_now())
            )

    def close_intents(self, closings: list[tuple[int, str, str, str | None]]) -> None:
        """Close many rows in one transaction: (row id, outcome, detail, job id)."""
        if not closings:
            return
        now = _now()
        with self._writing() as db:
            for row_id, outcome, detail, job_id in closings:
                db.execute(
                    ledger_table.update()
                    .where(ledger_table.c.id == row_id)
                    .values(outcome=outcome, detail=detail, job_id=job_id, outcome_at=now)
                )

    def open_holders(self, gids: Iterable[str]) -> dict[str, Holder]:
        """Shopify GID → the open intent that claims it (its cancel may or may not have happened)."""
        return self._holders(gids, sa.text(_OPEN))

    def cancelled_by(self, gids: Iterable[str]) -> dict[str, Holder]:
        """Shopify GID → the run whose cancel went through (the latest `cancelled` row)."""
        return self._holders(gids, ledger_table.c.outcome == Outcome.CANCELLED)

    def cancelled_or_claimed_by(self, gids: Iterable[str]) -> dict[str, Holder]:
        """Shopify GID → the run whose cancel went through, or else whose claim is still open (its cancel may
        have gone through and not be recorded yet). One read: a claim settling meanwhile shows as one or the
        other; a cancelled row wins over a later claim (one taken after that cancel, to be closed as such)."""
        cancelled = ledger_table.c.outcome == Outcome.CANCELLED
        return self._holders(gids, sa.or_(cancelled, sa.text(f"({_OPEN})")), first=cancelled)

    def last_attempts(self, gids: Iterable[str]) -> dict[str, Holder]:
        """Shopify GID → the try that sent, or may have sent, its cancel: among rows of a `to_cancel` decision
        (not a dry run) open, accepted, cancelled or failed, the latest one Shopify accepted or that has no
        reply on record (open, or with a job id); else the latest failed one (refused, or its reply lost). A
        later try's refusal ("already cancelled") never takes the credit from the one Shopify accepted."""
        t = ledger_table
        sent = sa.or_(t.c.outcome.is_(None), t.c.outcome.in_(list(_MAY_HAVE_CANCELLED)))
        accepted = sa.or_(t.c.outcome.is_(None), t.c.outcome != Outcome.FAILED, t.c.job_id.is_not(None))
        return self._holders(
            gids, sa.and_(t.c.decision == Decision.TO_CANCEL, t.c.dry_run.is_(False), sent), first=accepted
        )

    def settled(self, gids: Iterable[str]) -> set[str]:
        """The Shopify orders the ledger shows settled for good: cancelled (by any run), or found cancelled in
        Shopify. A cancelled Shopify order cannot reopen, so the sweep does not read these again."""
        return set(self._holders(gids, ledger_table.c.outcome.in_(list(SETTLED_FOR_GOOD))))

    def handled(self, netsuite_ids: Iterable[int]) -> set[int]:
        """The NetSuite orders some run has recorded a final outcome for (a person was told how they ended)."""
        t = ledger_table
        ids = list(dict.fromkeys(netsuite_ids))
        found: set[int] = set()
        with self.engine.connect() as db:
            for start in range(0, len(ids), 500):
                query = (
                    sa.select(t.c.netsuite_id)
                    .distinct()
                    .where(t.c.netsuite_id.in_(ids[start : start + 500]), t.c.outcome.is_not(None))
                )
                found.update(row.netsuite_id for row in db.execute(query))
        return found

    def _holders(self, gids: Iterable[str], condition: Any, first: Any = None) -> dict[str, Holder]:
        """Shopify GID → the latest row meeting `condition`; rows also meeting `first` come before any other."""
        t = ledger_table
        gids = list(dict.fromkeys(gid for gid in gids if gid))
        found: dict[str, Holder] = {}
        rank = sa.case((first, 1), else_=0) if first is not None else sa.literal(0)
        with self.engine.connect() as db:
            for start in range(0, len(gids), 500):
                query = (
                    sa.select(
                        t.c.shopify_gid, t.c.dag_id, t.c.run_id, t.c.try_number, t.c.recorded_at, t.c.id, t.c.outcome
                    )
                    .where(t.c.shopify_gid.in_(gids[start : start + 500]), condition)
                    .order_by(rank, t.c.id)
                )
                for gid, dag_id, run_id, try_number, recorded_at, row_id, outcome in db.execute(query):
                    found[gid] = Holder(dag_id, run_id, try_number, _utc(recorded_at), row_id, outcome)
        return found

    def open_intents(self, gids: Iterable[str]) -> dict[str, list[int]]:
        """Shopify GID → rows whose cancel may or may not have happened: no reply yet, or accepted but unconfirmed."""
        gids = list(gids)
        found: dict[str, list[int]] = {}
        with self.engine.connect() as db:
            for start in range(0, len(gids), 500):
                query = sa.select(ledger_table.c.shopify_gid, ledger_table.c.id).where(
                    ledger_table.c.shopify_gid.in_(gids[start : start + 500]),
                    sa.or_(ledger_table.c.outcome.is_(None), ledger_table.c.outcome == Outcome.ACCEPTED),
                )
                for gid, row_id in db.execute(query):
                    found.setdefault(gid, []).append(row_id)
        return found

    def open_jobs(self, gids: Iterable[str]) -> dict[str, str]:
        """Shopify GID → the cancel job of its open intent, where Shopify accepted the cancel and named one, within
        JOB_TRUSTED of the claim (an older job Shopify still calls pending is not waited for any more)."""
        t = ledger_table
        gids = list(dict.fromkeys(gids))
        found: dict[str, str] = {}
        since = _now() - JOB_TRUSTED
        with self.engine.connect() as db:
            for start in range(0, len(gids), 500):
                query = sa.select(t.c.shopify_gid, t.c.job_id).where(
                    t.c.shopify_gid.in_(gids[start : start + 500]),
                    sa.text(f"({_OPEN})"),
                    t.c.job_id.is_not(None),
                    t.c.recorded_at >= since,
                )
                found.update((gid, job_id) for gid, job_id in db.execute(query))
        return found

    def history(
        self, tranid: str | None = None, shopify_name: str | None = None, store: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of the order with this tranid or Shopify name (both: either), of `store` when given."""
        query = sa.select(ledger_table).order_by(ledger_table.c.id)
        conditions = []
        if tranid:
            conditions.append(ledger_table.c.tranid == tranid)
        if shopify_name:
            conditions.append(ledger_table.c.shopify_name == shopify_name)
        if conditions:
            query = query.where(sa.or_(*conditions))
        if store:
            query = query.where(ledger_table.c.store == store)
        with self.engine.connect() as db:
            return [dict(row._mapping) for row in db.execute(query)]

    # --- runs -----------------------------------------------------------------------------------

    def record_run(self, dag_id: str, run_id: str, summary: dict[str, Any], state: str) -> None:
        """The run's row, as its report states it (written again when the report task runs again)."""
        window = summary.get("window") or {}
        row = {
            "dag_id": dag_id,
            "run_id": run_id,
            "finished_at": _now(),
            "state": state,
            "failed_step": summary.get("failed_step"),
            "reason": summary.get("reason") or summary.get("report_error"),
            "mode": summary.get("mode"),
            "window_start": window.get("start"),
            "window_end": window.get("end"),
            "orders": int(summary.get("orders") or 0),
            "counts": dict(summary.get("outcomes") or {}),
            "stores": summary.get("stores"),
            "report_uri": summary.get("report_html_uri"),
        }
        t = runs_table
        with self._writing() as db:
            db.execute(t.delete().where(t.c.dag_id == dag_id, t.c.run_id == run_id))
            db.execute(t.insert().values(row))

    def runs_covering(self, dag_id: str, instant: str) -> list[str]:
        """Runs of `dag_id` whose window held `instant` ('YYYY-MM-DD HH:MM:SS', UTC), oldest first."""
        t = runs_table
        query = (
            sa.select(t.c.run_id)
            .where(t.c.dag_id == dag_id, t.c.window_start <= instant, t.c.window_end > instant)
            .order_by(t.c.finished_at)
        )
        with self.engine.connect() as db:
            return [row.run_id for row in db.execute(query)]

    def runs(
        self, dag_ids: Iterable[str], since: datetime | None = None, until: datetime | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """The latest runs of these DAGs, newest first, finished within [since, until)."""
        t = runs_table
        query = sa.select(t).where(t.c.dag_id.in_(list(dag_ids)))
        if since is not None:
            query = query.where(t.c.finished_at >= since)
        if until is not None:
            query = query.where(t.c.finished_at < until)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(t.c.finished_at.desc()).limit(limit))
            return [dict(row._mapping) | {"finished_at": _utc(row.finished_at)} for row in rows]
