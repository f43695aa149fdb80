"""The settings check judges every Variable and connection exactly as a run would, and never shows a secret."""

from __future__ import annotations

import json

import pytest
from airflow.models.connection import Connection

from include.cancel_sync.constants import (
    ALERTS_CONN_ID,
    LEDGER_CONN_ID,
    NETSUITE_APP_URL_VARIABLE,
    NETSUITE_CONN_ID,
    OVERLAP_VARIABLE,
    PREVENT_REFUND_VARIABLE,
    REASON_VARIABLE,
    REPORT_LOCATION_VARIABLE,
    SHOPIFY_ADMIN_URL_VARIABLE,
    SHOPIFY_CONN_ID,
    STORES_VARIABLE,
    SWEEP_DAYS_VARIABLE,
)
from include.cancel_sync.settings import _VARIABLES, SettingsError, load_settings
from include.cancel_sync.ui.server_settings import probe_ledger
from include.cancel_sync.ui.settings_check import Verdict, check_settings

SECRETS = ("consumer-secret-xyz", "token-secret-xyz", "shpat_secret_token", "smtp-pass-xyz", "hooks-secret-path")


class Source:
    def __init__(self, variables=None, connections=None):
        self.variables = variables or {}
        self.connections = connections or {}

    def variable(self, name):
        return self.variables.get(name)

    def connection(self, conn_id):
        return self.connections.get(conn_id)


def connection(conn_id, conn_type="http", extra=None, **fields):
    return Connection(conn_id=conn_id, conn_type=conn_type, extra=json.dumps(extra or {}), **fields)


def good_connections(tmp_path):
    return {
        NETSUITE_CONN_ID: connection(
            NETSUITE_CONN_ID,
            host="https://1234567-sb1.suitetalk.api.netsuite.com",
            login="consumer-key",
            password="consumer-secret-xyz",
            extra={
                "account_id": "1234567_SB1",
                "token_id": "token-id",
                "token_secret": "token-secret-xyz",
                "timezone": "America/Los_Angeles",
            },
        ),
        SHOPIFY_CONN_ID: connection(
            SHOPIFY_CONN_ID, host="https://my-shop.myshopify.com", password="shpat_secret_token"
        ),
        LEDGER_CONN_ID: connection(LEDGER_CONN_ID, "sqlite", host=str(tmp_path / "ledger.sqlite")),
        ALERTS_CONN_ID: connection(
            ALERTS_CONN_ID,
            "smtp",
            host="mail.example.com",
            port=587,
            password="smtp-pass-xyz",
            extra={"to": "a@x, b@x"},
        ),
    }


def check(source, probe=probe_ledger):
    return check_settings(source, "file:///var/airflow/reports", probe)


def by_name(result):
    return {item.name: item for item in result.variables + result.connections}


def test_a_fresh_deployment_uses_the_defaults_and_lacks_only_the_two_connections_every_run_needs():
    result = check(Source())
    items = by_name(result)
    assert {name for name, *_ in _VARIABLES.values()} | {
        SWEEP_DAYS_VARIABLE,
        STORES_VARIABLE,
        REPORT_LOCATION_VARIABLE,
        NETSUITE_APP_URL_VARIABLE,
        SHOPIFY_ADMIN_URL_VARIABLE,
    } == {item.name for item in result.variables}
    assert all(item.verdict == Verdict.DEFAULT for item in result.variables)
    assert items[PREVENT_REFUND_VARIABLE].note == "a run uses the default: false"
    assert [item.name for item in result.problems] == [NETSUITE_CONN_ID, SHOPIFY_CONN_ID]
    assert {items[c].verdict for c in (NETSUITE_CONN_ID, SHOPIFY_CONN_ID)} == {Verdict.MISSING}
    assert items[LEDGER_CONN_ID].verdict == items[ALERTS_CONN_ID].verdict == Verdict.DEFAULT


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (PREVENT_REFUND_VARIABLE, "maybe"),
        (PREVENT_REFUND_VARIABLE, ""),
        (OVERLAP_VARIABLE, "-5"),
        (OVERLAP_VARIABLE, "ten"),
        (REASON_VARIABLE, "BECAUSE"),
        ("netsuite_shopify_link_field", "memo"),
    ],
)
def test_a_bad_merchant_variable_is_invalid_with_the_very_error_a_run_fails_with(variable, value, tmp_path):
    items = by_name(check(Source({variable: value}, good_connections(tmp_path))))
    with pytest.raises(SettingsError) as run_error:
        load_settings(lambda name, default: {variable: value}.get(name, default), {})
    assert items[variable].verdict == Verdict.INVALID
    assert items[variable].note.startswith(str(run_error.value))
    assert items[variable].shown == (value or "''")  # an empty value shown as such


