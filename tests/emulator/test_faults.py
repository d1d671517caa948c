"""Fault models: error replies in-process; slow and cut connections over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from gemini_emulator import create_app
from gemini_emulator.faults import ConnectionCut

from ._helpers import KEY, answer_text, body, error_of, generate, sse_events, stream, stream_text

LONG = "one two three four five six seven eight nine ten"


@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize(
    ("model", "code", "status", "message"),
    [
        ("fault-429", 429, "RESOURCE_EXHAUSTED", "You exceeded your current quota"),
        ("fault-500", 500, "INTERNAL", "An internal error has occurred."),
        ("fault-503", 503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    ],
)
async def test_error_faults(
    client: httpx.AsyncClient, model: str, code: int, status: str, message: str, streaming: bool
) -> None:
    response = await (
        stream(client, model, body()) if streaming else generate(client, model, body())
    )
    assert response.status_code == code
    assert response.headers["content-type"].startswith("application/json")
    error = error_of(response)
    assert error["status"] == status
    assert error["message"].startswith(message)


async def test_rate_limit_carries_retry_info(client: httpx.AsyncClient) -> None:
    details = error_of(await generate(client, "fault-429", body()))["details"]
    retry = [d for d in details if d["@type"] == "type.googleapis.com/google.rpc.RetryInfo"]
    assert retry == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]


async def test_fault_models_still_validate(client: httpx.AsyncClient) -> None:
    response = await generate(client, "fault-429", {"contents": []})
    assert response.status_code == 400


async def test_bad_json_fault(client: httpx.AsyncClient) -> None:
    unary = await generate(client, "fault-badjson", body())
    assert unary.status_code == 200
    assert unary.json() == {"unexpected": True}
    events = sse_events((await stream(client, "fault-badjson", body(LONG))).content)
    assert "candidates" in events[0]
    assert events[1:] == [{"unexpected": True}]


async def test_fault_cut_in_process_raises_in_the_body(client: httpx.AsyncClient) -> None:
    with pytest.raises(ConnectionCut):
        await generate(client, "fault-cut", body())


async def test_fault_cut_stream_stops_after_three_events(served_url: str) -> None:
    url = f"{served_url}/v1beta/models/fault-cut:streamGenerateContent?alt=sse"
    received: list[bytes] = []
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            async with http.stream("POST", url, json=body(LONG), headers=KEY) as response:
                assert response.status_code == 200
                async for chunk in response.aiter_bytes():
                    received.append(chunk)
    events = sse_events(b"".join(received))
    assert len(events) == 3
    assert not any("finishReason" in c for e in events for c in e["candidates"])


async def test_fault_cut_unary_body_is_truncated(served_url: str) -> None:
    url = f"{served_url}/v1beta/models/fault-cut:generateContent"
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(url, json=body(LONG), headers=KEY)


async def test_fault_slow_holds_the_first_byte_for_two_seconds(served_url: str) -> None:
    url = f"{served_url}/v1beta/models/fault-slow:generateContent"
    async with httpx.AsyncClient(timeout=10) as http:
        start = time.monotonic()
        response = await http.post(url, json=body("slowly"), headers=KEY)
        elapsed = time.monotonic() - start
    assert elapsed >= 2.0
    assert response.status_code == 200
    reply = response.json()
    assert answer_text(reply["candidates"][0]) == "Echo: slowly"
    assert reply["modelVersion"] == "fault-slow"


async def test_fault_slow_stream_is_a_normal_stream() -> None:
    transport = httpx.ASGITransport(app=create_app(slow_delay=0, event_delay=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://emu") as http:
        events = sse_events((await stream(http, "fault-slow", body("x y z w"))).content)
    assert stream_text(events) == "Echo: x y z w"
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
