"""Native reply -> Responses `response`, table-driven, each validated with the SDK's types."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.responses import Response

from adapter.translate.responses.encrypted import decode_signature, encode_signature
from adapter.translate.responses.output import ResponseContext
from adapter.translate.responses.reply import response_from
from adapter.translate.responses.tools import ClientTool, ToolMap
from adapter.translate.signatures import decode_tool_call_id

TOOLS = ToolMap(
    by_native={
        "apply_patch": ClientTool("custom", "apply_patch"),
        "ns.look": ClientTool("function", "look", "ns"),
    }
)
USAGE = {
    "promptTokenCount": 10,
    "toolUsePromptTokenCount": 2,
    "candidatesTokenCount": 5,
    "thoughtsTokenCount": 7,
    "cachedContentTokenCount": 4,
    "totalTokenCount": 24,
}


def reply(parts: list[dict[str, Any]], finish: str = "STOP", **extra: Any) -> dict[str, Any]:
    native = {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish}],
        "usageMetadata": USAGE,
        "responseId": "n1",
        **extra,
    }
    ctx = ResponseContext(
        "resp_1",
        5,
        "my-model",
        {"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
        TOOLS,
        include_encrypted=True,
        include_logprobs="logprobsResult" in str(extra),
    )
    response = response_from(native, ctx)
    Response.model_validate(response)
    return response


def kinds(response: dict[str, Any]) -> list[str]:
    return [item["type"] for item in response["output"]]


@pytest.mark.parametrize(
    ("finish", "status", "reason"),
    [
        ("STOP", "completed", None),
        ("MAX_TOKENS", "incomplete", "max_output_tokens"),
        ("SAFETY", "incomplete", "content_filter"),
        ("RECITATION", "incomplete", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "completed", None),
    ],
)
def test_status(finish: str, status: str, reason: str | None) -> None:
    response = reply([{"text": "hi"}], finish)
    assert response["status"] == status
    assert (response["incomplete_details"] or {}).get("reason") == reason
    assert response["extra_content"]["google"]["finish_reason"] == finish


def test_usage_and_echo() -> None:
    response = reply([{"text": "hi"}])
    assert response["usage"] == {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 0},
        "output_tokens": 12,
        "output_tokens_details": {"reasoning_tokens": 7},
        "total_tokens": 24,
    }
    assert response["model"] == "my-model" and response["id"] == "resp_1"
    assert response["created_at"] == 5 and response["object"] == "response"


def test_parts_in_native_order() -> None:
    response = reply(
        [
            {"text": "plan", "thought": True},
            {"text": "a"},
            {"text": "b"},
            {"functionCall": {"name": "ns.look", "args": {"q": 1}}, "thoughtSignature": "c2ln"},
            {"functionCall": {"name": "apply_patch", "args": {"input": "*** Begin"}}},
            {"executableCode": {"language": "PYTHON", "code": "print(2)"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2\n"}},
            {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
            {"text": "end"},
        ]
    )
    assert kinds(response) == [
        "reasoning",
        "message",
        "reasoning",  # carries the call's signature (encrypted_content was asked for)
        "function_call",
        "custom_tool_call",
        "code_interpreter_call",
        "image_generation_call",
        "message",
    ]
    reasoning, message, signed, call, custom, code, image, last = response["output"]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "plan"}]
    assert "encrypted_content" not in reasoning
    assert decode_signature(signed["encrypted_content"]) == "c2ln" and signed["summary"] == []
    assert message["content"][0]["text"] == "ab" and last["content"][0]["text"] == "end"
    assert call["name"] == "look" and call["namespace"] == "ns"
    assert call["arguments"] == '{"q":1}'
    assert decode_tool_call_id(call["call_id"]) == (None, "c2ln")
    assert custom["input"] == "*** Begin" and custom["name"] == "apply_patch"
    assert code["code"] == "print(2)" and code["outputs"] == [{"type": "logs", "logs": "2\n"}]
    assert image["result"] == "AAAA"


def test_call_signature_without_thoughts_gets_its_own_reasoning_item() -> None:
    response = reply(
        [{"text": "x"}, {"functionCall": {"name": "f", "args": {}}, "thoughtSignature": "QQ=="}]
    )
    assert kinds(response) == ["message", "reasoning", "function_call"]
    assert response["output"][1]["encrypted_content"] == encode_signature("QQ==")


def test_text_signature_is_kept_in_extras() -> None:
    response = reply([{"text": "x", "thoughtSignature": "dGV4dA=="}])
    assert response["extra_content"]["google"]["thought_signature"] == "dGV4dA=="


def test_blocked_prompt_is_an_incomplete_refusal() -> None:
    ctx = ResponseContext(
        "resp_1",
        1,
        "m",
        {"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
        ToolMap(),
    )
    native = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}}
    response = response_from(native, ctx)
    Response.model_validate(response)
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "content_filter"}
    assert response["output"][0]["content"][0]["type"] == "refusal"
    assert "SAFETY" in response["output"][0]["content"][0]["refusal"]


def test_grounding_gives_code_point_annotations_and_a_search_item() -> None:
    text = "é café"
    grounding = {
        "webSearchQueries": ["cafe"],
        "groundingChunks": [{"web": {"uri": "https://x.test", "title": "x"}}],
        "groundingSupports": [
            {
                "segment": {"startIndex": 3, "endIndex": len(text.encode())},
                "groundingChunkIndices": [0],
            }
        ],
    }
    native_parts = [{"text": text}]
    native = {
        "candidates": [
            {
                "content": {"parts": native_parts},
                "finishReason": "STOP",
                "groundingMetadata": grounding,
            }
        ],
    }
    ctx = ResponseContext(
        "resp_1",
        1,
        "m",
        {"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
        ToolMap(),
    )
    response = response_from(native, ctx)
    Response.model_validate(response)
    assert kinds(response) == ["message", "web_search_call"]
    annotation = response["output"][0]["content"][0]["annotations"][0]
    assert text[annotation["start_index"] : annotation["end_index"]] == "café"
    search = response["output"][1]
    assert search["action"]["query"] == "cafe" and search["status"] == "completed"
    assert search["action"]["sources"] == [{"type": "url", "url": "https://x.test"}]


def test_logprobs() -> None:
    logprobs = {
        "chosenCandidates": [{"token": "hi", "logProbability": -0.5}],
        "topCandidates": [{"candidates": [{"token": "hi", "logProbability": -0.5}]}],
    }
    native = {
        "candidates": [
            {
                "content": {"parts": [{"text": "hi"}]},
                "finishReason": "STOP",
                "logprobsResult": logprobs,
            }
        ]
    }
    ctx = ResponseContext(
        "resp_1",
        1,
        "m",
        {"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
        ToolMap(),
        include_logprobs=True,
    )
    response = response_from(native, ctx)
    Response.model_validate(response)
    entry = response["output"][0]["content"][0]["logprobs"][0]
    assert entry["token"] == "hi" and entry["logprob"] == -0.5
    assert entry["top_logprobs"][0]["token"] == "hi"


def test_pieced_call_arguments_stream_into_one_item() -> None:
    """Vertex streams a call's arguments in pieces (`willContinue`, `partialArgs`, `{}`)."""
    from adapter.translate.responses.stream import ResponsesStream

    ctx = ResponseContext("resp_1", 1, "m", {}, TOOLS)
    events = [
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"functionCall": {"name": "get_weather", "willContinue": True}}]
                    }
                }
            ]
        },
        {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {
                                "functionCall": {
                                    "partialArgs": [
                                        {
                                            "jsonPath": "$.city",
                                            "stringValue": "Par",
                                            "willContinue": True,
                                        }
                                    ],
                                    "willContinue": True,
                                }
                            }
                        ]
                    }
                }
            ]
        },
        {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {
                                "functionCall": {
                                    "partialArgs": [{"jsonPath": "$.city", "stringValue": "is"}],
                                    "willContinue": True,
                                }
                            }
                        ]
                    }
                }
            ]
        },
        {"candidates": [{"content": {"parts": [{"functionCall": {}}]}, "finishReason": "STOP"}]},
    ]
    stream = ResponsesStream(ctx)
    stream.start()
    for event in events:
        stream.sse_for(event)
    stream.finish()
    (item,) = stream.response["output"]
    assert item["type"] == "function_call" and item["name"] == "get_weather"
    assert item["arguments"] == '{"city":"Paris"}'
