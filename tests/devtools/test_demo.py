"""`make demo` starts afresh each time: its sandboxes are new, so its ledger must be too."""

import sqlalchemy as sa

from devtools.demo import _fresh_ledger
from include.cancel_sync.ledger import Ledger, RunKey, ledger_table, url_from_connection
from include.cancel_sync.settings import SyncSettings


class _Connection:
    def __init__(self, definition: dict) -> None:
        self.conn_type, self.host = definition["conn_type"], definition["host"]


def test_each_demo_gets_an_empty_ledger_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    first = Ledger(url_from_connection(_Connection(_fresh_ledger())))
    order = {"id": 1, "tranid": "SO1", "gid": "gid://shopify/Order/1", "decision": "to_cancel", "refund": False}
    row = first.claim(RunKey("dag", "last_demo", 1, 0), order, SyncSettings(cancel_enabled=True))
    first.close_intent(row, "cancelled", "cancelled")
    first.engine.dispose()

    again = _fresh_ledger()

    assert again["host"] == str(tmp_path / "demo_ledger.sqlite")
    second = Ledger(url_from_connection(_Connection(again)))
    with second.engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(ledger_table)).scalar() == 0
    assert second.cancelled_by([order["gid"]]) == {}  # the new world's order 1 is not "already cancelled"
