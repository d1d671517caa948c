"""Table-driven unit tests of the pure response translation (SPEC S1-S9, T2, T3)."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_lib import load_fixture
from schema_check import assert_valid

from adapter.translate.response.finish import finish_reason_from
from adapter.translate.response.grounding import annotations_from, byte_to_char_offsets
from adapter.translate.response.reply import completion_from, is_native_response
from adapter.translate.response.stream import StreamTranslator
from adapter.translate.response.usage import usage_from
from adapter.translate.signatures import decode_tool_call_id


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


@pytest.mark.parametrize(
    ("native", "tools", "expected"),
    [
        ("STOP", False, "stop"),
        ("STOP", True, "tool_calls"),
        ("MAX_TOKENS", False, "length"),
        ("MAX_TOKENS", True, "length"),
        ("SAFETY", False, "content_filter"),
        ("RECITATION", False, "content_filter"),
        ("BLOCKLIST", False, "content_filter"),
        ("PROHIBITED_CONTENT", False, "content_filter"),
        ("SPII", False, "content_filter"),
        ("IMAGE_SAFETY", False, "content_filter"),
        ("MALFORMED_FUNCTION_CALL", False, "stop"),
        ("OTHER", False, "stop"),
        ("SOMETHING_NEW", False, "stop"),
        (None, False, None),
    ],
)
def test_finish_reason(native: str | None, tools: bool, expected: str | None) -> None:
    assert finish_reason_from(native, tools) == expected


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, None),
        (
            {
                "promptTokenCount": 10,
                "candidatesTokenCount": 5,
                "thoughtsTokenCount": 7,
                "totalTokenCount": 22,
                "cachedContentTokenCount": 4,
                "toolUsePromptTokenCount": 3,
            },
            {
                "prompt_tokens": 13,
                "completion_tokens": 12,
                "total_tokens": 22,
                "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 7, "audio_tokens": 0},
            },
        ),
        (
            {
                "promptTokenCount": 8,
                "candidatesTokenCount": 2,
                "totalTokenCount": 10,
                "promptTokensDetails": [
                    {"modality": "AUDIO", "tokenCount": 6},
                    {"modality": "TEXT", "tokenCount": 2},
                ],
                "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 2}],
            },
            {
                "prompt_tokens": 8,
                "completion_tokens": 2,
                "total_tokens": 10,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 6},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 2},
            },
        ),
    ],
)
def test_usage(metadata: dict[str, Any] | None, expected: dict[str, Any] | None) -> None:
    assert usage_from(metadata) == expected


def test_byte_offsets_become_code_point_offsets() -> None:
    text = "café ☕ ok"
    table = byte_to_char_offsets(text)
    assert table[len("caf")] == 3
    assert table[len("café ".encode())] == 5
    assert table[len("café ☕ ".encode())] == 7
    assert table[-1] == len(text)


def test_grounding_annotations() -> None:
    text = "Le café est bon. Paris est grand."
    start = len("Le café est bon. ".encode())
    grounding = {
        "groundingChunks": [
            {"web": {"uri": "https://a", "title": "A"}},
            {"web": {"uri": "https://b", "title": "B"}},
        ],
        "groundingSupports": [
            {
                "segment": {"startIndex": start, "endIndex": len(text.encode())},
                "groundingChunkIndices": [1, 0],
            },
            {
                "segment": {"endIndex": len("Le café est bon.".encode())},
                "groundingChunkIndices": [5],
            },
        ],
    }
    annotations = annotations_from(grounding, text)
    assert [a["url_citation"]["url"] for a in annotations] == ["https://b", "https://a"]
    first = annotations[0]["url_citation"]
    assert text[first["start_index"] : first["end_index"]] == "Paris est grand."


def test_text_thoughts_and_signature() -> None:
    native = {
        "responseId": "r1",
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "plan", "thought": True},
                        {"text": "Hello", "thoughtSignature": "U0lH"},
                        {"text": " world"},
                    ],
                },
                "finishReason": "STOP",
            }
        ],
    }
    message = reply(native)["choices"][0]["message"]
    assert message["content"] == "Hello world"
    assert message["reasoning_content"] == "plan"
    assert message["extra_content"]["google"]["thought_signature"] == "U0lH"
    assert message["extra_content"]["google"]["response_id"] == "r1"


def test_function_calls_recorded() -> None:
    native = load_fixture("gemini-3-flash-preview_parallel_function_calls")["response"]
    result = reply(native)
    choice = result["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    calls = choice["message"]["tool_calls"]
    parts = [p for p in native["candidates"][0]["content"]["parts"] if "functionCall" in p]
    assert [c["function"]["name"] for c in calls] == [p["functionCall"]["name"] for p in parts]
    assert len({c["id"] for c in calls}) == len(calls)
    for call, part in zip(calls, parts, strict=True):
        assert decode_tool_call_id(call["id"])[1] == part.get("thoughtSignature")
    assert choice["message"]["content"] is None or isinstance(choice["message"]["content"], str)


def test_prompt_blocked() -> None:
    native = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}}
    choice = reply(native)["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert "SAFETY" in choice["message"]["refusal"]
    assert choice["message"]["extra_content"]["google"]["block_reason"] == "SAFETY"


def test_image_code_and_logprobs() -> None:
    native = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"inlineData": {"mimeType": "image/png", "data": "AAA="}},
                        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                    ]
                },
                "finishReason": "STOP",
                "logprobsResult": {
                    "chosenCandidates": [{"token": "é", "logProbability": -0.5}],
                    "topCandidates": [
                        {
                            "candidates": [
                                {"token": "é", "logProbability": -0.5},
                                {"token": "e", "logProbability": -1.0},
                            ]
                        }
                    ],
                },
            }
        ],
    }
    choice = reply(native)["choices"][0]
    assert choice["message"]["images"] == [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA="}}
    ]
    assert "```python\nprint(1)\n```" in choice["message"]["content"]
    assert "```output\n1\n\n```" in choice["message"]["content"]
    assert len(choice["message"]["extra_content"]["google"]["code_execution"]) == 2
    assert choice["logprobs"]["content"][0] == {
        "token": "é",
        "logprob": -0.5,
        "bytes": [195, 169],
        "top_logprobs": [
            {"token": "é", "logprob": -0.5, "bytes": [195, 169]},
            {"token": "e", "logprob": -1.0, "bytes": [101]},
        ],
    }


@pytest.mark.parametrize(
    ("obj", "ok"),
    [
        ({"candidates": []}, True),
        ({"usageMetadata": {}}, True),
        ({"unexpected": 1}, False),
        ([], False),
        ({"candidates": "x"}, False),
        ({"candidates": [1]}, False),
        ({"usageMetadata": "x"}, False),
        ({"candidates": [], "promptFeedback": []}, False),
    ],
)
def test_is_native_response(obj: Any, ok: bool) -> None:
    assert is_native_response(obj) is ok


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
