"""Unit tests of adapter.translate.response.reply and candidate."""

from __future__ import annotations

from typing import Any

from fixtures_lib import load_fixture
from schema_check import assert_valid

from adapter.translate.response.candidate import parts_out
from adapter.translate.response.reply import completion_from
from adapter.translate.signatures import decode_tool_call_id


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


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


# --- parts_out, directly -----------------------------------------------------------------


def test_parts_out_sorts_every_kind_of_part_and_records_spans() -> None:
    parts = [
        {"text": "plan", "thought": True},
        {"text": "A"},
        {"functionCall": {"name": "_1f", "args": {"x": 1}}, "thoughtSignature": "c2ln"},
        {"executableCode": {"language": "PYTHON", "code": "1"}},
        {"toolCall": {"toolType": "GOOGLE_SEARCH_WEB", "args": {"q": "x"}}},
        {"inlineData": {"mimeType": "image/png", "data": "AA=="}},
        "not a part",
        {"text": "B"},
    ]
    out = parts_out(parts, "seed", names={"_1f": "1f"})
    assert out.reasoning == ["plan"]
    assert out.texts == ["A", "\n```python\n1\n```\n", "B"]
    assert [c["function"]["name"] for c in out.tool_calls] == ["1f"]
    assert out.tool_calls[0]["extra_content"] == {"google": {"thought_signature": "c2ln"}}
    assert out.server_tools == [parts[4]]
    assert out.images == [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]
    content = "".join(out.texts)
    assert len(out.spans) == len(parts)
    assert [content[o : o + len(t)] for o, t in out.spans] == [t for _, t in out.spans]
    assert out.spans[7] == (len(content) - 1, "B")


def test_parts_out_of_something_else_is_empty() -> None:
    out = parts_out("nope", "seed")
    assert (out.texts, out.tool_calls, out.spans) == ([], [], [])


def test_server_side_tool_parts_stay_out_of_tool_calls() -> None:
    native = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"toolCall": {"toolType": "URL_CONTEXT", "args": {}}},
                        {"toolResponse": {"toolType": "URL_CONTEXT", "response": {}}},
                        {"text": "done"},
                    ]
                },
                "finishReason": "STOP",
            }
        ]
    }
    message = reply(native)["choices"][0]["message"]
    assert "tool_calls" not in message and message["content"] == "done"
    assert len(message["extra_content"]["google"]["server_tool_invocations"]) == 2
    assert reply(native)["choices"][0]["finish_reason"] == "stop"
