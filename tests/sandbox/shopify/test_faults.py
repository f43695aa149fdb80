"""Fault injection through POST /_sandbox/faults: Shopify-shaped failures, replayable by seed."""

from __future__ import annotations

import pytest
import requests

ORDER = '{ order(id: "gid://shopify/Order/1") { id } }'
CANCEL = (
    'mutation { orderCancel(orderId: "gid://shopify/Order/2", reason: OTHER, restock: true, '
    "refundMethod: {originalPaymentMethodsRefund: true}) { job { id } } }"
)


def set_faults(sandbox, *rules: dict, seed: int = 0) -> dict:
    response = sandbox.control("POST", "faults", {"rules": list(rules), "seed": seed})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_injected_throttle_looks_like_shopifys(shopify):
    set_faults(shopify, {"kind": "throttled", "nth": [2]})
    first, second, third = (shopify.post(ORDER) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 200)
    assert "data" in first.json() and "data" in third.json()
    body = second.json()
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert set(body["extensions"]["cost"]["throttleStatus"]) == {
        "maximumAvailable",
        "currentlyAvailable",
        "restoreRate",
    }


def test_http_429_carries_retry_after(shopify):
    set_faults(shopify, {"kind": "http_429", "nth": [1]})
    response = shopify.post(ORDER)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1.0"
    assert "errors" in response.json()


@pytest.mark.parametrize(("kind", "status"), [("http_500", 500), ("http_502", 502), ("http_503", 503)])
def test_server_errors(shopify, kind, status):
    set_faults(shopify, {"kind": kind, "nth": [1]})
    response = shopify.post(ORDER)
    assert response.status_code == status
    if kind == "http_502":  # the edge answers with a page, not JSON
        assert response.headers["Content-Type"].startswith("text/html")
    else:
        assert response.json() == {"errors": "Internal Server Error" if status == 500 else "Service Unavailable"}


def test_a_fault_on_a_mutation_means_it_never_ran(shopify):
    set_faults(shopify, {"kind": "http_503", "body_contains": "orderCancel", "nth": [1]})
    assert shopify.post(ORDER).status_code == 200
    assert shopify.post(CANCEL).status_code == 503
    assert shopify.app.store.cancel_calls == []
    assert shopify.post(CANCEL).status_code == 200
    assert len(shopify.app.store.cancel_calls) == 1


def test_a_truncated_reply_hides_a_cancel_that_did_happen(shopify):
    set_faults(shopify, {"kind": "truncate", "body_contains": "orderCancel", "nth": [1]})
    with pytest.raises(requests.exceptions.RequestException):
        shopify.post(CANCEL).json()
    [call] = shopify.app.store.cancel_calls
    assert call.accepted
    assert len(shopify.app.store.refunds) == 1


def test_a_dropped_connection_runs_nothing(shopify):
    set_faults(shopify, {"kind": "drop", "body_contains": "orderCancel", "nth": [1]})
    with pytest.raises(requests.exceptions.ConnectionError):
        shopify.post(CANCEL)
    assert shopify.app.store.cancel_calls == []


def faulted_ordinals(sandbox, seed: int) -> list[int]:
    set_faults(sandbox, {"kind": "http_500", "probability": 0.3}, seed=seed)
    return [ordinal for ordinal in range(1, 41) if sandbox.post(ORDER).status_code == 500]


def test_probabilistic_faults_replay_identically_for_a_seed(make_shopify, make_order):
    first, second = make_shopify([make_order(1)]), make_shopify([make_order(1)])
    run = faulted_ordinals(first, seed=11)
    assert run == faulted_ordinals(second, seed=11)
    assert run == faulted_ordinals(first, seed=11)  # replacing the plan resets its counters
    assert 0 < len(run) < 40
    other_seed = faulted_ordinals(first, seed=12)
    assert run != other_seed
    injected = first.control("GET", "faults").json()["injected"]
    assert [fault["ordinal"] for fault in injected] == other_seed
