"""Both sandboxes served by processes of their own (the benchmark's runner), read over their control endpoints."""

from __future__ import annotations

import os

import pytest
import requests

from include.cancel_sync.shopify.documents import ORDER_STATES_QUERY
from sandbox.processes import SandboxControl, SandboxProcesses
from sandbox.runner import Sandboxes, SandboxOptions
from sandbox.world import build_world
from tests.conftest import WORLD_END, WORLD_START
from tests.timing import HTTP_TIMEOUT


def test_each_sandbox_runs_in_its_own_process_with_the_same_connections_and_records():
    world = build_world(20, WORLD_START, WORLD_END, seed=5)
    with SandboxProcesses(world, SandboxOptions(shopify_preset="plus")) as sandboxes:
        control = SandboxControl.of(sandboxes)
        cpu = control.cpu()
        assert len({cpu["netsuite"]["pid"], cpu["shopify"]["pid"], os.getpid()}) == 3
        assert {cpu["netsuite"]["pid"], cpu["shopify"]["pid"]} == set(sandboxes.pids)
        assert all(times["user"] + times["system"] > 0 for times in cpu.values())

        shopify = sandboxes.connections()["shopify_default"]
        gids = [f"gid://shopify/Order/{order.id}" for order in world.shopify_orders]
        reply = requests.post(
            f"{shopify['host']}/admin/api/2026-10/graphql.json",
            json={"query": ORDER_STATES_QUERY, "variables": {"ids": gids}},
            headers={"X-Shopify-Access-Token": shopify["password"]},
            timeout=HTTP_TIMEOUT,
        ).json()
        assert len([node for node in reply["data"]["nodes"] if node]) == len(world.shopify_orders)

        stats = control.shopify_stats()
        assert (stats["requests"], stats["executed"]) == (1, 1)
        assert stats["throttle_status"]["restoreRate"] == 1000.0 and stats["restore_lost"] >= 0
        assert control.cancel_calls() == []
        assert control.netsuite_stats()["requests"] == 0 and control.netsuite_timeline() == []
    with pytest.raises(requests.ConnectionError):
        control.shopify_stats()  # stopped with the runner


def test_the_control_reads_in_process_sandboxes_alike():
    world = build_world(5, WORLD_START, WORLD_END, seed=5)
    with Sandboxes(world) as sandboxes:
        control = SandboxControl.of(sandboxes)
        assert control.cpu()["netsuite"]["pid"] == control.cpu()["shopify"]["pid"] == os.getpid()
        assert control.shopify_stats()["requests"] == 0


def test_m2m_connections_need_the_in_process_runner():
    world = build_world(5, WORLD_START, WORLD_END, seed=5)
    with pytest.raises(ValueError, match="M2M"):
        SandboxProcesses(world, SandboxOptions(netsuite_auth="m2m"))
