"""Unit tests of adapter.translate.response.stream."""

from __future__ import annotations

from typing import Any

from fixtures_lib import load_fixture
from schema_check import assert_valid

from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


def test_empty_closing_event_makes_no_delta_and_keeps_its_signature() -> None:
    fixture = load_fixture("gemini-3-flash-preview_stream_empty_text_thought_signature")
    translator = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=True)
    chunks = [c for e in fixture["sse_events"] for c in translator.chunks_for(e)]
    for chunk in chunks:
        delta = chunk["choices"][0]["delta"]
        assert delta.get("content") or delta.get("reasoning_content") or delta.get("tool_calls")
    closing, usage = translator.finish()
    final = closing["choices"][0]
    signature = [
        p
        for e in fixture["sse_events"]
        for c in e["candidates"]
        for p in c["content"]["parts"]
        if p.get("thoughtSignature")
    ][-1]
    assert (
        final["delta"]["extra_content"]["google"]["thought_signature"]
        == signature["thoughtSignature"]
    )
    assert final["finish_reason"] == "stop"
    assert usage["choices"] == [] and usage["usage"]["total_tokens"] > 0
    for chunk in [*chunks, closing, usage]:
        assert_valid("openai.chat_chunk", chunk)


def test_pieced_function_call_arguments_are_assembled() -> None:
    """Vertex's streamFunctionCallArguments: `{name, willContinue}`, `{partialArgs}`..., `{}`."""
    events = load_fixture("vertex_gemini-3.1-pro-preview_stream_partial_function_args")[
        "sse_events"
    ]
    translator = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=False)
    chunks = [c for e in events for c in translator.chunks_for(e)] + translator.finish()
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for delta in chunk["choices"][0]["delta"].get("tool_calls") or ():
            slot = calls.setdefault(delta["index"], {"name": "", "arguments": ""})
            slot["name"] += delta.get("function", {}).get("name") or ""
            slot["arguments"] += delta.get("function", {}).get("arguments") or ""
    assert calls == {
        0: {"name": "getWeather", "arguments": '{"location":"Boston"}'},
        1: {"name": "getWeather", "arguments": '{"location":"San Francisco"}'},
    }
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