def test_good_values_are_valid_and_say_what_a_run_uses(tmp_path):
    variables = {PREVENT_REFUND_VARIABLE: " Yes ", REASON_VARIABLE: "customer", OVERLAP_VARIABLE: "30"}
    result = check(Source(variables, good_connections(tmp_path)))
    items = by_name(result)
    assert items[PREVENT_REFUND_VARIABLE].verdict == Verdict.VALID
    assert (
        items[PREVENT_REFUND_VARIABLE].shown == "' Yes '" and items[PREVENT_REFUND_VARIABLE].note == "a run uses: true"
    )
    assert items[REASON_VARIABLE].note == "a run uses: CUSTOMER"
    assert result.problems == []


@pytest.mark.parametrize(
    ("location", "verdict", "said"),
    [
        ("file:///srv/reports", Verdict.VALID, "reports go to file:///srv/reports/netsuite_shopify_cancel_sync"),
        ("s3://bucket/reports", Verdict.INVALID, "No filesystem registered for scheme s3"),
        ("", Verdict.INVALID, "writes no report files"),
        ("reports", Verdict.VALID, "relative path"),
    ],
)
def test_the_report_location_is_judged_by_the_path_the_report_task_opens(location, verdict, said, tmp_path):
    item = by_name(check(Source({REPORT_LOCATION_VARIABLE: location}, good_connections(tmp_path))))[
        REPORT_LOCATION_VARIABLE
    ]
    assert item.verdict == verdict and said in item.note


def test_link_overrides_off_set_or_not_a_web_address(tmp_path):
    connections = good_connections(tmp_path)
    derived = by_name(check(Source({}, connections)))
    assert "https://1234567-sb1.app.netsuite.com" in derived[NETSUITE_APP_URL_VARIABLE].note
    assert "https://admin.shopify.com/store/my-shop/orders" in derived[SHOPIFY_ADMIN_URL_VARIABLE].note
    variables = {NETSUITE_APP_URL_VARIABLE: "javascript:alert(1)", SHOPIFY_ADMIN_URL_VARIABLE: ""}
    items = by_name(check(Source(variables, connections)))
    assert items[NETSUITE_APP_URL_VARIABLE].verdict == Verdict.INVALID
    assert items[SHOPIFY_ADMIN_URL_VARIABLE].verdict == Verdict.VALID
    assert "no order" in items[SHOPIFY_ADMIN_URL_VARIABLE].note


def test_connections_are_checked_by_the_hooks_own_rules(tmp_path):
    connections = good_connections(tmp_path)
    items = by_name(check(Source({}, connections)))
    assert all(items[c].verdict == Verdict.VALID for c in (NETSUITE_CONN_ID, SHOPIFY_CONN_ID, LEDGER_CONN_ID))
    assert "time zone America/Los_Angeles" in items[NETSUITE_CONN_ID].shown
    assert "token-based" in items[NETSUITE_CONN_ID].shown
    assert items[ALERTS_CONN_ID].shown == "e-mail through mail.example.com:587 to 2 recipient(s)"

    netsuite = connections[NETSUITE_CONN_ID]
    netsuite.set_extra(json.dumps({"account_id": "1234567_SB1", "certificate_id": "cert"}))  # no time zone
    connections[SHOPIFY_CONN_ID] = connection(SHOPIFY_CONN_ID, host="https://my-shop.myshopify.com")  # no token
    connections[LEDGER_CONN_ID] = connection(LEDGER_CONN_ID, "mysql", host="db")
    connections[ALERTS_CONN_ID] = connection(ALERTS_CONN_ID, "smtp", host="mail.example.com")  # nobody to tell
    items = by_name(check(Source({}, connections)))
    assert items[NETSUITE_CONN_ID].verdict == Verdict.INVALID
    assert "extra timezone is not set" in items[NETSUITE_CONN_ID].note and "M2M" in items[NETSUITE_CONN_ID].shown
    assert "no password" in items[SHOPIFY_CONN_ID].note and items[SHOPIFY_CONN_ID].verdict == Verdict.INVALID
    assert "must be of type sqlite or postgres" in items[LEDGER_CONN_ID].note
    assert "no recipients" in items[ALERTS_CONN_ID].note


def test_an_unreachable_ledger_is_a_problem(tmp_path):
    connections = good_connections(tmp_path)
    connections[LEDGER_CONN_ID] = connection(LEDGER_CONN_ID, "sqlite", host=str(tmp_path / "no" / "such" / "dir.db"))
    item = by_name(check(Source({}, connections)))[LEDGER_CONN_ID]
    assert item.verdict == Verdict.INVALID and "OperationalError" in item.note


def test_no_secret_is_ever_shown(tmp_path):
    connections = good_connections(tmp_path)
    connections[ALERTS_CONN_ID] = connection(
        ALERTS_CONN_ID, "slackwebhook", password="https://hooks.slack.com/services/hooks-secret-path"
    )
    result = check(Source({}, connections))
    text = json.dumps([[item.name, item.shown, item.note] for item in result.variables + result.connections])
    assert not [secret for secret in SECRETS if secret in text]
    assert by_name(result)[ALERTS_CONN_ID].verdict == Verdict.VALID
