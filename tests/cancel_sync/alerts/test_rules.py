"""Alerts from real DAG runs, received by a real SMTP server on loopback (aiosmtpd) and a real webhook."""

from __future__ import annotations

import json
import threading
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from devtools.local_airflow import free_port
from include.cancel_sync.alerts.notifier import AlertDeliveryError, post_webhook
from include.cancel_sync.alerts.rules import Alert, RepeatFailure
from include.cancel_sync.ledger import Ledger
from include.cancel_sync.report.files import report_file
from sandbox.world import build_world
from tests.cancel_sync.report.report_page import read_report_page
from tests.conftest import PROJECT_ROOT, WORLD_END, WORLD_START
from tests.dag_runs import DAG_ID, run_sync, whole_world_window

pytestmark = pytest.mark.usefixtures("airflow_db")

ON = {"netsuite_shopify_cancel_enabled": "true"}
WINDOW = whole_world_window(WORLD_START, WORLD_END)
REFUSAL = "Cannot cancel an order with pending payment authorizations"
SMTP_PASSWORD = "smtp-password-that-must-not-leak"
ARTIFACTS = PROJECT_ROOT / "artifacts" / "alerts"


class Inbox:
    """aiosmtpd handler keeping every message it is handed, and an authenticator for our one login."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        assert session.authenticated  # the notifier logged in before sending
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == SMTP_PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    # Loopback only, so AUTH without TLS is acceptable here (aiosmtpd refuses it by default).
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=inbox.authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def fast_retries(monkeypatch):
    # The cancel task fails on every try here; no need to wait between them.
    monkeypatch.setenv("NETSUITE_SHOPIFY_RETRY_DELAY_SECONDS", "0")


def world_with_a_refused_cancel():
    """Shopify refuses one cancellable order's cancel on every try (a payment authorization is pending)."""
    world = build_world(2 * 21, WORLD_START, WORLD_END, seed=11, every_scenario=True)
    victim = min(nid for nid, name in world.scenarios.items() if name == "cancel_paid")
    gid = world.sales_order(victim).fields[world.link_field].strip()
    number = int(gid.rsplit("/", 1)[-1])
    next(order for order in world.shopify_orders if order.id == number).has_pending_authorization = True
    return world, world.sales_order(victim)


def alerts_by_mail(monkeypatch, controller, extra: dict) -> None:
    """The alerts connection: the test's SMTP server on loopback, with its login."""
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": controller.port,
        "login": "airflow",
        "password": SMTP_PASSWORD,
        "extra": extra,
    }
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_SHOPIFY_ALERTS", json.dumps(connection))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_failed_orders_are_mailed_and_a_repeat_is_called_out(
    make_sandboxes, tmp_path, smtp_inbox, monkeypatch, fast_retries
):
    controller, inbox = smtp_inbox
    world, victim = world_with_a_refused_cancel()
    sandboxes = make_sandboxes(world=world)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"

    # First run, no alerts connection: the alert is only logged, nothing is sent.
    first = run_sync(sandboxes, tmp_path / "first", variables=ON, conf=WINDOW, ledger_url=ledger_url)
    assert first.state == "failed" and first.outcome_of(victim.id)["outcome"] == "failed"
    assert inbox.messages == []

    alerts_by_mail(
        monkeypatch, controller, {"to": "ops@example.com, oncall@example.com", "from_email": "airflow@example.com"}
    )
    second = run_sync(sandboxes, tmp_path / "second", variables=ON, conf=WINDOW, ledger_url=ledger_url)
    assert second.state == "failed"

    assert len(inbox.messages) == 1 and inbox.logins == ["airflow"]
    mail = inbox.messages[0]
    body = mail.get_content()
    assert SMTP_PASSWORD not in mail.as_string()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    headers = "".join(f"{name}: {mail[name]}\n" for name in ("Subject", "From", "To"))
    (ARTIFACTS / "alert-email.txt").write_text(f"{headers}\n{body}")  # what the on-call person reads
    assert mail["To"] == "ops@example.com, oncall@example.com" and mail["From"] == "airflow@example.com"
    assert "1 order(s) failed" in mail["Subject"] and "1 order(s) keep failing" in mail["Subject"]
    assert second.run_id in mail["Subject"]
    failed_section, repeat_section = body.split("Keep failing")
    assert f"{victim.tranid} (NetSuite id {victim.id})" in failed_section and REFUSAL in failed_section
    assert f"{victim.tranid} (NetSuite id {victim.id})" in repeat_section
    assert "failed in 2 of the last 2 runs" in repeat_section and REFUSAL in repeat_section
    assert second.run_id.replace(":", "_").replace("+", "_") in body  # the report's location
    other_tranids = {o["tranid"] for o in second.outcomes if o["id"] != victim.id}
    assert not any(f"{t} (NetSuite id" in body for t in other_tranids)  # only the failing order is named

    # The run's report says so too: a banner, and the failed order at the top of the table.
    location = f"file://{tmp_path / 'second' / 'reports'}"
    page = read_report_page(report_file(location, DAG_ID, second.run_id, "html").read_text(encoding="utf-8"))
    assert page.banners[0][0] == "failed-banner" and page.banners[0][1].startswith("1 order(s) failed")
    assert page.rows[0][1:3] == [victim.tranid, str(victim.id)] and page.rows[0][6] == "failed"
    assert REFUSAL in page.rows[0][7] and page.headline["failed"] == page.bars["failed"] == 1


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


