"""Every recorded exchange replayed through the translators (docs/behaviour.md S1-S9, T1-T3).

Stream fixtures are checked against the non-stream translation of the same content: one
translation core, so the assembled stream must equal the reply.
"""

from __future__ import annotations

from typing import Any

import pytest
from assemble import assemble, merge_events, summarize_reply
from fixtures_lib import all_fixtures
from schema_check import assert_valid

from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator

FIXTURES = [(name, f) for name, f in all_fixtures() if f["status"] == 200]
JSON_REPLIES = [
    (n, f) for n, f in FIXTURES if "response" in f and f.get("method") != "chat.completions"
]
STREAMS = [(n, f) for n, f in FIXTURES if f.get("sse_events")]


def translate_stream(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    translator = StreamTranslator(
        model="m", created=1, fallback_id="chatcmpl-x", include_usage=True
    )
    chunks = [chunk for event in events for chunk in translator.chunks_for(event)]
    return chunks + translator.finish()


def expected_text(candidate: dict[str, Any]) -> str | None:
    parts = candidate.get("content", {}).get("parts", [])
    if any("executableCode" in p or "codeExecutionResult" in p for p in parts):
        return None  # fenced blocks are added; checked in the unit tests
    text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    return text or None


@pytest.mark.parametrize(("name", "fixture"), JSON_REPLIES, ids=[n for n, _ in JSON_REPLIES])
def test_recorded_reply(name: str, fixture: dict[str, Any]) -> None:
    native = fixture["response"]
    reply = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", reply)
    for choice, candidate in zip(reply["choices"], native.get("candidates") or (), strict=False):
        message = choice["message"]
        text = expected_text(candidate)
        if text is not None or not message.get("extra_content", {}).get("google", {}).get(
            "code_execution"
        ):
            assert message["content"] == text
        calls = [
            p["functionCall"]
            for p in candidate.get("content", {}).get("parts", [])
            if "functionCall" in p
        ]
        assert [c["function"]["name"] for c in message.get("tool_calls", [])] == [
            c["name"] for c in calls
        ]
        if calls and candidate.get("finishReason") == "STOP":
            assert choice["finish_reason"] == "tool_calls"
    usage = native.get("usageMetadata")
    if usage:
        assert reply["usage"]["total_tokens"] == usage.get(
            "totalTokenCount", reply["usage"]["prompt_tokens"] + reply["usage"]["completion_tokens"]
        )
        assert reply["usage"]["completion_tokens"] == usage.get(
            "candidatesTokenCount", 0
        ) + usage.get("thoughtsTokenCount", 0)


@pytest.mark.parametrize(("name", "fixture"), STREAMS, ids=[n for n, _ in STREAMS])
def test_recorded_stream_equals_reply(name: str, fixture: dict[str, Any]) -> None:
    events = fixture["sse_events"]
    chunks = translate_stream(events)
    for chunk in chunks:
        assert_valid("openai.chat_chunk", chunk)
    assert len({c["id"] for c in chunks}) == 1
    merged = merge_events(events)
    reply = completion_from(merged, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", reply)
    assert assemble(chunks) == summarize_reply(reply)
