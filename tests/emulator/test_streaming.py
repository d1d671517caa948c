"""Stream framing: CRLF SSE events, JSON-array streams, and equality with the non-stream reply."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import pytest

from ._helpers import (
    KEY,
    answer_text,
    body,
    generate,
    sse_events,
    stream,
    stream_text,
    weather_tool,
)

LONG = "the quick brown fox jumps over the lazy dog again and again"

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "plain-2.5": ("gemini-2.5-flash", body(LONG)),
    "plain-3": ("gemini-3-flash-preview", body(LONG)),
    "thoughts": (
        "gemini-2.5-pro",
        body(LONG, generationConfig={"thinkingConfig": {"includeThoughts": True}}),
    ),
    "max-tokens": ("gemini-2.5-flash", body(LONG, generationConfig={"maxOutputTokens": 5})),
    "candidates": ("gemini-3-flash-preview", body(LONG, generationConfig={"candidateCount": 3})),
    "grounding": ("gemini-2.5-flash", body(LONG, tools=[{"googleSearch": {}}])),
    "code": ("gemini-3-flash-preview", body(LONG, tools=[{"codeExecution": {}}])),
    "calls": ("gemini-3-flash-preview", body("get_time and get_weather", tools=weather_tool())),
    "json": (
        "gemini-2.5-flash",
        body(generationConfig={"responseMimeType": "application/json"}),
    ),
    "blocked-prompt": ("gemini-2.5-flash", body("BLOCK_PROMPT")),
    "blocked-reply": ("gemini-2.5-flash", body("BLOCK_REPLY")),
}


def assembled_parts(events: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    return [
        p
        for e in events
        for c in e.get("candidates", [])
        if c["index"] == index
        for p in c.get("content", {}).get("parts", [])
        if "text" not in p
    ]


@pytest.mark.parametrize("case", list(CASES))
async def test_stream_assembles_to_the_non_stream_reply(
    client: httpx.AsyncClient, case: str
) -> None:
    model, payload = CASES[case]
    whole = (await generate(client, model, payload)).json()
    response = await stream(client, model, payload)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.content)
    assert all(e["usageMetadata"] and e["responseId"] == whole["responseId"] for e in events)
    assert events[-1]["usageMetadata"] == whole["usageMetadata"]
    for candidate in whole.get("candidates", []):
        index = candidate["index"]
        assert stream_text(events, index) == answer_text(candidate)
        finals = [
            c
            for e in events
            for c in e.get("candidates", [])
            if c["index"] == index and "finishReason" in c
        ]
        assert [c["finishReason"] for c in finals] == [candidate["finishReason"]]
        assert all(index in [c["index"] for c in e["candidates"]] for e in events)
        non_text = [p for p in candidate.get("content", {}).get("parts", []) if "text" not in p]
        assert assembled_parts(events, index) == non_text
    if "promptFeedback" in whole:
        assert events == [whole]


async def test_text_is_split_into_several_events(client: httpx.AsyncClient) -> None:
    events = sse_events((await stream(client, "gemini-2.5-flash", body(LONG))).content)
    assert len(events) >= 4
    assert all("finishReason" not in e["candidates"][0] for e in events[:-1])
    counts = [e["usageMetadata"].get("candidatesTokenCount", 0) for e in events]
    assert counts == sorted(counts)


async def test_short_reply_still_streams_in_several_events(client: httpx.AsyncClient) -> None:
    events = sse_events((await stream(client, "gemini-2.5-flash", body("Hello!"))).content)
    pieces = [answer_text(c) for e in events for c in e["candidates"]]
    assert pieces == ["Echo: ", "Hello!"]


async def test_gemini3_stream_ends_with_a_signature_only_event(client: httpx.AsyncClient) -> None:
    events = sse_events((await stream(client, "gemini-3-flash-preview", body(LONG))).content)
    (last,) = events[-1]["candidates"]
    (part,) = last["content"]["parts"]
    assert part["text"] == ""
    assert part["thoughtSignature"]
    assert last["finishReason"] == "STOP"


async def test_function_calls_arrive_in_one_event(client: httpx.AsyncClient) -> None:
    payload = body("get_time and get_weather", tools=weather_tool())
    events = sse_events((await stream(client, "gemini-2.5-flash", payload)).content)
    with_calls = [
        e
        for e in events
        if any("functionCall" in p for p in e["candidates"][0]["content"]["parts"])
    ]
    (event,) = with_calls
    assert len(event["candidates"][0]["content"]["parts"]) == 2
    assert event["candidates"][0]["finishReason"] == "STOP"


async def test_thought_part_comes_first(client: httpx.AsyncClient) -> None:
    payload = body(LONG, generationConfig={"thinkingConfig": {"includeThoughts": True}})
    events = sse_events((await stream(client, "gemini-2.5-flash", payload)).content)
    assert events[0]["candidates"][0]["content"]["parts"][0]["thought"] is True
    assert not any(
        p.get("thought") for e in events[1:] for p in e["candidates"][0]["content"]["parts"]
    )


async def test_without_alt_sse_the_stream_is_one_json_array(client: httpx.AsyncClient) -> None:
    sse = sse_events((await stream(client, "gemini-2.5-flash", body(LONG))).content)
    response = await stream(client, "gemini-2.5-flash", body(LONG), sse=False)
    assert response.headers["content-type"].startswith("application/json")
    assert orjson.loads(response.content) == sse


async def test_errors_on_stream_requests_are_plain_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", json=body()
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


async def test_events_are_delivered_incrementally(served_url: str) -> None:
    """Over real HTTP the first event must arrive well before the stream ends."""
    url = f"{served_url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    arrivals: list[float] = []
    async with httpx.AsyncClient(timeout=10) as http:
        start = time.monotonic()
        async with http.stream("POST", url, json=body(LONG), headers=KEY) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    arrivals.append(time.monotonic() - start)
    assert len(arrivals) >= 4
    assert arrivals[-1] - arrivals[0] >= 0.3  # At least two inter-event pauses apart.
