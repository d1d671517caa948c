"""`POST /v1/responses` with the store (docs/store.md), end to end: the real OpenAI SDK ->
the adapter -> a recording fake upstream, on a SQLite file and on a PostgreSQL server the
session starts itself. Checks what the upstream was sent, so history is seen, not assumed."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from pgserver import PostgresServer
from servers import (
    FakeUpstream,
    Scripted,
    ServerThread,
    free_port,
    start_server_process,
    wait_until,
)
from starlette.requests import Request
from starlette.responses import Response

from adapter.app import create_app
from adapter.config import Config

ALICE = "AIzaSy-alice-forwarded-key-5e4d3c2b1a"
BOB = "AIzaSy-bob-forwarded-key-0f1e2d3c4b5a"
MODEL = "gemini-2.5-flash"


def reply(text: str) -> Scripted:
    return Scripted(
        json={
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2},
            "modelVersion": MODEL,
        }
    )


def stream_reply(*pieces: str) -> Scripted:
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": p}]}}]} for p in pieces
    ]
    events[-1]["candidates"][0]["finishReason"] = "STOP"
    events[-1]["usageMetadata"] = {"promptTokenCount": 3, "candidatesTokenCount": 2}
    return Scripted(events=events)


@dataclass
class SlowFake(FakeUpstream):
    """The recording fake, with a delay before each reply (for background runs)."""

    delay_s: float = 0.0

    async def handle(self, request: Request) -> Response:
        # In small steps, so that setting delay_s back to 0 releases waiting requests.
        deadline = time.monotonic() + self.delay_s
        while self.delay_s and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return await super().handle(request)


@pytest.fixture(scope="module")
def upstream() -> Iterator[SlowFake]:
    fake = SlowFake()
    server = ServerThread(fake.app()).start()
    fake.url = server.url  # type: ignore[attr-defined]
    yield fake
    server.stop()


_dbs = iter(range(10_000))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return request.getfixturevalue("postgres").create_database(f"r{next(_dbs)}")


@pytest.fixture
def adapter(
    adapter_factory: Callable[..., str], upstream: SlowFake, db_url: str
) -> Callable[..., str]:
    def start(**fields: Any) -> str:
        fields.setdefault("store", db_url)
        return adapter_factory(upstream_url=upstream.url, upstream_retries=0, **fields)  # type: ignore[attr-defined]

    return start


def client(base: str, key: str = ALICE) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0)


def texts(contents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["role"], "".join(p.get("text", "") for p in c["parts"])) for c in contents]


def test_stored_by_default_and_retrievable(adapter: Callable[..., str], upstream: SlowFake) -> None:
    upstream.script(reply("Hello Ann"))
    alice = client(adapter())
    created = alice.responses.create(model=MODEL, input="Hi, I am Ann")
    assert created.store is True and created.status == "completed"
    got = alice.responses.retrieve(created.id)
    assert got.model_dump() == created.model_dump()
    items = alice.responses.input_items.list(created.id)
    assert [i.content[0].text for i in items.data] == ["Hi, I am Ann"]  # type: ignore[union-attr]
    with pytest.raises(openai.NotFoundError):
        client(adapter(), BOB).responses.retrieve(created.id)


def test_previous_response_id_prepends_the_chain(
    adapter: Callable[..., str], upstream: SlowFake
) -> None:
    base = adapter()
    alice = client(base)
    upstream.script(reply("Hello Ann"))
    first = alice.responses.create(model=MODEL, instructions="Be brief.", input="I am Ann")
    assert upstream.requests[0].body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    upstream.script(reply("You are Ann"))
    second = alice.responses.create(model=MODEL, input="Who am I?", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    sent = upstream.requests[0].body
    assert texts(sent["contents"]) == [
        ("user", "I am Ann"),
        ("model", "Hello Ann"),
        ("user", "Who am I?"),
    ]
    assert "systemInstruction" not in sent  # instructions are not carried over
    upstream.script(reply("Still Ann"))
    alice.responses.create(model=MODEL, input="Again?", previous_response_id=second.id)
    assert len(upstream.requests[0].body["contents"]) == 5
    # Someone else, or an id that is gone: 400 naming the field, nothing sent upstream.
    upstream.script(reply("never"))
    for key, rid in ((BOB, second.id), (ALICE, "resp_unknown")):
        with pytest.raises(openai.BadRequestError) as caught:
            client(base, key).responses.create(model=MODEL, input="x", previous_response_id=rid)
        assert caught.value.body["param"] == "previous_response_id"  # type: ignore[index]
    assert upstream.requests == []
    alice.responses.delete(first.id)
    with pytest.raises(openai.BadRequestError):
        alice.responses.create(model=MODEL, input="x", previous_response_id=first.id)


def test_store_false_is_not_kept(adapter: Callable[..., str], upstream: SlowFake) -> None:
    upstream.script(reply("ok"))
    alice = client(adapter())
    created = alice.responses.create(model=MODEL, input="hi", store=False)
    assert created.store is False
    with pytest.raises(openai.NotFoundError):
        alice.responses.retrieve(created.id)


def test_stream_is_stored_when_complete(adapter: Callable[..., str], upstream: SlowFake) -> None:
    upstream.script(stream_reply("Hel", "lo ", "there"))
    alice = client(adapter())
    with alice.responses.stream(model=MODEL, input="hi") as stream:
        final = stream.get_final_response()
    assert final.output_text == "Hello there"
    got = alice.responses.retrieve(final.id)
    assert got.status == "completed" and got.output_text == "Hello there"


def test_conversation(adapter: Callable[..., str], upstream: SlowFake) -> None:
    base = adapter()
    alice = client(base)
    conversation = alice.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Earlier question"}]
    )
    upstream.script(reply("First answer"))
    first = alice.responses.create(model=MODEL, input="Now this", conversation=conversation.id)
    assert first.conversation is not None and first.conversation.id == conversation.id
    joined = [text for _, text in texts(upstream.requests[0].body["contents"])]
    assert "".join(joined) == "Earlier questionNow this"
    upstream.script(reply("Second answer"))
    alice.responses.create(model=MODEL, input="And then", conversation={"id": conversation.id})
    sent = upstream.requests[0].body["contents"]
    joined = [text for _, text in texts(sent)]
    assert "".join(joined).index("Earlier question") < "".join(joined).index("First answer")
    assert joined[-1] == "And then"
    listed = alice.conversations.items.list(conversation.id, order="asc")
    assert [i.content[0].text for i in listed.data] == [  # type: ignore[union-attr]
        "Earlier question",
        "Now this",
        "First answer",
        "And then",
        "Second answer",
    ]
    with pytest.raises(openai.BadRequestError) as caught:
        alice.responses.create(
            model=MODEL, input="x", conversation=conversation.id, previous_response_id=first.id
        )
    assert caught.value.body["param"] == "conversation"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as caught:
        client(base, BOB).responses.create(model=MODEL, input="x", conversation=conversation.id)
    assert caught.value.body["param"] == "conversation"  # type: ignore[index]


def test_background_poll_and_cancel(adapter: Callable[..., str], upstream: SlowFake) -> None:
    alice = client(adapter())
    upstream.script(reply("done in the background"))
    upstream.delay_s = 0.5
    try:
        queued = alice.responses.create(model=MODEL, input="slow", background=True)
        assert queued.status == "queued" and queued.background is True
        assert wait_until(
            lambda: alice.responses.retrieve(queued.id).status == "completed", timeout=10
        )
        assert alice.responses.retrieve(queued.id).output_text == "done in the background"
        upstream.delay_s = 5
        queued = alice.responses.create(model=MODEL, input="slower", background=True)
        assert alice.responses.retrieve(queued.id).status in ("queued", "in_progress")
        assert alice.responses.cancel(queued.id).status == "cancelled"
        time.sleep(0.3)
        assert alice.responses.retrieve(queued.id).status == "cancelled"
    finally:
        upstream.delay_s = 0


def test_concurrent_writers_lose_nothing(adapter: Callable[..., str], upstream: SlowFake) -> None:
    base = adapter()
    upstream.script(reply("ok"))

    async def main() -> list[str]:
        aclient = openai.AsyncOpenAI(base_url=base, api_key=ALICE, max_retries=0)
        made = await asyncio.gather(
            *(aclient.responses.create(model=MODEL, input=f"n{i}") for i in range(200))
        )
        got = await asyncio.gather(*(aclient.responses.retrieve(r.id) for r in made))
        assert [g.id for g in got] == [r.id for r in made]
        return [r.id for r in made]

    assert len(set(asyncio.run(main()))) == 200


def test_store_none(adapter_factory: Callable[..., str], upstream: SlowFake) -> None:
    base = adapter_factory(upstream_url=upstream.url, store="none")  # type: ignore[attr-defined]
    upstream.script(reply("ok"))
    alice = client(base)
    assert alice.responses.create(model=MODEL, input="hi").store is False
    for extra in ({"previous_response_id": "resp_1"}, {"background": True}):
        with pytest.raises(openai.BadRequestError) as caught:
            alice.responses.create(model=MODEL, input="hi", **extra)  # type: ignore[arg-type]
        assert caught.value.code == "store_disabled"


def _serve(store: str, upstream_url: str, env_extra: dict[str, str]) -> tuple[str, Any]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    env.update(env_extra)
    process, url = start_server_process(
        [sys.executable, "-m", "adapter", "serve", "--port", str(port), "--store", store,
         "--upstream-url", upstream_url, "--upstream-retries", "0"],
        port,
        env,
    )  # fmt: skip
    return f"{url}/v1", process


def _stop(process: Any) -> str:
    process.terminate()
    return process.communicate(timeout=30)[0].decode()


def test_two_processes_continue_each_other(postgres: PostgresServer, upstream: SlowFake) -> None:
    """Two adapter processes on one PostgreSQL: each continues the other's responses; the
    key is in neither the logs nor the database."""
    url = postgres.create_database("replicas")
    upstream_url = upstream.url  # type: ignore[attr-defined]
    (one, p1), (two, p2) = _serve(url, upstream_url, {}), _serve(url, upstream_url, {})
    try:
        upstream.script(reply("A1"))
        first = client(one).responses.create(model=MODEL, input="Q1")
        upstream.script(reply("A2"))
        second = client(two).responses.create(
            model=MODEL, input="Q2", previous_response_id=first.id
        )
        assert [t for _, t in texts(upstream.requests[0].body["contents"])] == ["Q1", "A1", "Q2"]
        upstream.script(reply("A3"))
        client(one).responses.create(model=MODEL, input="Q3", previous_response_id=second.id)
        assert len(upstream.requests[0].body["contents"]) == 5
    finally:
        logs = _stop(p1) + _stop(p2)
    dump = postgres.dump("replicas")
    for data in (logs.encode(), dump):
        for i in range(len(ALICE) - 8):
            assert ALICE[i : i + 8].encode() not in data


def test_sqlite_store_survives_a_restart(tmp_path: Path, upstream: SlowFake) -> None:
    store = f"sqlite:///{tmp_path}/store.db"
    upstream_url = upstream.url  # type: ignore[attr-defined]
    base, process = _serve(store, upstream_url, {})
    upstream.script(reply("remember me"))
    created = client(base).responses.create(model=MODEL, input="hi")
    _stop(process)
    base, process = _serve(store, upstream_url, {})
    try:
        assert client(base).responses.retrieve(created.id).output_text == "remember me"
    finally:
        _stop(process)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"remember me" in data
    for i in range(len(ALICE) - 8):
        assert ALICE[i : i + 8].encode() not in data


def test_in_process_restart(tmp_path: Path, upstream: SlowFake) -> None:
    """The same through create_app twice on one file (no subprocess): the owner secret and
    the rows are read back, so the same key reaches the same objects."""
    config = Config(
        host="127.0.0.1",
        port=free_port(),
        upstream_url=upstream.url,  # type: ignore[attr-defined]
        store=f"sqlite:///{tmp_path}/s.db",
    )
    server = ServerThread(create_app(config), port=config.port).start()
    upstream.script(reply("kept"))
    base = f"http://127.0.0.1:{config.port}/v1"
    created = client(base).responses.create(model=MODEL, input="hi")
    server.stop()
    server = ServerThread(create_app(config), port=config.port).start()
    try:
        assert client(base).responses.retrieve(created.id).output_text == "kept"
    finally:
        server.stop()


def test_input_shapes_survive_storage(adapter: Callable[..., str], upstream: SlowFake) -> None:
    """Items are given ids and their content normalised before translation: every role and
    item kind still reaches the upstream the same way, now and when replayed as history."""
    base = adapter()
    alice = client(base)
    upstream.script(reply("Sunny"))
    first = alice.responses.create(
        model=MODEL,
        input=[
            {"role": "developer", "content": "Be terse."},
            {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
            {"type": "function_call", "call_id": "call_1", "name": "weather", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": '{"sky": "clear"}'},
        ],
        tools=[{"type": "function", "name": "weather", "parameters": {"type": "object"}}],
    )
    direct = upstream.requests[0].body
    assert direct["systemInstruction"]["parts"] == [{"text": "Be terse."}]
    upstream.script(reply("Yes"))
    alice.responses.create(
        model=MODEL,
        input="Sure?",
        previous_response_id=first.id,
        tools=[{"type": "function", "name": "weather", "parameters": {"type": "object"}}],
    )
    replayed = upstream.requests[0].body
    assert replayed["contents"][: len(direct["contents"])] == direct["contents"]
    assert replayed["systemInstruction"] == direct["systemInstruction"]  # an input item, kept
    kinds = [i.type for i in alice.responses.input_items.list(first.id, order="asc").data]
    assert kinds == ["message", "message", "function_call", "function_call_output"]


def test_a_killed_runner_is_failed_by_another_replica(
    postgres: PostgresServer, upstream: SlowFake, adapter_factory: Callable[..., str]
) -> None:
    """A background response whose process is killed (SIGKILL: no cleanup at all) is marked
    failed by the surviving replica within 5 s; none is left in progress."""
    url = postgres.create_database("killed")
    runner_base, runner = _serve(url, upstream.url, {})  # type: ignore[attr-defined]
    survivor = adapter_factory(upstream_url=upstream.url, store=url)  # type: ignore[attr-defined]
    upstream.script(reply("never seen"))
    upstream.delay_s = 8  # outlives the test's wait, not the fake server's shutdown
    try:
        queued = client(runner_base).responses.create(model=MODEL, input="slow", background=True)
        alice = client(survivor)
        assert wait_until(
            lambda: alice.responses.retrieve(queued.id).status == "in_progress", timeout=5
        )
        runner.kill()
        runner.wait()
        killed = time.monotonic()
        assert wait_until(lambda: alice.responses.retrieve(queued.id).status == "failed", 8)
        assert time.monotonic() - killed < 5
        assert alice.responses.retrieve(queued.id).error.code == "server_error"  # type: ignore[union-attr]
    finally:
        upstream.delay_s = 0
        if runner.poll() is None:
            runner.kill()


def test_item_reference(adapter: Callable[..., str], upstream: SlowFake) -> None:
    """An item_reference names an item of the stored history; anything else is a 400."""
    alice = client(adapter())
    upstream.script(reply("Paris"))
    first = alice.responses.create(model=MODEL, input="Capital of France?")
    answer_id = first.output[0].id
    upstream.script(reply("Yes"))
    alice.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[
            {"type": "item_reference", "id": answer_id},
            {"role": "user", "content": "Sure?"},
        ],
    )
    sent = [text for _, text in texts(upstream.requests[0].body["contents"])]
    assert "".join(sent) == "Capital of France?ParisParisSure?"
    with pytest.raises(openai.BadRequestError) as caught:
        alice.responses.create(model=MODEL, input=[{"type": "item_reference", "id": "msg_nowhere"}])
    assert caught.value.body["param"] == "input[0].id"  # type: ignore[index]
