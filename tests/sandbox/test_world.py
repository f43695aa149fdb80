"""The world builder's scenarios, their ground truth, opt-in ones, and a world on Pacific time.

Sandboxes run on loopback; rows are read back with plain SuiteQL and GraphQL, so what the builder meant is
checked against what the sandboxes serve.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandbox.runner import Sandboxes, SandboxOptions
from sandbox.world import JOB_FAILURE, OPT_IN_SCENARIOS, SCENARIO_BY_NAME, SCENARIOS, build_world
from tests.timing import HTTP_TIMEOUT

START = datetime(2026, 1, 15, 0, 0)
END = datetime(2026, 1, 15, 6, 0)
LA = "America/Los_Angeles"


def only(*names: str) -> dict[str, int]:
    return {scenario.name: int(scenario.name in names) for scenario in SCENARIOS}


def suiteql(sandboxes: Sandboxes, query: str) -> list[dict]:
    response = sandboxes.netsuite_session().post(
        sandboxes.netsuite_url + "/services/rest/query/v1/suiteql",
        json={"q": query},
        headers={"Prefer": "transient"},
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_opt_in_scenarios_stay_out_of_default_worlds():
    assert OPT_IN_SCENARIOS == ("cancel_job_fails",)
    for world in (build_world(400, START, END, seed=3), build_world(60, START, END, seed=3, every_scenario=True)):
        assert not set(world.scenarios.values()) & set(OPT_IN_SCENARIOS)
        assert len(world.sales_orders) == len(world.scenarios) == len({o.id for o in world.sales_orders})
    with pytest.raises(ValueError, match="companion"):
        build_world(5, START, END, scenarios={"reentered_canceled_twin": 1})


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("cancel_paid", "cancelled"),
        ("pending_fulfillment", None),
        ("reentered_open", "linked_to_open_order"),
        ("reentered_all_canceled", "cancelled"),
        ("closed_billed_unshipped", "billed_in_netsuite"),
        ("fulfillment_in_progress", "cannot_cancel"),
        ("pending_fulfillment_service", "cannot_cancel"),
        ("on_hold", "cancelled"),
        ("scheduled", "cancelled"),
        ("request_declined", "cannot_cancel"),
        ("cancel_job_fails", "failed"),
    ],
)
def test_each_scenario_states_its_expected_outcome(name, outcome):
    assert SCENARIO_BY_NAME[name].expected_outcome == outcome


def test_every_scenario_that_a_run_reads_has_a_decision_and_no_other_does():
    for scenario in SCENARIOS:
        assert (scenario.decision is not None) == scenario.extracted, scenario.name
        assert scenario.cancellable == (scenario.expected_outcome == "cancelled"), scenario.name


def test_a_reentered_order_is_linked_from_a_newer_open_order_outside_the_window(make_sandboxes):
    world = build_world(2, START, END, seed=1, scenarios=only("reentered_open"))
    assert len(world.sales_orders) == 4 and len(world.shopify_orders) == 2
    for shopify in world.shopify_orders:
        canceled, replacement = world.linked(shopify.id)
        assert (world.scenarios[canceled], world.scenarios[replacement]) == (
            "reentered_open",
            "reentered_open_replacement",
        )
        assert world.sales_order(canceled).status == "C" and START <= world.sales_order(canceled).last_modified < END
        open_order = world.sales_order(replacement)
        assert open_order.status == "B" and open_order.last_modified == END + timedelta(days=3)
        assert open_order.fields[world.link_field] == f"  {shopify.id} "
    sandboxes = make_sandboxes(world=world)
    shopify_id = world.shopify_orders[0].id
    rows = suiteql(
        sandboxes,
        "SELECT t.id, BUILTIN.CF(t.status) AS status FROM transaction t WHERE t.type = 'SalesOrd' "
        f"AND TRIM(t.custbody_fa_channel_order) IN ('{shopify_id}', 'gid://shopify/Order/{shopify_id}') ORDER BY t.id",
    )
    assert [(int(r["id"]), r["status"]) for r in rows] == [
        (nid, f"SalesOrd:{world.sales_order(nid).status}") for nid in world.linked(shopify_id)
    ]


def test_two_canceled_orders_can_share_one_shopify_order():
    world = build_world(3, START, END, seed=2, scenarios=only("reentered_all_canceled"))
    assert len(world.shopify_orders) == 3 and len(world.sales_orders) == 6
    for shopify in world.shopify_orders:
        ids = world.linked(shopify.id)
        assert [world.sales_order(nid).status for nid in ids] == ["C", "H"]
        assert world.sales_order(ids[1]).fields[world.link_field] == f"gid://shopify/Order/{shopify.id}"
        assert all(START <= world.sales_order(nid).last_modified < END for nid in ids)
        assert all(line.quantity_shipped == 0 for line in world.sales_order(ids[1]).lines)


def test_billed_scenarios_bill_lines_in_netsuite(make_sandboxes):
    world = build_world(
        4,
        START,
        END,
        seed=5,
        scenarios=only("closed_billed_unshipped", "closed_cash_sale_unshipped"),
        every_scenario=True,
    )
    sandboxes = make_sandboxes(world=world)
    rows = suiteql(
        sandboxes,
        "SELECT t.id, l.nexttype, SUM(ABS(tl.quantitybilled)) AS billed, SUM(ABS(tl.quantityshiprecv)) AS shipped "
        "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' "
        "JOIN nexttransactionlinelink l ON l.previousdoc = t.id AND l.previousline = tl.id "
        "WHERE t.type = 'SalesOrd' GROUP BY t.id, l.nexttype ORDER BY t.id",
    )
    expected = []
    for order in sorted(world.sales_orders, key=lambda o: o.id):
        billed_lines = [line for line in order.lines if line.quantity_billed]
        bill_type = "CashSale" if order.billing == "cash_sale" else "CustInvc"
        expected.append((order.id, bill_type, sum(line.quantity_billed for line in billed_lines)))
        assert order.status == "H" and not any(line.quantity_shipped for line in order.lines)
    assert [(int(r["id"]), r["nexttype"], int(r["billed"])) for r in rows] == expected
    assert {r["shipped"] for r in rows} == {"0"}


def test_shopify_scenarios_carry_their_states(make_sandboxes):
    names = ("fulfillment_in_progress", "pending_fulfillment_service", "on_hold", "scheduled", "request_declined")
    world = build_world(10, START, END, seed=6, scenarios=only(*names, "cancel_job_fails"), every_scenario=True)
    by_id = {order.id: order for order in world.shopify_orders}
    for nid, name in world.scenarios.items():
        shopify = by_id[world.shopify_ids[nid]]
        scenario = SCENARIO_BY_NAME[name]
        assert shopify.fulfillment_status == scenario.fulfillment_status
        assert shopify.cancel_job_error == (JOB_FAILURE if name == "cancel_job_fails" else None)


@pytest.mark.parametrize("options_zone", [None, "Europe/Berlin"])
def test_a_world_on_pacific_time_serves_the_pacific_wall_clock(make_sandboxes, options_zone):
    world = build_world(30, START, END, seed=8, scenarios=only("cancel_paid"), netsuite_timezone=LA)
    zone = options_zone or LA
    sandboxes = make_sandboxes(world=world, options=SandboxOptions(netsuite_timezone=options_zone))
    assert sandboxes.netsuite_timezone == zone
    assert sandboxes.connections()["netsuite_default"]["extra"]["timezone"] == zone
    first = min(world.sales_orders, key=lambda order: order.last_modified)
    offset = {LA: timedelta(hours=-8), "Europe/Berlin": timedelta(hours=1)}[zone]  # January
    local = first.last_modified + offset
    row = suiteql(
        sandboxes,
        f"SELECT TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM transaction t WHERE t.id = {first.id}",
    )[0]
    assert row["modified"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert first.trandate <= (first.last_modified - timedelta(hours=8)).date()  # trandate is a Pacific date


def test_a_pacific_world_answers_a_utc_window_with_the_wrong_orders(make_sandboxes):
    world = build_world(40, START, END, seed=9, scenarios=only("cancel_paid"), netsuite_timezone=LA)
    sandboxes = make_sandboxes(world=world)

    def window(start: datetime, end: datetime) -> set[int]:
        rows = suiteql(
            sandboxes,
            "SELECT t.id FROM transaction t WHERE "
            f"t.lastmodifieddate >= TO_TIMESTAMP('{start:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS') AND "
            f"t.lastmodifieddate < TO_TIMESTAMP('{end:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS')",
        )
        return {int(row["id"]) for row in rows}

    every_order = {order.id for order in world.sales_orders}
    assert window(START, END) == set()  # UTC wall clock read as Pacific: 8 hours in the future
    assert window(START - timedelta(hours=8), END - timedelta(hours=8)) == every_order
