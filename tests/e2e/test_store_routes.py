"""Stored responses and conversations over real HTTP with the real OpenAI SDK, on a SQLite
file and on PostgreSQL (docs/store.md). Responses are put in the database by a second store
on the same database, as another replica would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from pgserver import PostgresServer

from adapter.store import Store, StoredResponse, open_store
from adapter.store.items import new_id, normalize_items

ALICE = "alice-gemini-key-000000000000"
BOB = "bob-gemini-key-1111111111111111"


@pytest.fixture(scope="module")
def postgres_db(postgres: PostgresServer) -> str:
    return postgres.create_database("routes")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return request.getfixturevalue("postgres_db")


def client(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def put_response(url: str, key: str, **fields: Any) -> StoredResponse:
    """Store a response as another replica would (its own store on the same database)."""
    store: Store = open_store(url, 3600)
    await store.start()
    try:
        rid = new_id("resp")
        message = {
            "type": "message",
            "id": new_id("msg"),
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Hi there", "annotations": []}],
        }
        body = {
            "id": rid,
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": "gemini-2.5-flash",
            "output": [message],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
        stored = StoredResponse(
            id=rid,
            owner=store.owner_for(key),
            created_at=time.time(),
            status=fields.pop("status", "completed"),
            body=body,
            input_items=normalize_items(
                [{"role": "user", "content": f"question {i}"} for i in range(3)], "input"
            ),
            **fields,
        )
        if stored.background:
            await store.start_background(stored)
        else:
            await store.save_response(stored)
        return stored
    finally:
        await store.close()


def test_responses_get_list_delete(adapter_factory: Callable[..., str], db_url: str) -> None:
    base = adapter_factory(upstream_url="emulator", store=db_url)
    stored = run(put_response(db_url, ALICE))
    alice, bob = client(base, ALICE), client(base, BOB)
    got = alice.responses.retrieve(stored.id)
    assert got.id == stored.id and got.output_text == "Hi there"
    with pytest.raises(openai.NotFoundError):
        bob.responses.retrieve(stored.id)
    page = alice.responses.input_items.list(stored.id, limit=2, order="asc")
    ids = [item["id"] for item in stored.input_items]
    assert [item.id for item in page.data] == ids[:2] and page.has_more
    assert [item.id for item in alice.responses.input_items.list(stored.id)] == ids[::-1]
    every = [item.id for item in alice.responses.input_items.list(stored.id, limit=1, order="asc")]
    assert every == ids  # the SDK follows `after` page by page
    with pytest.raises(openai.NotFoundError):
        bob.responses.input_items.list(stored.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.delete(stored.id)
    with pytest.raises(openai.BadRequestError):
        alice.responses.cancel(stored.id)  # not a background response
    assert alice.responses.delete(stored.id) is None  # the SDK returns None on success
    raw = httpx.get(f"{base}/responses/{stored.id}", headers={"authorization": f"Bearer {ALICE}"})
    assert raw.status_code == 404 and raw.json()["error"]["type"] == "not_found_error"


def test_delete_reply_shape(adapter_factory: Callable[..., str], db_url: str) -> None:
    base = adapter_factory(upstream_url="emulator", store=db_url)
    stored = run(put_response(db_url, ALICE))
    reply = httpx.delete(f"{base}/responses/{stored.id}", headers={"x-goog-api-key": ALICE})
    assert reply.json() == {"id": stored.id, "object": "response.deleted", "deleted": True}


def test_cancel_background(adapter_factory: Callable[..., str], db_url: str) -> None:
    base = adapter_factory(upstream_url="emulator", store=db_url)
    stored = run(put_response(db_url, ALICE, background=True, status="in_progress"))
    with pytest.raises(openai.NotFoundError):
        client(base, BOB).responses.cancel(stored.id)
    cancelled = client(base, ALICE).responses.cancel(stored.id)
    assert cancelled.status == "cancelled"
    assert client(base, ALICE).responses.retrieve(stored.id).status == "cancelled"


def test_conversations(adapter_factory: Callable[..., str], db_url: str) -> None:
    base = adapter_factory(upstream_url="emulator", store=db_url)
    replica = adapter_factory(upstream_url="emulator", store=db_url)
    alice, bob = client(base, ALICE), client(base, BOB)
    conversation = alice.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Hello!"}],
        metadata={"topic": "demo"},
    )
    assert conversation.id.startswith("conv_") and conversation.metadata == {"topic": "demo"}
    other = client(replica, ALICE)  # another process on the same database
    assert other.conversations.retrieve(conversation.id).metadata == {"topic": "demo"}
    with pytest.raises(openai.NotFoundError):
        bob.conversations.retrieve(conversation.id)
    with pytest.raises(openai.NotFoundError):
        bob.conversations.items.list(conversation.id)
    updated = alice.conversations.update(conversation.id, metadata={"topic": "changed"})
    assert updated.metadata == {"topic": "changed"}
    added = alice.conversations.items.create(
        conversation.id,
        items=[
            {"type": "message", "role": "assistant", "content": "Hi!"},
            {"type": "message", "role": "user", "content": "Tell me more."},
        ],
    )
    assert [item.type for item in added.data] == ["message", "message"]
    listed = alice.conversations.items.list(conversation.id, order="asc")
    texts = [item.content[0].text for item in listed.data]  # type: ignore[union-attr]
    assert texts == ["Hello!", "Hi!", "Tell me more."]
    first = listed.data[0]
    assert alice.conversations.items.retrieve(first.id, conversation_id=conversation.id).id == (
        first.id
    )
    with pytest.raises(openai.NotFoundError):
        bob.conversations.items.retrieve(first.id, conversation_id=conversation.id)
    after = alice.conversations.items.delete(first.id, conversation_id=conversation.id)
    assert after.id == conversation.id
    assert len(other.conversations.items.list(conversation.id).data) == 2
    with pytest.raises(openai.NotFoundError):
        bob.conversations.delete(conversation.id)
    deleted = alice.conversations.delete(conversation.id)
    assert deleted.deleted and deleted.id == conversation.id
    with pytest.raises(openai.NotFoundError):
        other.conversations.retrieve(conversation.id)


def test_bad_requests(adapter_factory: Callable[..., str]) -> None:
    base = adapter_factory(upstream_url="emulator")
    headers = {"authorization": f"Bearer {ALICE}"}
    cases = [
        ("post", "/conversations", {"items": "nope"}, "items"),
        ("post", "/conversations", {"items": [{"role": "robot", "content": "x"}]}, "items[0].role"),
        ("post", "/conversations", {"metadata": {"k": 1}}, "metadata.k"),
    ]
    for method, path, body, param in cases:
        reply = httpx.request(method, f"{base}{path}", json=body, headers=headers)
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"]["param"] == param
    conversation = httpx.post(f"{base}/conversations", json={}, headers=headers).json()
    reply = httpx.get(f"{base}/conversations/{conversation['id']}/items?limit=0", headers=headers)
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "limit"


def test_store_none_refuses(adapter_factory: Callable[..., str]) -> None:
    base = adapter_factory(upstream_url="emulator", store="none")
    with pytest.raises(openai.BadRequestError) as caught:
        client(base, ALICE).responses.retrieve("resp_123")
    assert caught.value.code == "store_disabled"
    with pytest.raises(openai.BadRequestError):
        client(base, ALICE).conversations.create()


def test_server_key_mode_needs_a_client_key(adapter_factory: Callable[..., str]) -> None:
    base = adapter_factory(
        upstream_url="emulator", server_key="server-key", client_keys=frozenset({"team-a"})
    )
    with pytest.raises(openai.AuthenticationError):
        client(base, "wrong").conversations.create()
    conversation = client(base, "team-a").conversations.create()
    assert client(base, "team-a").conversations.retrieve(conversation.id).id == conversation.id


def test_expired_objects_are_gone(adapter_factory: Callable[..., str], db_url: str) -> None:
    """--store-ttl 1s: a second later the conversation is gone from every endpoint."""
    base = adapter_factory(upstream_url="emulator", store=db_url, store_ttl_s="1s")
    alice = client(base, ALICE)
    conversation = alice.conversations.create(items=[{"role": "user", "content": "hi"}])
    assert alice.conversations.items.list(conversation.id).data
    time.sleep(1.2)
    with pytest.raises(openai.NotFoundError):
        alice.conversations.retrieve(conversation.id)
    with pytest.raises(openai.NotFoundError):
        alice.conversations.items.list(conversation.id)
