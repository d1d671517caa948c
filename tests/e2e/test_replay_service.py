"""Every recorded exchange replayed through the running service (behaviour S1-S9, T1-T3): the
fake upstream answers with the recording, the OpenAI SDK reads the result, and the result
must match what the pure translators give for the same content."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import orjson
import pytest
from assemble import assemble, merge_events, summarize_reply
from fixtures_lib import all_fixtures
from schema_check import assert_valid
from servers import FakeUpstream, Scripted, wait_until

from adapter.translate.response.reply import completion_from

FIXTURES = [(n, f) for n, f in all_fixtures() if f["status"] == 200]
REPLIES = [(n, f) for n, f in FIXTURES if "response" in f and f["method"] != "chat.completions"]
STREAMS = [(n, f) for n, f in FIXTURES if f.get("sse_events")]
HI = [{"role": "user", "content": "hi"}]


def without_volatile(reply: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reply.items() if k not in ("created", "id")}


@pytest.mark.parametrize(("name", "fixture"), REPLIES, ids=[n for n, _ in REPLIES])
def test_reply_through_service(
    fake_base_url: str, fake_upstream: FakeUpstream, name: str, fixture: dict[str, Any]
) -> None:
    fake_upstream.script(Scripted(json=fixture["response"]))
    response = httpx.post(
        f"{fake_base_url}/chat/completions",
        headers={"Authorization": "Bearer k-1234"},
        json={"model": fixture["model"] or "gemini-2.5-flash", "messages": HI},
    )
    assert response.status_code == 200, response.text
    reply = response.json()
    assert_valid("openai.chat_completion", reply)
    direct = completion_from(
        fixture["response"],
        model=fixture["model"] or "gemini-2.5-flash",
        created=0,
        fallback_id=reply["id"],
    )
    assert without_volatile(reply) == without_volatile(direct)


@pytest.mark.parametrize(("name", "fixture"), STREAMS, ids=[n for n, _ in STREAMS])
def test_stream_through_service(
    fake_base_url: str, fake_upstream: FakeUpstream, name: str, fixture: dict[str, Any]
) -> None:
    fake_upstream.script(Scripted(events=fixture["sse_events"]))
    with httpx.stream(
        "POST",
        f"{fake_base_url}/chat/completions",
        headers={"Authorization": "Bearer k-1234"},
        json={
            "model": fixture["model"] or "gemini-2.5-flash",
            "messages": HI,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [orjson.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    for chunk in chunks:
        assert_valid("openai.chat_chunk", chunk)
    merged = merge_events(fixture["sse_events"])
    reply = completion_from(merged, model="m", created=0, fallback_id="x")
    assert assemble(chunks) == summarize_reply(reply)


def test_client_disconnect_cancels_upstream(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    events = [
        {"candidates": [{"content": {"parts": [{"text": f"w{i} "}], "role": "model"}}]}
        for i in range(50)
    ]
    fake_upstream.script(Scripted(events=events, delay_s=0.1))
    client = openai.OpenAI(base_url=fake_base_url, api_key="k-1234", max_retries=0)
    stream = client.chat.completions.create(model="gemini-2.5-flash", messages=HI, stream=True)
    first = next(iter(stream))
    assert first.choices[0].delta.content == "w0 "
    stream.close()
    assert wait_until(lambda: fake_upstream.abandoned_streams >= 1, timeout=2.0)
