"""The store's semantics on every backend (SQLite file, PostgreSQL, memory): docs/store.md."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from adapter.errors import AdapterError
from adapter.store import Store, StoredResponse
from adapter.store.items import new_id, normalize_items

KEY_A = "AIzaSy-test-key-of-alice-000000000000"
KEY_B = "AIzaSy-test-key-of-bob-11111111111111"


def response(
    owner: str,
    text: str,
    previous: str | None = None,
    *,
    conversation: str | None = None,
    background: bool = False,
    status: str = "completed",
) -> StoredResponse:
    rid = new_id("resp")
    output = [
        {
            "type": "message",
            "id": new_id("msg"),
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": f"re: {text}", "annotations": []}],
        }
    ]
    return StoredResponse(
        id=rid,
        owner=owner,
        created_at=time.time(),
        status=status,
        body={"id": rid, "object": "response", "status": status, "output": output},
        input_items=normalize_items([{"role": "user", "content": text}], "input"),
        previous_response_id=previous,
        conversation_id=conversation,
        background=background,
    )


def texts(items: list[dict[str, Any]]) -> list[str]:
    return [item["content"][0]["text"] for item in items]


async def test_save_get_delete(store: Store) -> None:
    alice, bob = store.owner_for(KEY_A), store.owner_for(KEY_B)
    assert alice != bob
    saved = response(alice, "hi")
    assert await store.save_response(saved)
    got = await store.get_response(alice, saved.id)
    assert got is not None
    assert got.body == saved.body
    assert got.input_items == saved.input_items
    assert await store.get_response(bob, saved.id) is None
    assert not await store.delete_response(bob, saved.id)
    assert await store.delete_response(alice, saved.id)
    assert await store.get_response(alice, saved.id) is None
    assert not await store.delete_response(alice, saved.id)


async def test_history_walks_the_chain_oldest_first(store: Store) -> None:
    alice, bob = store.owner_for(KEY_A), store.owner_for(KEY_B)
    previous = None
    chain = []
    for text in ("one", "two", "three"):
        saved = response(alice, text, previous)
        assert await store.save_response(saved)
        chain.append(saved)
        previous = saved.id
    items = await store.history(alice, previous)  # type: ignore[arg-type]
    assert items is not None
    assert texts(items) == ["one", "re: one", "two", "re: two", "three", "re: three"]
    assert await store.history(bob, previous) is None  # type: ignore[arg-type]
    assert await store.history(alice, "resp_unknown") is None
    await store.delete_response(alice, chain[2].id)
    assert await store.history(alice, chain[2].id) is None


async def test_history_refuses_a_running_response(store: Store) -> None:
    alice = store.owner_for(KEY_A)
    running = response(alice, "slow", background=True, status="in_progress")
    await store.start_background(running)
    with pytest.raises(AdapterError) as caught:
        await store.history(alice, running.id)
    assert caught.value.status == 400
    assert caught.value.param == "previous_response_id"


async def test_input_items_pages(store: Store) -> None:
    alice = store.owner_for(KEY_A)
    saved = response(alice, "x")
    saved.input_items = normalize_items(
        [{"role": "user", "content": str(i)} for i in range(5)], "input"
    )
    await store.save_response(saved)
    ids = [item["id"] for item in saved.input_items]
    page = await store.input_items(alice, saved.id, 2, "asc", None)
    assert page is not None
    assert page.body()["first_id"] == ids[0] and page.body()["last_id"] == ids[1]
    assert page.has_more
    page = await store.input_items(alice, saved.id, 10, "asc", ids[3])
    assert page is not None and [i["id"] for i in page.data] == ids[4:] and not page.has_more
    page = await store.input_items(alice, saved.id, 2, "desc", None)
    assert page is not None and [i["id"] for i in page.data] == [ids[4], ids[3]]
    assert await store.input_items(store.owner_for(KEY_B), saved.id, 2, "asc", None) is None


async def test_expired_objects_vanish_and_are_swept(make_store: Callable[..., Any]) -> None:
    store: Store = await make_store(ttl_s=0.5)
    alice = store.owner_for(KEY_A)
    saved = response(alice, "short-lived")
    await store.save_response(saved)
    conversation = await store.create_conversation(alice, {}, normalize_items([], "items"))
    assert await store.get_response(alice, saved.id) is not None
    await asyncio.sleep(0.7)
    assert await store.get_response(alice, saved.id) is None
    assert await store.history(alice, saved.id) is None
    assert await store.get_conversation(alice, conversation["id"]) is None
    assert await store.sweep() == 2
    assert await store.sweep() == 0


async def test_background_cancel_and_lapsed_lease(make_store: Callable[..., Any]) -> None:
    store: Store = await make_store(lease_s=0.3)
    alice, bob = store.owner_for(KEY_A), store.owner_for(KEY_B)
    run = response(alice, "bg", background=True, status="queued")
    await store.start_background(run)
    assert await store.renew_lease(run.id) == "in_progress"
    assert (await store.cancel_response(bob, run.id)) is None
    cancelled = await store.cancel_response(alice, run.id)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert await store.renew_lease(run.id) == "cancelled"
    # The runner finishing late does not overwrite the cancellation.
    run.status = "completed"
    assert not await store.save_response(run)
    got = await store.get_response(alice, run.id)
    assert got is not None and got.body["status"] == "cancelled"

    lost = response(alice, "lost", background=True, status="in_progress")
    await store.start_background(lost)
    finished = response(alice, "done", background=True, status="in_progress")
    await store.start_background(finished)
    finished.status = finished.body["status"] = "completed"
    assert await store.save_response(finished)
    assert await store.fail_lapsed() == 0
    await asyncio.sleep(0.4)
    assert await store.fail_lapsed() == 1
    got = await store.get_response(alice, lost.id)
    assert got is not None and got.status == "failed"
    assert got.body["error"]["code"] == "server_error"
    got = await store.get_response(alice, finished.id)
    assert got is not None and got.body["status"] == "completed"


async def test_conversations(store: Store) -> None:
    alice, bob = store.owner_for(KEY_A), store.owner_for(KEY_B)
    items = normalize_items([{"role": "user", "content": "first"}], "items")
    conversation = await store.create_conversation(alice, {"topic": "t"}, items)
    cid = conversation["id"]
    assert conversation["object"] == "conversation" and cid.startswith("conv_")
    assert await store.get_conversation(bob, cid) is None
    assert await store.list_items(bob, cid, 10, "asc", None) is None
    assert await store.add_items(bob, cid, items) is None
    more = normalize_items([{"role": "user", "content": str(i)} for i in range(3)], "items")
    assert await store.add_items(alice, cid, more) == more
    page = await store.list_items(alice, cid, 2, "asc", None)
    assert page is not None and texts(page.data) == ["first", "0"] and page.has_more
    page = await store.list_items(alice, cid, 2, "asc", page.data[-1]["id"])
    assert page is not None and texts(page.data) == ["1", "2"] and not page.has_more
    page = await store.list_items(alice, cid, 3, "desc", None)
    assert page is not None and texts(page.data) == ["2", "1", "0"] and page.has_more
    assert await store.get_item(alice, cid, more[0]["id"]) == more[0]
    assert await store.get_item(bob, cid, more[0]["id"]) is None
    assert await store.delete_item(bob, cid, more[0]["id"]) is None
    assert (await store.delete_item(alice, cid, more[0]["id"]))["id"] == cid  # type: ignore[index]
    assert await store.get_item(alice, cid, more[0]["id"]) is None
    assert await store.update_conversation(bob, cid, {"x": "y"}) is None
    updated = await store.update_conversation(alice, cid, {"topic": "u"})
    assert updated is not None and updated["metadata"] == {"topic": "u"}

    # A response in the conversation appends its items atomically.
    turn = response(alice, "in conv", conversation=cid)
    new_items = turn.input_items + turn.body["output"]
    assert await store.save_response(turn, new_items)
    all_items = await store.all_items(alice, cid)
    assert all_items is not None and texts(all_items)[-2:] == ["in conv", "re: in conv"]
    # Someone else's conversation: nothing stored at all.
    intruder = response(bob, "intrude", conversation=cid)
    assert not await store.save_response(intruder, intruder.input_items)
    assert await store.get_response(bob, intruder.id) is None
    assert len(await store.all_items(alice, cid) or []) == len(all_items)

    assert not await store.delete_conversation(bob, cid)
    assert await store.delete_conversation(alice, cid)
    assert await store.get_conversation(alice, cid) is None
    assert await store.all_items(alice, cid) is None


async def test_concurrent_writers_lose_nothing(store: Store) -> None:
    alice = store.owner_for(KEY_A)
    conversation = await store.create_conversation(alice, {}, [])
    saved = [response(alice, f"n{i}", conversation=conversation["id"]) for i in range(200)]
    results = await asyncio.gather(
        *(store.save_response(r, r.input_items + r.body["output"]) for r in saved)
    )
    assert all(results)
    got = await asyncio.gather(*(store.get_response(alice, r.id) for r in saved))
    assert all(g is not None and g.body == r.body for g, r in zip(got, saved, strict=True))
    items = await store.all_items(alice, conversation["id"])
    assert items is not None and len(items) == 400
    # Each response's two items are adjacent: appends do not interleave.
    for index in range(0, 400, 2):
        assert items[index + 1]["content"][0]["text"] == "re: " + items[index]["content"][0]["text"]


PERSISTENT = pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)


@PERSISTENT
async def test_restart_keeps_data_and_owner(make_store: Callable[..., Any]) -> None:
    first: Store = await make_store()
    saved = response(first.owner_for(KEY_A), "persist")
    await first.save_response(saved)
    await first.close()
    second: Store = await make_store()
    assert second.owner_for(KEY_A) == first.owner_for(KEY_A)
    assert second.schema_version == 1  # type: ignore[attr-defined]
    got = await second.get_response(second.owner_for(KEY_A), saved.id)
    assert got is not None and got.body == saved.body


@PERSISTENT
async def test_replicas_start_together_and_share(make_store: Callable[..., Any]) -> None:
    one, two = await asyncio.gather(make_store(), make_store())
    assert one.owner_for(KEY_A) == two.owner_for(KEY_A)
    saved = response(one.owner_for(KEY_A), "from one")
    await one.save_response(saved)
    assert await two.history(two.owner_for(KEY_A), saved.id) is not None


async def test_null_store_refuses() -> None:
    from adapter.store import StoreDisabled, open_store

    store = open_store("none", 60)
    await store.start()
    assert not store.enabled
    assert not await store.save_response(response("o", "x"))
    with pytest.raises(StoreDisabled):
        await store.get_response("o", "resp_x")
    with pytest.raises(StoreDisabled):
        await store.create_conversation("o", {}, [])
