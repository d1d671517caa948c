"""Deterministic reply content: text, usage, thinking, tools, structured output, extras."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jsonschema
import pytest

from ._helpers import (
    FLASH,
    G3,
    answer_text,
    body,
    call_turn,
    generate,
    response_turn,
    user,
    weather_tool,
)


async def reply_of(
    client: httpx.AsyncClient, model: str, payload: dict[str, Any]
) -> dict[str, Any]:
    response = await generate(client, model, payload)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_echo_text_and_envelope(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, FLASH, body("What is the capital of France?"))
    (candidate,) = reply["candidates"]
    assert answer_text(candidate) == "Echo: What is the capital of France?"
    assert candidate["finishReason"] == "STOP"
    assert candidate["index"] == 0
    assert candidate["content"]["role"] == "model"
    assert reply["modelVersion"] == FLASH
    assert reply["responseId"]


async def test_same_request_same_reply_other_request_other_id(client: httpx.AsyncClient) -> None:
    first = await reply_of(client, G3, body("hello"))
    again = await reply_of(client, G3, body("hello"))
    other = await reply_of(client, G3, body("hello!"))
    assert first == again
    assert other["responseId"] != first["responseId"]


async def test_usage_metadata(client: httpx.AsyncClient) -> None:
    payload = body("one two three", systemInstruction={"parts": [{"text": "four five"}]})
    usage = (await reply_of(client, FLASH, payload))["usageMetadata"]
    assert usage["promptTokenCount"] == 5
    assert usage["promptTokensDetails"] == [{"modality": "TEXT", "tokenCount": 5}]
    assert usage["candidatesTokenCount"] == 4  # "Echo: one two three"
    assert usage["thoughtsTokenCount"] > 0  # 2.5 Flash thinks by default.
    assert usage["totalTokenCount"] == 5 + 4 + usage["thoughtsTokenCount"]


@pytest.mark.parametrize(
    ("model", "config"),
    [
        (FLASH, {"thinkingConfig": {"thinkingBudget": 0}}),
        ("gemini-2.0-flash", {}),
        ("gemini-2.5-flash-lite", {}),
    ],
)
async def test_no_thinking(client: httpx.AsyncClient, model: str, config: dict[str, Any]) -> None:
    usage = (await reply_of(client, model, body(generationConfig=config)))["usageMetadata"]
    assert "thoughtsTokenCount" not in usage
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]


async def test_cached_content_tokens(client: httpx.AsyncClient) -> None:
    payload = body(cachedContent="cachedContents/abc")
    usage = (await reply_of(client, FLASH, payload))["usageMetadata"]
    assert usage["cachedContentTokenCount"] > 0
    assert usage["promptTokenCount"] > usage["cachedContentTokenCount"]


async def test_max_output_tokens_cuts_the_text(client: httpx.AsyncClient) -> None:
    payload = body("a b c d e f", generationConfig={"maxOutputTokens": 3})
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    assert answer_text(candidate) == "Echo: a b"
    assert candidate["finishReason"] == "MAX_TOKENS"


async def test_stop_sequence_cuts_before_it(client: httpx.AsyncClient) -> None:
    payload = body("alpha STOPHERE beta", generationConfig={"stopSequences": ["zzz", "STOP"]})
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    assert answer_text(candidate) == "Echo: alpha "
    assert candidate["finishReason"] == "STOP"


async def test_include_thoughts_puts_a_thought_part_first(client: httpx.AsyncClient) -> None:
    payload = body("hi", generationConfig={"thinkingConfig": {"include_thoughts": True}})
    parts = (await reply_of(client, "gemini-2.5-pro", payload))["candidates"][0]["content"]["parts"]
    assert parts[0]["thought"] is True
    assert parts[0]["text"].startswith("**Thinking")
    assert parts[1] == {"text": "Echo: hi"}


async def test_gemini3_text_carries_a_valid_signature(client: httpx.AsyncClient) -> None:
    parts = (await reply_of(client, G3, body("hi")))["candidates"][0]["content"]["parts"]
    (part,) = parts
    assert part["text"] == "Echo: hi"
    assert base64.b64decode(part["thoughtSignature"], validate=True)


async def test_function_call_in_any_mode_uses_the_schema(client: httpx.AsyncClient) -> None:
    payload = body(
        "What is the weather?",
        tools=weather_tool(),
        toolConfig={"functionCallingConfig": {"mode": "ANY"}},
    )
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    (part,) = candidate["content"]["parts"]
    assert part["functionCall"] == {"name": "get_weather", "args": {"city": "example", "unit": "c"}}
    assert candidate["finishReason"] == "STOP"


async def test_function_named_in_text_is_called_in_auto_mode(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, FLASH, body("please run get_time now", tools=weather_tool()))
    parts = reply["candidates"][0]["content"]["parts"]
    assert [p["functionCall"]["name"] for p in parts] == ["get_time"]


async def test_no_call_when_not_named_in_auto_mode(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, FLASH, body("what's up", tools=weather_tool()))
    assert answer_text(reply["candidates"][0]) == "Echo: what's up"


async def test_two_named_functions_give_parallel_calls(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, G3, body("get_time then get_weather", tools=weather_tool()))
    parts = reply["candidates"][0]["content"]["parts"]
    assert [p["functionCall"]["name"] for p in parts] == ["get_time", "get_weather"]
    assert "thoughtSignature" in parts[0]
    assert "thoughtSignature" not in parts[1]


async def test_allowed_function_names_restrict_the_choice(client: httpx.AsyncClient) -> None:
    calling = {"mode": "ANY", "allowedFunctionNames": ["get_time"]}
    payload = body(
        "get_weather please", tools=weather_tool(), toolConfig={"functionCallingConfig": calling}
    )
    parts = (await reply_of(client, FLASH, payload))["candidates"][0]["content"]["parts"]
    assert [p["functionCall"]["name"] for p in parts] == ["get_time"]


async def test_mode_none_answers_with_text(client: httpx.AsyncClient) -> None:
    payload = body(
        "get_weather please",
        tools=weather_tool(),
        toolConfig={"functionCallingConfig": {"mode": "NONE"}},
    )
    reply = await reply_of(client, FLASH, payload)
    assert answer_text(reply["candidates"][0]) == "Echo: get_weather please"


async def test_text_after_function_response(client: httpx.AsyncClient) -> None:
    payload = {
        "contents": [user("get_weather"), call_turn("get_weather"), response_turn("get_weather")],
        "tools": weather_tool(),
        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
    }
    reply = await reply_of(client, G3, payload)
    assert answer_text(reply["candidates"][0]) == 'Result of get_weather: {"temp": 20}'


async def test_own_signature_round_trips_on_gemini3(client: httpx.AsyncClient) -> None:
    first = body("call get_weather", tools=weather_tool())
    call = (await reply_of(client, G3, first))["candidates"][0]["content"]
    follow_up = {
        "contents": [*first["contents"], call, response_turn("get_weather")],
        "tools": weather_tool(),
    }
    reply = await reply_of(client, G3, follow_up)
    assert answer_text(reply["candidates"][0]).startswith("Result of get_weather")


async def test_json_output_follows_the_json_schema(client: httpx.AsyncClient) -> None:
    schema = {
        "$defs": {
            "Item": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "size": {"type": "integer", "minimum": 3},
                },
                "required": ["name", "kind", "size"],
            }
        },
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 1},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["title", "items"],
    }
    payload = body(
        generationConfig={"responseMimeType": "application/json", "responseJsonSchema": schema}
    )
    value = json.loads(answer_text((await reply_of(client, FLASH, payload))["candidates"][0]))
    jsonschema.validate(value, schema)
    assert set(value) == {"title", "items", "note"}
    assert value["items"][0]["kind"] == "a"


async def test_json_output_follows_the_openapi_response_schema(client: httpx.AsyncClient) -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "city": {"type": "STRING"},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
            "count": {"type": "INTEGER"},
        },
        "property_ordering": ["count", "city", "tags"],
    }
    payload = body(
        generationConfig={"responseMimeType": "application/json", "responseSchema": schema}
    )
    text = answer_text((await reply_of(client, FLASH, payload))["candidates"][0])
    assert json.loads(text) == {"count": 1, "city": "example", "tags": ["example"]}
    assert text.index("count") < text.index("city")


async def test_json_output_without_schema_echoes(client: httpx.AsyncClient) -> None:
    payload = body("hi there", generationConfig={"responseMimeType": "application/json"})
    text = answer_text((await reply_of(client, FLASH, payload))["candidates"][0])
    assert json.loads(text) == {"echo": "hi there"}


async def test_candidate_count(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, FLASH, body("hi", generationConfig={"candidateCount": 3}))
    candidates = reply["candidates"]
    assert [c["index"] for c in candidates] == [0, 1, 2]
    assert [answer_text(c) for c in candidates] == ["Echo: hi", "Echo: hi (2)", "Echo: hi (3)"]


async def test_logprobs(client: httpx.AsyncClient) -> None:
    payload = body("two plus two", generationConfig={"responseLogprobs": True, "logprobs": 3})
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    result = candidate["logprobsResult"]
    chosen = result["chosenCandidates"]
    assert "".join(c["token"] for c in chosen) == answer_text(candidate)
    assert all(c["logProbability"] <= 0 for c in chosen)
    assert len(result["topCandidates"]) == len(chosen)
    assert all(len(t["candidates"]) == 3 for t in result["topCandidates"])
    assert candidate["avgLogprobs"] == pytest.approx(
        sum(c["logProbability"] for c in chosen) / len(chosen)
    )


async def test_google_search_grounding_uses_utf8_byte_offsets(client: httpx.AsyncClient) -> None:
    payload = body("weather in Paris", tools=[{"google_search": {}}])
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    text = answer_text(candidate)
    metadata = candidate["groundingMetadata"]
    assert metadata["webSearchQueries"] == ["weather in Paris"]
    assert metadata["groundingChunks"][0]["web"]["uri"].startswith("https://")
    assert "renderedContent" in metadata["searchEntryPoint"]
    (support,) = metadata["groundingSupports"]
    segment = support["segment"]
    assert support["groundingChunkIndices"] == [0]
    raw = text.encode()
    assert raw[segment["startIndex"] : segment["endIndex"]].decode() == segment["text"]
    # A code-point slice would be wrong: the text has non-ASCII before the segment.
    assert text[segment["startIndex"] : segment["endIndex"]] != segment["text"]


async def test_url_context_metadata(client: httpx.AsyncClient) -> None:
    payload = body("Summarise https://example.org/page please", tools=[{"urlContext": {}}])
    (candidate,) = (await reply_of(client, FLASH, payload))["candidates"]
    assert candidate["urlContextMetadata"] == {
        "urlMetadata": [
            {
                "retrievedUrl": "https://example.org/page",
                "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
            }
        ]
    }


async def test_code_execution_parts(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, G3, body("compute", tools=[{"codeExecution": {}}]))
    parts = reply["candidates"][0]["content"]["parts"]
    assert [next(iter(k for k in p if k != "thoughtSignature")) for p in parts] == [
        "executableCode",
        "codeExecutionResult",
        "text",
    ]
    assert parts[0]["executableCode"]["language"] == "PYTHON"
    assert parts[1]["codeExecutionResult"]["outcome"] == "OUTCOME_OK"
    assert parts[1]["codeExecutionResult"]["output"] == "Echo: compute\n"


async def test_image_modality_returns_a_png(client: httpx.AsyncClient) -> None:
    payload = body("draw", generationConfig={"responseModalities": ["TEXT", "IMAGE"]})
    parts = (await reply_of(client, "gemini-2.5-flash-image", payload))["candidates"][0]["content"][
        "parts"
    ]
    assert "text" in parts[0]
    image = parts[1]["inlineData"]
    assert image["mimeType"] == "image/png"
    assert base64.b64decode(image["data"]).startswith(b"\x89PNG\r\n\x1a\n")


async def test_block_prompt(client: httpx.AsyncClient) -> None:
    reply = await reply_of(client, FLASH, body("please BLOCK_PROMPT this"))
    assert "candidates" not in reply
    assert reply["promptFeedback"]["blockReason"] == "SAFETY"
    assert reply["promptFeedback"]["safetyRatings"]
    assert "candidatesTokenCount" not in reply["usageMetadata"]


@pytest.mark.parametrize(
    ("word", "reason"), [("BLOCK_REPLY", "SAFETY"), ("RECITATION", "RECITATION")]
)
async def test_blocked_reply(client: httpx.AsyncClient, word: str, reason: str) -> None:
    (candidate,) = (await reply_of(client, FLASH, body(f"say {word}")))["candidates"]
    assert candidate["finishReason"] == reason
    assert "content" not in candidate
    assert candidate.get("safetyRatings") or candidate.get("citationMetadata")
