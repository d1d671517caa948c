"""Transport pieces that need no server: SSE decoding, URLs, deadlines."""

from __future__ import annotations

import asyncio

import pytest

from adapter.endpoints import native_url
from adapter.errors import AdapterError
from adapter.transport import Deadlines, SSEDecoder


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
