"""Property tests of the whole decision-and-cancel path, judged by the Shopify sandbox's own record.

For any mix of NetSuite statuses, Shopify states, links and settings:
- an order is cancelled only if NetSuite counts it as canceled and the toggle is on (and no dry run);
- a refund is asked only if prevent-refund is off, and money moves only where asked;
- running the same window again never cancels anything twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from include.cancel_sync.ledger import Ledger
from include.cancel_sync.settings import SyncSettings
from sandbox.model import SalesOrder, SalesOrderLine, ShopifyOrder
from sandbox.runner import Sandboxes
from sandbox.world import DEFAULT_LINK_FIELD, World
from tests.cancel_sync.step_runner import run_like_airflow
from tests.conftest import WORLD_START

FINANCIAL = ["AUTHORIZED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED"]
FULFILLMENT = ["UNFULFILLED", "FULFILLED", "PARTIALLY_FULFILLED", "IN_PROGRESS", "ON_HOLD", "SCHEDULED"]

orders = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from("ABCDEFGH"),
            "shipped": st.booleans(),
            "financial": st.sampled_from(FINANCIAL),
            "fulfillment": st.sampled_from(FULFILLMENT),
            "returning": st.booleans(),
            "cancelled": st.booleans(),
            "link": st.sampled_from(["numeric", "gid", "missing", "garbage"]),
        }
    ),
    min_size=1,
    max_size=12,
)
toggles = st.fixed_dictionaries(
    {"cancel_enabled": st.booleans(), "prevent_refund": st.booleans(), "dry_run": st.booleans()}
)


def make_world(specs: list[dict]) -> tuple[World, dict[str, dict]]:
    world = World()
    by_gid = {}
    for index, spec in enumerate(specs):
        modified = WORLD_START + timedelta(minutes=index)
        shopify_id = 7_000 + index
        link = {
            "numeric": str(shopify_id),
            "gid": f"gid://shopify/Order/{shopify_id}",
            "missing": str(shopify_id),
            "garbage": "x1",
        }
        world.sales_orders.append(
            SalesOrder(
                id=100 + index,
                tranid=f"SO{100 + index}",
                status=spec["status"],
                last_modified=modified,
                trandate=modified.date(),
                fields={DEFAULT_LINK_FIELD: link[spec["link"]]},
                lines=[SalesOrderLine(line=1, item="SKU-1", quantity=2, quantity_shipped=1 if spec["shipped"] else 0)],
            )
        )
        world.scenarios[100 + index] = "cancel_paid"  # unused here; the spec is the ground truth
        if spec["link"] != "missing":
            created = datetime(2026, 1, 14)
            world.shopify_orders.append(
                ShopifyOrder(
                    id=shopify_id,
                    name=f"#{shopify_id}",
                    created_at=created,
                    updated_at=created,
                    financial_status=spec["financial"],
                    fulfillment_status=spec["fulfillment"],
                    return_status="IN_PROGRESS" if spec["returning"] else "NO_RETURN",
                    cancelled_at=created if spec["cancelled"] else None,
                    total="20.00",
                )
            )
        by_gid[f"gid://shopify/Order/{shopify_id}"] = spec
    return world, by_gid


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders, toggles)
def test_cancel_only_what_qualifies_refund_only_when_allowed_never_twice(tmp_path_factory, specs, toggle):
    world, by_gid = make_world(specs)
    sync_settings = SyncSettings(**toggle)
    ledger = Ledger(f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.sqlite'}")
    with Sandboxes(world) as sandboxes:
        run_like_airflow(sandboxes, sync_settings, ledger, retries=0)
        run_like_airflow(sandboxes, sync_settings, ledger, retries=0)  # the same window again
        calls = sandboxes.shopify.store.cancel_calls
        refunds = sandboxes.shopify.store.refunds
    if not sync_settings.may_cancel:
        assert calls == [] and refunds == []
        return
    accepted = Counter(c.order_id for c in calls if c.accepted)
    assert all(n == 1 for n in accepted.values()), "cancelled twice"
    for call in calls:
        spec = by_gid[call.order_id]
        canceled_in_netsuite = spec["status"] == "C" or (spec["status"] == "H" and not spec["shipped"])
        assert canceled_in_netsuite and spec["link"] in ("numeric", "gid")
        assert not spec["cancelled"] and not spec["returning"]
        assert spec["fulfillment"] not in ("FULFILLED", "PARTIALLY_FULFILLED", "IN_PROGRESS")
        assert call.refund_requested is (
            not sync_settings.prevent_refund and spec["financial"] in ("PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED")
        )
    asked = {c.order_id for c in calls if c.refund_requested}
    assert all(m.order_id in asked for m in refunds if m.kind == "refund")
    if sync_settings.prevent_refund:
        assert [m for m in refunds if m.kind == "refund"] == []
