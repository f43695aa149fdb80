"""Deliver an alert through Airflow's notifier mechanism, by e-mail (SMTP) or a Slack-style webhook.

Configured by the connection `netsuite_shopify_alerts`; without it, alerts are only logged.
- conn_type `smtp` (or `email`): host, port (465 = implicit TLS), login/password (optional),
  extra `to` (comma-separated or a list), `from_email` (default: login), `starttls` (true/false),
  `recent_runs` (how many runs "keeps failing" looks back over, default 5).
- conn_type `slackwebhook` (or `http`): password = the webhook URL, or its token under host
  (default https://hooks.slack.com/services); the alert is POSTed as {"text": ...}.
Secrets (password, webhook URL) never appear in a message or a log line.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from airflow.sdk import BaseNotifier

from include.cancel_sync.alerts.rules import DEFAULT_RECENT_RUNS, Alert
from include.cancel_sync.constants import ALERTS_CONN_ID

log = logging.getLogger(__name__)

EMAIL_TYPES = ("smtp", "email")
WEBHOOK_TYPES = ("slackwebhook", "slack_webhook", "http", "https")
SLACK_WEBHOOK_BASE = "https://hooks.slack.com/services"


class AlertDeliveryError(RuntimeError):
    """The alert could not be sent; the message names the channel, never its secret."""


def alerts_connection(conn_id: str = ALERTS_CONN_ID) -> Any | None:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def recent_runs_setting(connection: Any | None) -> int:
    extra = connection.extra_dejson if connection is not None else {}
    try:
        return max(2, int(extra.get("recent_runs", DEFAULT_RECENT_RUNS)))
    except (TypeError, ValueError):
        return DEFAULT_RECENT_RUNS


class CancelSyncAlertNotifier(BaseNotifier):
    """`CancelSyncAlertNotifier(alert)(context)`; a no-op (logged) when the connection does not exist."""

    # The alert holds tranids and reasons from NetSuite and Shopify: data, never Jinja templates.
    template_fields = ()

    def __init__(self, alert: Alert, conn_id: str = ALERTS_CONN_ID) -> None:
        super().__init__()
        self.alert = alert
        self.conn_id = conn_id

    def notify(self, context: Any) -> None:
        connection = alerts_connection(self.conn_id)
        if connection is None:
            log.info("No connection %s: alert not sent.\n%s", self.conn_id, self.alert.text)
            return
        kind = (connection.conn_type or "").lower()
        if kind in EMAIL_TYPES:
            send_email(connection, self.alert)
        elif kind in WEBHOOK_TYPES:
            post_webhook(connection, self.alert)
        else:
            raise AlertDeliveryError(f"connection {self.conn_id} has type {kind!r}; use smtp or slackwebhook")
        log.info("Alert sent through %s (%s): %s", self.conn_id, kind, self.alert.subject)


def _mask(*secrets: Any) -> None:
    from airflow.sdk.log import mask_secret

    for secret in secrets:
        if secret:
            mask_secret(str(secret))


def recipients(extra: dict[str, Any]) -> list[str]:
    raw = extra.get("to") or []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [item.strip() for item in items if str(item).strip()]


def send_email(connection: Any, alert: Alert) -> None:
    extra = connection.extra_dejson
    to = recipients(extra)
    if not to:
        raise AlertDeliveryError(f"connection {connection.conn_id} has no recipients (extra `to`)")
    _mask(connection.password)
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = extra.get("from_email") or connection.login or "airflow@localhost"
    message["To"] = ", ".join(to)
    message.set_content(alert.text)
    port = int(connection.port or 25)
    implicit_tls = port == 465 or str(extra.get("ssl", "")).lower() == "true"
    smtp_class = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
    try:
        with smtp_class(connection.host or "localhost", port, timeout=30) as server:
            if not implicit_tls and str(extra.get("starttls", "")).lower() == "true":
                server.starttls(context=ssl.create_default_context())
            if connection.login and connection.password:
                server.login(connection.login, connection.password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertDeliveryError(
            f"e-mail through {connection.host}:{port} failed: {type(exc).__name__}"
        ) from None  # the chained error may quote the server's reply to our credentials


def webhook_url(connection: Any) -> str:
    secret = (connection.password or "").strip()
    if secret.startswith(("https://", "http://")):
        return secret
    base = (connection.host or SLACK_WEBHOOK_BASE).rstrip("/")
    if "://" not in base:
        base = f"https://{base}"
    return f"{base}/{secret.lstrip('/')}" if secret else base


def post_webhook(connection: Any, alert: Alert) -> None:
    import requests

    url = webhook_url(connection)
    _mask(connection.password, url)
    try:
        reply = requests.post(url, json={"text": alert.text}, timeout=30)
    except requests.RequestException as exc:
        # requests quotes the URL in its errors, and the URL is the secret
        raise AlertDeliveryError(f"webhook of {connection.conn_id} failed: {type(exc).__name__}") from None
    if reply.status_code >= 300:
        raise AlertDeliveryError(f"webhook of {connection.conn_id} answered HTTP {reply.status_code}")
