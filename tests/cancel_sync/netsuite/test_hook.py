"""The NetSuite hook on an OAuth 2.0 client credentials connection: it picks M2M from the connection, names what is
missing, sends only a bearer token, and registers the key and every token with Airflow's secrets masker."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from airflow.sdk.log import redact

from include.cancel_sync.errors import SyncError
from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.netsuite.queries import OrderColumns, canceled_orders_query
from include.cancel_sync.netsuite.time_zone import netsuite_clock
from include.cancel_sync.settings import SettingsError
from sandbox.runner import SandboxOptions

QUERY = canceled_orders_query(OrderColumns(("custbody_fa_channel_order",)), None, netsuite_clock("UTC"))


def use_connections(monkeypatch, connections):
    for conn_id, definition in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(definition))


def m2m_sandboxes(make_sandboxes, count=30, **options):
    return make_sandboxes(count=count, options=SandboxOptions(netsuite_auth="m2m", **options))


def record_requests(app) -> list:
    """Every request the NetSuite sandbox receives, token requests included."""
    seen = []
    respond = app.respond

    def recording(request):
        seen.append(request)
        return respond(request)

    app.respond = recording
    return seen


@pytest.mark.parametrize("algorithm", ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"])
def test_an_m2m_connection_reads_suiteql_with_one_token(make_sandboxes, monkeypatch, algorithm):
    sandboxes = m2m_sandboxes(make_sandboxes, netsuite_algorithm=algorithm)
    connection = sandboxes.connections()["netsuite_default"]
    assert ("algorithm" in connection["extra"]) == (algorithm in ("PS384", "PS512"))  # else the key's own
    use_connections(monkeypatch, sandboxes.connections())
    client = NetSuiteHook().get_client()
    client.page_size = 5
    rows = list(client.query(QUERY))
    assert {int(r["id"]) for r in rows} == sandboxes.world.ids_with(lambda s: s.extracted)
    stats = sandboxes.netsuite.stats
    assert (stats["token_requests"], stats["auth_failures"], stats["pages_served"]) == (1, 0, -(-len(rows) // 5))


def test_only_a_bearer_token_travels_and_the_extras_stay_home(make_sandboxes, monkeypatch):
    sandboxes = m2m_sandboxes(make_sandboxes)
    connections = sandboxes.connections()
    connections["netsuite_default"]["extra"]["scope"] = "rest_webservices"
    use_connections(monkeypatch, connections)
    seen = record_requests(sandboxes.netsuite)
    list(NetSuiteHook().get_client().query(QUERY))
    token_request, *suiteql = seen
    (token,) = sandboxes.netsuite.oauth2.issued_tokens()
    assert token_request.path.endswith("/oauth2/v1/token") and "authorization" not in token_request.headers
    assert token_request.header("content-type") == "application/x-www-form-urlencoded"
    assert suiteql and all(r.header("authorization") == f"Bearer {token}" for r in suiteql)
    key_lines = sandboxes.netsuite_m2m.key_fragments()[1:]
    for request in seen:
        for name in ("account_id", "certificate_id", "scope", "algorithm", "max_concurrency", "timeout", "timezone"):
            assert name not in request.headers
        for line in key_lines:  # the key signs; it is never sent
            assert line.encode() not in request.body and all(line not in v for v in request.headers.values())


def test_the_key_and_every_token_are_masked(make_sandboxes, monkeypatch):
    sandboxes = m2m_sandboxes(make_sandboxes)
    use_connections(monkeypatch, sandboxes.connections())
    client = NetSuiteHook().get_client()
    list(client.query(QUERY))
    sandboxes.netsuite.oauth2.expire_tokens()
    list(client.query(QUERY))  # the expired token is refused and renewed
    tokens = sandboxes.netsuite.oauth2.issued_tokens()
    assert len(tokens) == 2
    for secret in [sandboxes.netsuite_m2m.private_key_pem, *tokens]:
        assert secret not in redact(f"logged: {secret}")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("login", "login (client ID)"),
        ("password", "password (PEM private key)"),
        ("account_id", "extra account_id"),
    ],
)
def test_an_m2m_connection_missing_a_field_is_named(make_sandboxes, monkeypatch, field, message):
    connections = m2m_sandboxes(make_sandboxes, count=1).connections()
    netsuite = connections["netsuite_default"]
    netsuite.pop(field, None)
    netsuite["extra"].pop(field, None)
    use_connections(monkeypatch, connections)
    with pytest.raises(SyncError, match=re.escape(message)):
        NetSuiteHook().get_client()


def test_a_connection_with_neither_kind_of_authentication_names_both(make_sandboxes, monkeypatch):
    connections = m2m_sandboxes(make_sandboxes, count=1).connections()
    connections["netsuite_default"]["extra"].pop("certificate_id")
    use_connections(monkeypatch, connections)
    with pytest.raises(SyncError, match="certificate_id .* token_id and token_secret"):
        NetSuiteHook().get_client()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "the consumer secret"}, "not PEM text"),
        ({"algorithm": "PS256"}, "does not fit the private key"),
        ({"algorithm": "RS256"}, "not one NetSuite accepts"),
    ],
)
def test_a_key_or_algorithm_that_cannot_work_is_named(make_sandboxes, monkeypatch, change, message):
    connections = m2m_sandboxes(make_sandboxes, count=1).connections()  # an ES256 key
    netsuite = connections["netsuite_default"]
    netsuite.update({k: v for k, v in change.items() if k == "password"})
    netsuite["extra"].update({k: v for k, v in change.items() if k != "password"})
    use_connections(monkeypatch, connections)
    with pytest.raises(SyncError, match=message) as raised:
        NetSuiteHook().get_client()
    assert "netsuite_default" in str(raised.value)


def test_certificate_id_chooses_m2m_over_leftover_tba_extras(make_sandboxes, monkeypatch):
    sandboxes = m2m_sandboxes(make_sandboxes, count=10)
    connections = sandboxes.connections()
    connections["netsuite_default"]["extra"] |= {"token_id": "left-over", "token_secret": "left-over"}
    use_connections(monkeypatch, connections)
    assert list(NetSuiteHook().get_client().query(QUERY))
    assert sandboxes.netsuite.stats["token_requests"] == 1


def test_a_key_pasted_on_one_line_works(make_sandboxes, monkeypatch):
    sandboxes = m2m_sandboxes(make_sandboxes, count=10)
    connections = sandboxes.connections()
    connections["netsuite_default"]["password"] = sandboxes.netsuite_m2m.private_key_pem.replace("\n", " ")
    use_connections(monkeypatch, connections)
    assert list(NetSuiteHook().get_client().query(QUERY))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize(
    ("newkey", "options"),
    [
        ("rsa-pss", ["-pkeyopt", "rsa_keygen_bits:3072"]),  # README: 4096 works the same, slower to make
        ("ec", ["-pkeyopt", "ec_paramgen_curve:P-384"]),
    ],
)
def test_a_key_and_certificate_made_by_oracles_openssl_command_work(
    make_sandboxes, monkeypatch, tmp_path, newkey, options
):
    """section_0312092212's `openssl req -new -x509 -nodes -days 365 -newkey ...` (the README's commands)."""
    command = ["openssl", "req", "-new", "-x509", "-nodes", "-days", "365", "-newkey", newkey, *options]
    command += [
        "-subj",
        "/CN=netsuite-shopify",
        "-out",
        str(tmp_path / "public.pem"),
        "-keyout",
        str(tmp_path / "private.pem"),
    ]
    subprocess.run(command, check=True, capture_output=True)
    sandboxes = m2m_sandboxes(make_sandboxes, count=10)
    oauth2 = sandboxes.netsuite.oauth2
    client_id = oauth2.add_integration()
    certificate_id = oauth2.map_certificate(client_id, (tmp_path / "public.pem").read_text())
    connections = sandboxes.connections()
    netsuite = connections["netsuite_default"]
    netsuite.update(login=client_id, password=(tmp_path / "private.pem").read_text())
    netsuite["extra"]["certificate_id"] = certificate_id
    use_connections(monkeypatch, connections)
    assert list(NetSuiteHook().get_client().query(QUERY))
    assert oauth2.audit_trail == []


@pytest.mark.parametrize("netsuite_auth", ["tba", "m2m"])
def test_the_time_zone_is_required_and_read_from_the_connection(make_sandboxes, monkeypatch, netsuite_auth):
    sandboxes = make_sandboxes(count=3, options=SandboxOptions(netsuite_auth=netsuite_auth))
    connections = sandboxes.connections()
    extra = connections["netsuite_default"]["extra"]
    assert extra["timezone"] == "America/Los_Angeles"  # the test worlds' token user is on Pacific time
    use_connections(monkeypatch, connections)
    assert NetSuiteHook().get_client().clock.name == "America/Los_Angeles"

    for missing in ("", None):
        extra["timezone"] = missing
        use_connections(monkeypatch, connections)
        with pytest.raises(SettingsError) as refused:
            NetSuiteHook().get_client()
        message = str(refused.value)
        assert "connection netsuite_default extra timezone is not set" in message
        assert "Home > Set Preferences > Time Zone" in message and "America/Los_Angeles" in message
    extra["timezone"] = "Pacific Time"
    use_connections(monkeypatch, connections)
    with pytest.raises(SettingsError, match="must be an IANA time zone name"):
        NetSuiteHook().get_client()
