"""A smaller version of the load run (the full 20,000 is `python -m tests.cancel_sync.load_with_faults`)."""

import pytest

from tests.cancel_sync.load_with_faults import run_load


@pytest.mark.parametrize("prevent_refund", [False, True], ids=["refunds-allowed", "refunds-prevented"])
def test_every_order_accounted_for_under_faults(tmp_path, prevent_refund):
    figures = run_load(600, 0.03, prevent_refund, tmp_path, seed=3)
    assert figures["faults injected"] > 10  # the faults really happened
    assert figures["cancelled"] == 600
    assert figures["duplicates"] == 0
    assert figures["unwanted refunds"] == 0
    assert figures["orders without final ledger row"] == 0
    assert figures["open ledger rows"] == 0
