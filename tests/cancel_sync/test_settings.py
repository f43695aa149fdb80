import pytest

from include.cancel_sync.constants import CANCEL_ENABLED_VARIABLE, PREVENT_REFUND_VARIABLE
from include.cancel_sync.settings import (
    SettingsError,
    SyncSettings,
    load_settings,
    parse_bool,
    parse_order_ids,
)


def variables(**values):
    return lambda name, default: values.get(name, default)


@pytest.mark.parametrize("raw", ["true", "TRUE", " True ", "1", "yes", "YES", "on", True])
def test_true_spellings(raw):
    assert parse_bool("v", raw) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "NO", "off", False])
def test_false_spellings(raw):
    assert parse_bool("v", raw) is False


@pytest.mark.parametrize("raw", ["", "maybe", "tru", "2", "null", "None", "-1"])
def test_garbage_toggle_fails_naming_the_variable(raw):
    with pytest.raises(SettingsError, match=PREVENT_REFUND_VARIABLE):
        load_settings(variables(**{PREVENT_REFUND_VARIABLE: raw}), {})


def test_defaults_match_the_connector():
    settings = load_settings(variables(), {})
    assert settings.cancel_enabled is False  # off until ticked
    assert settings.prevent_refund is False  # Shopify refunds paid orders by default
    assert settings.link_field == "custbody_fa_channel_order"
    assert settings.reason == "OTHER" and not settings.restock and not settings.notify_customer
    assert settings.may_cancel is False


def test_dry_run_forbids_cancelling_even_when_enabled():
    settings = load_settings(variables(**{CANCEL_ENABLED_VARIABLE: "yes"}), {"dry_run": True})
    assert settings.cancel_enabled and not settings.may_cancel


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("netsuite_shopify_link_field", "custbody_x; DROP TABLE"),
        ("netsuite_shopify_link_field", "tranid"),
        ("netsuite_shopify_cancel_reason", "BECAUSE"),
        ("netsuite_shopify_window_overlap_minutes", "-3"),
        ("netsuite_shopify_window_overlap_minutes", "ten"),
    ],
)
def test_other_variables_are_validated(name, raw):
    with pytest.raises(SettingsError, match=name):
        load_settings(variables(**{name: raw}), {})


def test_order_ids_from_string_or_list():
    assert parse_order_ids("101, 102 103,101") == (101, 102, 103)
    assert parse_order_ids([5, "6"]) == (5, 6)
    assert parse_order_ids(None) == ()
    with pytest.raises(SettingsError, match="netsuite_order_ids"):
        parse_order_ids("12,abc")
    with pytest.raises(SettingsError, match="netsuite_order_ids"):
        parse_order_ids("-4")


def test_settings_round_trip_through_xcom_form():
    settings = load_settings(variables(**{CANCEL_ENABLED_VARIABLE: "1"}), {"netsuite_order_ids": "7,8"})
    assert SyncSettings.from_dict(settings.to_dict()) == settings