class _Connection:
    conn_id = "netsuite_shopify_alerts"

    def __init__(self, host, password):
        self.host, self.password = host, password


def test_webhook_alert_is_posted_and_its_secret_url_never_quoted():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    alert = Alert(
        "netsuite_shopify_cancel_sync",
        "manual__1",
        failed=[{"id": 10001, "tranid": "SO<10001>", "shopify_name": "#1002", "detail": "Shopify refused"}],
        repeats=[RepeatFailure(10001, "SO<10001>", "#1002", None, 3, 5, "Shopify refused")],
    )
    token = "T000/B000/secret-webhook-token"
    try:
        post_webhook(_Connection(f"http://127.0.0.1:{server.server_port}", token), alert)
        assert _Hook.received[0]["path"] == f"/{token}"
        text = _Hook.received[0]["json"]["text"]
        assert "SO<10001> (NetSuite id 10001) → Shopify #1002: Shopify refused" in text
        assert "failed in 3 of the last 5 runs" in text

        _Hook.status = 500
        with pytest.raises(AlertDeliveryError) as refused:
            post_webhook(_Connection(f"http://127.0.0.1:{server.server_port}", token), alert)
        assert "HTTP 500" in str(refused.value) and token not in str(refused.value)
    finally:
        _Hook.status = 200
        server.shutdown()
        server.server_close()
    with pytest.raises(AlertDeliveryError) as unreachable:
        post_webhook(_Connection(f"http://127.0.0.1:{free_port()}", token), alert)
    assert token not in str(unreachable.value)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_bad_setting_stops_the_run_with_a_report_an_alert_and_a_failed_run_on_record(
    make_sandboxes, tmp_path, smtp_inbox, monkeypatch
):
    controller, inbox = smtp_inbox
    sandboxes = make_sandboxes(count=12, seed=3)
    alerts_by_mail(monkeypatch, controller, {"to": "ops@example.com"})
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    bad = ON | {"netsuite_shopify_prevent_refund": "maybe"}

    run = run_sync(sandboxes, tmp_path, variables=bad, conf=WINDOW, ledger_url=ledger_url)

    assert run.state == "failed"
    assert run.task_states["resolve_run"] == ["failed"] and run.task_states["report"] == ["failed"]
    assert sandboxes.netsuite.stats["requests"] == 0 and sandboxes.shopify.store.cancel_calls == []
    # The report: written, saying which task stopped the run and why, naming the Variable and its value.
    assert run.report["failed_step"] == "resolve_run"
    assert "netsuite_shopify_prevent_refund" in run.report["reason"] and "'maybe'" in run.report["reason"]
    location = f"file://{tmp_path / 'reports'}"
    page = read_report_page(report_file(location, DAG_ID, run.run_id, "html").read_text(encoding="utf-8"))
    assert page.banners[0][0] == "stopped-banner" and "netsuite_shopify_prevent_refund" in page.banners[0][1]
    # The alert: one message saying the run stopped and why.
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert "stopped before handling any order" in mail["Subject"] and run.run_id in mail["Subject"]
    assert "Stopped at resolve_run: netsuite_shopify_prevent_refund" in mail.get_content()
    # The ledger lists the run as failed, with its reason (what Browse → Cancel sync shows).
    (row,) = Ledger(ledger_url).runs([DAG_ID])
    assert (row["run_id"], row["state"], row["failed_step"]) == (run.run_id, "failed", "resolve_run")
    assert "'maybe'" in row["reason"] and row["orders"] == 0
