"""The ledger on SQLite and PostgreSQL: intents, replies, outcomes, and the documented audit query."""

import sqlalchemy as sa

from include.cancel_sync import ledger as ledger_module
from include.cancel_sync.ledger import Ledger, RunKey, url_from_connection
from include.cancel_sync.settings import SyncSettings

KEY = RunKey("netsuite_shopify_cancel_sync", "manual__1", try_number=1, map_index=0)
SETTINGS = SyncSettings(cancel_enabled=True, restock=True)


def outcome(netsuite_id, gid, result="cancelled", decision="to_cancel", refund=True, name="#1001"):
    return {
        "id": netsuite_id,
        "tranid": f"SO{netsuite_id}",
        "gid": gid,
        "shopify_name": name,
        "decision": decision,
        "refund": refund,
        "outcome": result,
        "detail": f"{result} because of reasons — ünïcödé",
        "job_id": None,
    }


def test_intent_reply_outcome_lifecycle(ledger_url):
    ledger = Ledger(ledger_url)
    gid = "gid://shopify/Order/7"
    row_id = ledger.claim(KEY, outcome(7, gid), SETTINGS)
    assert ledger.open_intents([gid]) == {gid: [row_id]}  # no reply yet: in doubt
    ledger.close_intent(row_id, "accepted", "cancel accepted", "gid://shopify/Job/1")
    assert ledger.open_intents([gid]) == {gid: [row_id]}  # accepted but unconfirmed: still in doubt
    ledger.close_intent(row_id, "cancelled", "cancelled with refund", "gid://shopify/Job/1")
    assert ledger.open_intents([gid]) == {}
    (row,) = ledger.history(tranid="SO7")
    assert row["outcome"] == "cancelled" and row["job_id"] == "gid://shopify/Job/1"
    assert row["refund_requested"] is True and row["restock"] is True and row["notify_customer"] is False
    assert row["outcome_at"] >= row["recorded_at"].replace(tzinfo=row["outcome_at"].tzinfo)


def test_the_documented_audit_query_answers_what_happened_to_an_order(ledger_url):
    ledger = Ledger(ledger_url)
    ledger.record_outcomes(
        KEY, [outcome(1, "gid://shopify/Order/1", "cannot_cancel", "cannot_cancel", False)], SETTINGS
    )
    later = RunKey(KEY.dag_id, "scheduled__2", 1, 0)
    ledger.record_outcomes(later, [outcome(1, "gid://shopify/Order/1", "cancelled")], SETTINGS)
    ledger.record_outcomes(later, [outcome(2, "gid://shopify/Order/2", "cancelled", name="#1002")], SETTINGS)
    query = ledger_module.__doc__.split("SELECT", 1)[1].split(";", 1)[0]
    query = "SELECT" + query.replace("'SO10042'", ":tranid").replace("'#1042'", ":name")
    with ledger.engine.connect() as db:
        rows = db.execute(sa.text(query), {"tranid": "SO1", "name": "#none"}).all()
    assert [(r.run_id, r.outcome) for r in rows] == [("manual__1", "cannot_cancel"), ("scheduled__2", "cancelled")]
    assert [r["tranid"] for r in ledger.history(shopify_name="#1002")] == ["SO2"]


class FakeConnection:
    """Stands in for an Airflow Connection record (plain data, not project code)."""

    def __init__(self, conn_type, host=None, login=None, password=None, port=None, schema=None):
        self.conn_type, self.host, self.login, self.password, self.port, self.schema = (
            conn_type,
            host,
            login,
            password,
            port,
            schema,
        )


def test_urls_from_connections():
    assert url_from_connection(FakeConnection("sqlite", host="/tmp/l.db")) == "sqlite:////tmp/l.db"
    url = url_from_connection(FakeConnection("postgres", "db.internal", "sync", "p@ss/w", 5433, "ledger"))
    assert url == "postgresql+psycopg://sync:p%40ss%2Fw@db.internal:5433/ledger"


def test_a_ledger_made_before_stores_gains_the_store_columns_and_keeps_its_rows(ledger_url):
    """The tables as versions before stores made them (no `store`, no `stores`): opening the ledger adds the
    columns; old rows read as no store, new rows carry theirs, and a store filter finds only its own."""
    engine = sa.create_engine(ledger_url)
    legacy = sa.MetaData()
    old_ledger = sa.Table(
        "cancel_sync_ledger",
        legacy,
        *(column._copy() for column in ledger_module.ledger_table.columns if column.name != "store"),
    )
    sa.Table("cancel_sync_runs", legacy, *(c._copy() for c in ledger_module.runs_table.columns if c.name != "stores"))
    legacy.create_all(engine)
    old_row = Ledger._row(None, KEY, outcome(1, "gid://shopify/Order/1"), SETTINGS, final=True)
    with engine.begin() as db:
        db.execute(old_ledger.insert().values({k: v for k, v in old_row.items() if k != "store"}))
    engine.dispose()

    ledger = Ledger(ledger_url)
    ledger.record_outcomes(KEY, [outcome(2, "gid://shopify/Order/2", name="#1002") | {"store": "eu"}], SETTINGS)
    ledger.record_run(KEY.dag_id, KEY.run_id, {"orders": 1, "outcomes": {"cancelled": 1}, "stores": {"eu": {}}}, "ok")
    assert [(row["netsuite_id"], row["store"]) for row in ledger.history()] == [(1, None), (2, "eu")]
    assert [row["netsuite_id"] for row in ledger.history(shopify_name="#1002", store="eu")] == [2]
    assert ledger.history(shopify_name="#1002", store="us") == []
    assert ledger.runs([KEY.dag_id])[0]["stores"] == {"eu": {}}
    Ledger(ledger_url)  # opening it again changes nothing
