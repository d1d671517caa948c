"""Background runs (adapter/api/response_store.py) on real stores: the lease, cancellation
here and from another replica, failures, and a runner that dies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from adapter.api.response_store import StorePlan, queued_response, start_background
from adapter.errors import AdapterError
from adapter.store import Store
from adapter.store.items import new_id

KEY = "background-test-key-0000000000"


def plan_and_queued(store: Store) -> tuple[StorePlan, dict[str, Any]]:
    plan = StorePlan(store, store.owner_for(KEY), save=True, background=True)
    queued = queued_response(new_id("resp"), int(time.time()), "gemini-2.5-flash", plan.echo())
    return plan, queued


async def wait_status(store: Store, owner: str, rid: str, status: str, within_s: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < within_s:
        got = await store.get_response(owner, rid)
        if got is not None and got.status == status:
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    got = await store.get_response(owner, rid)
    raise AssertionError(f"status {got.status if got else None!r}, wanted {status!r}")


async def test_runs_to_completion(make_store: Callable[..., Any]) -> None:
    store: Store = await make_store(lease_s=0.6)
    plan, queued = plan_and_queued(store)
    svc = SimpleNamespace(background={})

    async def produce() -> dict[str, Any]:
        await asyncio.sleep(1.0)  # longer than the lease: renewals keep it alive
        return {**queued, "status": "completed", "output": [{"type": "message", "id": "m"}]}

    await start_background(svc, plan, queued, produce)  # type: ignore[arg-type]
    got = await store.get_response(plan.owner, queued["id"])
    assert got is not None and got.status in ("queued", "in_progress")
    await asyncio.sleep(0.1)
    assert await store.fail_lapsed() == 0
    await asyncio.sleep(0.7)
    assert await store.fail_lapsed() == 0  # renewed past its first lease
    await wait_status(store, plan.owner, queued["id"], "completed", 3)
    assert svc.background == {}


async def test_cancel_from_another_replica_stops_the_runner(
    make_store: Callable[..., Any],
) -> None:
    store: Store = await make_store(lease_s=0.3)
    plan, queued = plan_and_queued(store)
    svc = SimpleNamespace(background={})
    stopped = asyncio.Event()

    async def produce() -> dict[str, Any]:
        try:
            await asyncio.sleep(30)
        finally:
            stopped.set()
        return queued

    await start_background(svc, plan, queued, produce)  # type: ignore[arg-type]
    await asyncio.sleep(0.1)
    await store.cancel_response(plan.owner, queued["id"])  # as another process would
    await asyncio.wait_for(stopped.wait(), 2)
    await asyncio.sleep(0.1)
    got = await store.get_response(plan.owner, queued["id"])
    assert got is not None and got.status == "cancelled"


async def test_upstream_error_fails_the_response(make_store: Callable[..., Any]) -> None:
    store: Store = await make_store()
    plan, queued = plan_and_queued(store)

    async def produce() -> dict[str, Any]:
        raise AdapterError(429, "Quota exceeded.")

    await start_background(SimpleNamespace(background={}), plan, queued, produce)  # type: ignore[arg-type]
    await wait_status(store, plan.owner, queued["id"], "failed", 3)
    got = await store.get_response(plan.owner, queued["id"])
    assert got is not None
    assert got.body["error"] == {"code": "rate_limit_exceeded", "message": "Quota exceeded."}


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
async def test_dead_runner_is_failed_once_its_lease_lapses(
    make_store: Callable[..., Any],
) -> None:
    """The runner's process stops (its task dies without a word); the maintenance of any
    process marks the response failed within 5 s with the default 3 s lease."""
    from adapter.store.maintenance import maintain

    runner_store: Store = await make_store()  # lease 3 s
    other: Store = await make_store()  # another replica's store on the same database
    plan, queued = plan_and_queued(runner_store)
    svc = SimpleNamespace(background={})

    async def produce() -> dict[str, Any]:
        await asyncio.sleep(60)
        return queued

    await start_background(svc, plan, queued, produce)  # type: ignore[arg-type]
    await asyncio.sleep(0.2)
    died = time.monotonic()
    task = svc.background[queued["id"]]
    task.cancel()  # the runner is gone: no more renewals, nothing written
    housekeeping = asyncio.create_task(maintain(other))
    try:
        await wait_status(other, plan.owner, queued["id"], "failed", 6)
    finally:
        housekeeping.cancel()
    assert time.monotonic() - died < 5
    got = await other.get_response(plan.owner, queued["id"])
    assert got is not None and got.body["error"]["code"] == "server_error"
