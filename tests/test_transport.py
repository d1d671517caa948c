"""Transport pieces that need no server: SSE decoding, URLs, deadlines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from servers import FakeUpstream, Scripted, ServerThread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from translate_helpers import regression

from adapter.config import Config
from adapter.errors import AdapterError
from adapter.transport import Deadlines, SSEDecoder, UpstreamClient, native_url


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        ([b"data: {}\n\n"], [b"{}"]),
        ([b"data: {}\r\n\r\ndata: [1]\r\n\r\n"], [b"{}", b"[1]"]),
        ([b'data: {"a"', b": 1}\r", b"\n\r\n"], [b'{"a": 1}']),
        ([b"data: a\ndata: b\n\n"], [b"a\nb"]),
        ([b": comment\nevent: x\ndata:{}\n\n"], [b"{}"]),
        ([b"data: {}\n", b"\n", b"data: {}"], [b"{}"]),
    ],
)
def test_sse_decoder(reads: list[bytes], expected: list[bytes]) -> None:
    decoder = SSEDecoder()
    events = [event for chunk in reads for event in decoder.feed(chunk)]
    assert events == expected


def test_sse_decoder_final_event_without_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: {}\n\ndata: [2]") == [b"{}"]
    assert decoder.close() == [b"[2]"]


@pytest.mark.parametrize(
    ("base", "stream", "expected"),
    [
        ("https://g.example", False, "https://g.example/v1beta/models/m-1:generateContent"),
        (
            "https://g.example/v1beta",
            True,
            "https://g.example/v1beta/models/m-1:streamGenerateContent?alt=sse",
        ),
        (
            "https://proxy.example/gemini/v1",
            False,
            "https://proxy.example/gemini/v1/models/m-1:generateContent",
        ),
    ],
)
def test_native_url(base: str, stream: bool, expected: str) -> None:
    assert native_url(base, "m-1", stream) == expected


async def test_deadlines() -> None:
    deadlines = Deadlines(interval=0.02)
    deadlines.start()
    try:
        assert await deadlines.run(asyncio.sleep(0.01, result="ok"), 1.0, "late") == "ok"
        with pytest.raises(AdapterError) as caught:
            await deadlines.run(asyncio.sleep(5), 0.05, "late")
        assert (caught.value.status, caught.value.message) == (504, "late")
        assert caught.value.code == "upstream_timeout"
        # The task is usable after a timeout: no cancellation left pending.
        assert await deadlines.run(asyncio.sleep(0.01, result=2), 1.0, "late") == 2
        # A cancellation from elsewhere is not turned into a timeout.
        task = asyncio.ensure_future(deadlines.run(asyncio.sleep(5), 10.0, "late"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await deadlines.stop()


# --- against a real local upstream ---------------------------------------------------------

TEXT_EVENTS = [
    {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}}]},
    {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "!"}]}, "finishReason": "STOP"}
        ]
    },
]
RETRY_NOW = {
    "error": {
        "code": 503,
        "message": "overloaded",
        "status": "UNAVAILABLE",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"}],
    }
}
BODY = orjson.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})


@pytest.fixture
async def client(fake_upstream: FakeUpstream) -> AsyncIterator[UpstreamClient]:
    upstream = UpstreamClient(Config(), fake_upstream.url)  # type: ignore[attr-defined]
    await upstream.start()
    yield upstream
    await upstream.close()


async def test_stream_cut_before_the_first_event_is_an_http_error(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(events=TEXT_EVENTS, cut_after=0))
    with pytest.raises(AdapterError) as caught:
        await client.open_stream("gemini-2.5-flash", BODY, "k")
    assert (caught.value.status, caught.value.code) == (502, "upstream_stream_cut")


async def test_first_event_not_a_reply_is_an_http_error(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    bad = {"candidates": [{"content": {"role": "model", "parts": "nope"}}]}
    fake_upstream.script(Scripted(events=[bad, *TEXT_EVENTS]))
    with pytest.raises(AdapterError) as caught:
        await client.open_stream("gemini-2.5-flash", BODY, "k")
    assert (caught.value.status, caught.value.code) == (502, "bad_upstream_response")


async def test_open_stream_returns_after_the_first_event_and_keeps_it(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(events=TEXT_EVENTS))
    stream = await client.open_stream("gemini-2.5-flash", BODY, "k")
    events = [event async for batch in stream.batches() for event in batch]
    assert events == TEXT_EVENTS


async def test_mid_stream_bad_event_raises_after_the_good_ones(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    bad = {"candidates": [{"content": "nope"}]}
    fake_upstream.script(Scripted(events=[TEXT_EVENTS[0], bad], delay_s=0.05))
    stream = await client.open_stream("gemini-2.5-flash", BODY, "k")
    seen = []
    with pytest.raises(AdapterError) as caught:
        async for batch in stream.batches():
            seen.extend(batch)
    assert seen == [TEXT_EVENTS[0]]
    assert caught.value.code == "bad_upstream_response"


async def test_reply_whose_parts_are_not_a_list_is_a_502(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(json=regression("reply_parts_not_a_list")["native_reply"]))
    with pytest.raises(AdapterError) as caught:
        await client.generate("gemini-2.5-flash", BODY, "k")
    assert (caught.value.status, caught.value.code) == (502, "bad_upstream_response")


@pytest.mark.parametrize(("retries", "requests", "status"), [(0, 1, 503), (None, 3, 200)])
async def test_retries_are_per_call(
    client: UpstreamClient,
    fake_upstream: FakeUpstream,
    retries: int | None,
    requests: int,
    status: int,
) -> None:
    ok = {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
    fake_upstream.script(
        Scripted(status=503, json=RETRY_NOW),
        Scripted(status=503, json=RETRY_NOW),
        Scripted(json=ok),
    )
    try:
        reply = await client.generate("gemini-2.5-flash", BODY, "k", retries=retries)
        assert status == 200 and reply == ok
    except AdapterError as error:
        assert error.status == status
    assert len(fake_upstream.requests) == requests


async def test_upstream_error_keeps_status_reason_and_names_the_host(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    fx = regression("error_reason_hides_status")
    fake_upstream.script(Scripted(status=fx["status"], json=fx["native_error"]))
    with pytest.raises(AdapterError) as caught:
        await client.generate("gemini-2.5-flash", BODY, "secret-key-123")
    error = caught.value
    assert error.code == "API_KEY_INVALID" and error.status == 401
    assert "INVALID_ARGUMENT" in error.message and "API_KEY_INVALID" in error.message
    assert "127.0.0.1" in error.message and "secret-key-123" not in error.message


async def test_call_json_many_keeps_order(
    client: UpstreamClient, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(json={"n": 1}), Scripted(json={"n": 2}))
    replies = await client.call_json_many("POST", "/v1beta/x", "k", [b"{}", b"{}"])
    assert sorted(r["n"] for r in replies) == [1, 2]


def test_transport_imports_nothing_from_translation() -> None:
    import ast
    from pathlib import Path

    import adapter.sse
    import adapter.transport

    for module in (adapter.transport, adapter.sse):
        tree = ast.parse(Path(module.__file__ or "").read_text())
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert not [name for name in imported if name.startswith("adapter.translate")]


async def test_a_stall_after_the_first_event_times_out_in_the_relaying_task() -> None:
    """The first read happens in open_stream's task, the rest in another (the relay): the
    idle deadline must follow the task that reads."""

    async def stalling(request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            yield b"data: " + orjson.dumps(TEXT_EVENTS[0]) + b"\r\n\r\n"
            await asyncio.sleep(3)

        return StreamingResponse(events(), media_type="text/event-stream")

    server = ServerThread(Starlette(routes=[Route("/{p:path}", stalling, methods=["POST"])]))
    server.start()
    upstream = UpstreamClient(Config(stream_idle_timeout_s=0.3), server.url)
    await upstream.start()
    try:
        stream = await upstream.open_stream("gemini-2.5-flash", BODY, "k")

        async def relay() -> list[dict]:
            seen = []
            async for batch in stream.batches():
                seen.extend(batch)
            return seen

        with pytest.raises(AdapterError) as caught:
            await asyncio.wait_for(asyncio.ensure_future(relay()), 2.5)
        assert caught.value.code == "upstream_timeout"
    finally:
        await upstream.close()
        server.stop()
