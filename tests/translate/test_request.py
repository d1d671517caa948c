"""Table-driven unit tests of the pure request translation (SPEC R1-R11)."""

from __future__ import annotations

from typing import Any

import pytest
from schema_check import assert_valid

from adapter.errors import AdapterError
from adapter.models import capabilities_for
from adapter.translate.request import native_model_name, to_native_request
from adapter.translate.request.extensions import camel, camelize
from adapter.translate.request.thinking import thinking_from
from adapter.translate.signatures import SKIP_SIGNATURE, decode_tool_call_id, encode_tool_call_id

USER = {"role": "user", "content": "hi"}


def req(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "gemini-2.5-flash", "messages": [USER]}
    body.update(fields)
    return body


def native(**fields: Any) -> dict[str, Any]:
    result = to_native_request(req(**fields)).body
    assert_valid("gemini.generate_content_request", result)
    return result


# --- messages (R1, R2) --------------------------------------------------------------------

MESSAGE_CASES = [
    (
        "system and developer anywhere go to systemInstruction in order",
        [
            {"role": "system", "content": "A"},
            USER,
            {"role": "developer", "content": [{"type": "text", "text": "B"}]},
        ],
        {
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "systemInstruction": {"parts": [{"text": "A"}, {"text": "B"}]},
        },
    ),
    (
        "assistant becomes model, name is ignored",
        [USER, {"role": "assistant", "content": "yo", "name": "bot"}, USER],
        {
            "contents": [
                {"role": "user", "parts": [{"text": "hi"}]},
                {"role": "model", "parts": [{"text": "yo"}]},
                {"role": "user", "parts": [{"text": "hi"}]},
            ]
        },
    ),
    (
        "array content with several text parts",
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            }
        ],
        {"contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]},
    ),
]


@pytest.mark.parametrize(("name", "messages", "expected"), MESSAGE_CASES)
def test_messages(name: str, messages: list[Any], expected: dict[str, Any]) -> None:
    assert native(messages=messages) == expected


# --- tool turns (R4, R10) -----------------------------------------------------------------


def tool_call(call_id: str, name: str, args: str = "{}") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}


def test_tool_results_grouped_in_call_order_with_names_and_wrapping() -> None:
    messages = [
        USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [tool_call("a", "weather", '{"city": "Paris"}'), tool_call("b", "time")],
        },
        {"role": "tool", "tool_call_id": "b", "content": "12:00"},
        {"role": "tool", "tool_call_id": "a", "content": '{"temp": 20}'},
    ]
    body = native(messages=messages)
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "weather", "args": {"city": "Paris"}}},
            {"functionCall": {"name": "time", "args": {}}},
        ],
    }
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "weather", "response": {"temp": 20}}},
            {"functionResponse": {"name": "time", "response": {"result": "12:00"}}},
        ],
    }


def test_signature_and_native_id_travel_in_the_tool_call_id() -> None:
    signature = "CpYBAXLI2nyk8hUK9Z0vYfHf3qbH8bcl8Q=="
    call_id = encode_tool_call_id("seed", "fc-1", signature)
    assert set(call_id) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    assert decode_tool_call_id(call_id) == ("fc-1", signature)
    messages = [
        USER,
        {"role": "assistant", "tool_calls": [tool_call(call_id, "f")]},
        {"role": "tool", "tool_call_id": call_id, "content": "ok"},
    ]
    body = to_native_request(req(model="gemini-3-pro-preview", messages=messages)).body
    assert body["contents"][1]["parts"][0] == {
        "functionCall": {"name": "f", "args": {}, "id": "fc-1"},
        "thoughtSignature": signature,
    }
    assert body["contents"][2]["parts"][0]["functionResponse"]["id"] == "fc-1"


@pytest.mark.parametrize(
    ("signature", "native_id"),
    [("not base64 !", None), ("", "x"), ("QUJD", None), ("a" * 3000 + "==", "id-7")],
)
def test_tool_call_id_round_trip(signature: str, native_id: str | None) -> None:
    call_id = encode_tool_call_id("s", native_id, signature or None)
    assert decode_tool_call_id(call_id) == (native_id, signature or None)


def test_extra_content_signature_wins_and_gemini3_gets_skip_value() -> None:
    messages = [
        USER,
        {
            "role": "assistant",
            "tool_calls": [
                {
                    **tool_call("x1", "f"),
                    "extra_content": {"google": {"thought_signature": "U0lH"}},
                },
                tool_call("x2", "g"),
            ],
        },
        {"role": "tool", "tool_call_id": "x1", "content": "1"},
        {"role": "tool", "tool_call_id": "x2", "content": "2"},
        USER,
        {"role": "assistant", "tool_calls": [tool_call("plain", "f")]},
        {"role": "tool", "tool_call_id": "plain", "content": "3"},
    ]
    body = to_native_request(req(model="gemini-3-flash-preview", messages=messages)).body
    first, second = body["contents"][1]["parts"]
    assert first["thoughtSignature"] == "U0lH" and "thoughtSignature" not in second
    assert body["contents"][4]["parts"][0]["thoughtSignature"] == SKIP_SIGNATURE
    # Gemini 2.5 does not validate signatures: nothing is invented for it.
    body25 = to_native_request(req(messages=messages)).body
    assert "thoughtSignature" not in body25["contents"][4]["parts"][0]


# --- bad input (R11, E2) ------------------------------------------------------------------

BAD_CASES = [
    ({"messages": "hi"}, "messages"),
    ({"messages": [{"role": "user", "content": ""}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"messages": [{"role": "system", "content": "only system"}]}, "messages"),
    (
        {"messages": [USER, {"role": "tool", "tool_call_id": "nope", "content": "x"}]},
        "messages[1].tool_call_id",
    ),
    (
        {"messages": [USER, {"role": "assistant", "tool_calls": [tool_call("a", "f")]}, USER]},
        "messages[1].tool_calls[0]",
    ),
    ({"messages": [USER, {"role": "assistant", "content": None}]}, "messages[1].content"),
    (
        {"messages": [USER, {"role": "assistant", "tool_calls": [tool_call("a", "f", "[1]")]}]},
        "messages[1].tool_calls[0].function.arguments",
    ),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}],
                }
            ]
        },
        "messages[0].content[0].image_url.url",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "video", "video": {}}]}]},
        "messages[0].content[0].type",
    ),
    ({"temperature": 3}, "temperature"),
    ({"top_p": "x"}, "top_p"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"stop": [1]}, "stop[0]"),
    ({"n": 1.5}, "n"),
    ({"logit_bias": "x"}, "logit_bias"),
    ({"user": 5}, "user"),
    ({"stream": "yes"}, "stream"),
    ({"stream_options": {"include_usage": 1}}, "stream_options.include_usage"),
    ({"reasoning_effort": "extreme"}, "reasoning_effort"),
    ({"response_format": {"type": "xml"}}, "response_format.type"),
    ({"tools": [{"type": "function", "function": {"name": ""}}]}, "tools[0].function.name"),
    (
        {
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": {"type": "function", "function": {"name": "g"}},
        },
        "tool_choice.function.name",
    ),
    ({"tool_choice": "required"}, "tool_choice"),
    ({"service_tier": "gold"}, "service_tier"),
    ({"model": 5}, "model"),
]


@pytest.mark.parametrize(("fields", "param"), BAD_CASES)
def test_bad_input_names_the_field(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(**fields))
    assert caught.value.status == 400
    assert caught.value.param == param
    assert caught.value.body()["error"]["type"] == "invalid_request_error"


def test_null_means_not_given_and_ignored_fields_are_accepted() -> None:
    body = native(
        temperature=None,
        stop=None,
        user="u1",
        store=True,
        metadata={"a": "b"},
        logit_bias={"1": 2},
        parallel_tool_calls=False,
        unknown_future_field={"x": 1},
    )
    assert "generationConfig" not in body


# --- parameters (R5, R6) ------------------------------------------------------------------

PARAM_CASES = [
    ({"temperature": 0.5}, {"temperature": 0.5}),
    ({"top_p": 0.9}, {"topP": 0.9}),
    ({"max_tokens": 100}, {"maxOutputTokens": 100}),
    ({"max_completion_tokens": 50, "max_tokens": 100}, {"maxOutputTokens": 50}),
    ({"stop": "END"}, {"stopSequences": ["END"]}),
    ({"stop": ["a", "b"]}, {"stopSequences": ["a", "b"]}),
    ({"n": 2}, {"candidateCount": 2}),
    ({"seed": 7}, {"seed": 7}),
    ({"logprobs": True, "top_logprobs": 3}, {"responseLogprobs": True, "logprobs": 3}),
    ({"modalities": ["text", "image"]}, {"responseModalities": ["TEXT", "IMAGE"]}),
    ({"response_format": {"type": "json_object"}}, {"responseMimeType": "application/json"}),
    ({"response_format": {"type": "text"}}, None),
]


@pytest.mark.parametrize(("fields", "expected"), PARAM_CASES)
def test_generation_config(fields: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert native(**fields).get("generationConfig") == expected


def test_json_schema_response_format() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    config = native(
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": schema, "strict": True},
        }
    )["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["properties"] == {"a": {"type": "string"}}


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("flex", "flex"), ("priority", "priority"), ("default", "standard"), ("auto", None)],
)
def test_service_tier(tier: str, expected: str | None) -> None:
    assert to_native_request(req(service_tier=tier)).body.get("serviceTier") == expected


def test_penalties_dropped_where_refused_and_reported() -> None:
    result = to_native_request(req(presence_penalty=0.5, frequency_penalty=0.1))
    assert "generationConfig" not in result.body
    assert result.adjusted == ["presence_penalty=dropped", "frequency_penalty=dropped"]
    kept = to_native_request(req(model="gemini-2.0-flash", presence_penalty=0.5))
    assert kept.body["generationConfig"] == {"presencePenalty": 0.5}
    assert kept.adjusted == []


# --- tools (R7) ---------------------------------------------------------------------------

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "d",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {"type": "function", "function": {"name": "noargs"}},
]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("none", {"mode": "NONE"}),
        ("auto", {"mode": "AUTO"}),
        ("required", {"mode": "ANY"}),
        (
            {"type": "function", "function": {"name": "noargs"}},
            {"mode": "ANY", "allowedFunctionNames": ["noargs"]},
        ),
    ],
)
def test_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    body = native(tools=TOOLS, tool_choice=choice)
    assert body["toolConfig"] == {"functionCallingConfig": expected}
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "d",
                    "parametersJsonSchema": {"type": "object", "properties": {}},
                },
                {"name": "noargs"},
            ]
        }
    ]


# --- thinking (R8) ------------------------------------------------------------------------

THINKING_CASES = [
    ("gemini-2.5-flash", "none", {"thinkingBudget": 0}),
    ("gemini-2.5-flash", "minimal", {"thinkingBudget": 512}),
    ("gemini-2.5-flash", "low", {"thinkingBudget": 1024}),
    ("gemini-2.5-flash", "medium", {"thinkingBudget": 8192}),
    ("gemini-2.5-flash-lite", "high", {"thinkingBudget": 24576}),
    ("gemini-2.5-pro", "none", {"thinkingBudget": 128}),
    ("gemini-2.5-pro", "minimal", {"thinkingBudget": 512}),
    ("gemini-2.5-pro", "high", {"thinkingBudget": 24576}),
    ("gemini-3-pro-preview", "none", {"thinkingLevel": "LOW"}),
    ("gemini-3-pro-preview", "minimal", {"thinkingLevel": "LOW"}),
    ("gemini-3-pro-preview", "low", {"thinkingLevel": "LOW"}),
    ("gemini-3-pro-preview", "medium", {"thinkingLevel": "HIGH"}),
    ("gemini-3-pro-preview", "high", {"thinkingLevel": "HIGH"}),
    ("gemini-3-flash-preview", "none", {"thinkingLevel": "MINIMAL"}),
    ("gemini-3-flash-preview", "minimal", {"thinkingLevel": "MINIMAL"}),
    ("gemini-3-flash-preview", "medium", {"thinkingLevel": "MEDIUM"}),
    ("gemini-3.1-pro-preview", "medium", {"thinkingLevel": "MEDIUM"}),
    ("gemini-3.1-pro-preview", "minimal", {"thinkingLevel": "LOW"}),
    ("gemini-3.7-flash", "minimal", {"thinkingLevel": "LOW"}),
    ("gemini-2.7-flash", "low", {"thinkingBudget": 1024}),
    ("gemini-4-ultra", "high", {"thinkingLevel": "HIGH"}),
]


@pytest.mark.parametrize(("model", "effort", "expected"), THINKING_CASES)
def test_reasoning_effort_table(model: str, effort: str, expected: dict[str, Any]) -> None:
    result = to_native_request(req(model=model, reasoning_effort=effort))
    config = result.body["generationConfig"]["thinkingConfig"]
    assert config == expected
    assert not ("thinkingBudget" in config and "thinkingLevel" in config)
    value = next(iter(expected.values()))
    kind = "budget" if "thinkingBudget" in expected else "level"
    assert result.thinking == f"{kind}={str(value).lower()}"


@pytest.mark.parametrize(
    ("model", "budget", "expected"),
    [
        ("gemini-2.5-flash", 2000, {"thinkingBudget": 2000, "includeThoughts": True}),
        ("gemini-2.5-pro", 10, {"thinkingBudget": 128, "includeThoughts": True}),
        ("gemini-3-pro-preview", 1024, {"thinkingLevel": "LOW", "includeThoughts": True}),
        ("gemini-3-pro-preview", 4000, {"thinkingLevel": "HIGH", "includeThoughts": True}),
        ("gemini-3.1-pro-preview", 4000, {"thinkingLevel": "MEDIUM", "includeThoughts": True}),
        ("gemini-3-flash-preview", 90000, {"thinkingLevel": "HIGH", "includeThoughts": True}),
    ],
)
def test_anthropic_thinking(model: str, budget: int, expected: dict[str, Any]) -> None:
    body = {"thinking": {"type": "enabled", "budget_tokens": budget}}
    assert thinking_from(body, capabilities_for(model)).config == expected


def test_explicit_thinking_config_wins_over_effort() -> None:
    result = to_native_request(
        req(
            reasoning_effort="high",
            extra_body={
                "google": {"thinking_config": {"thinking_budget": 77, "include_thoughts": True}}
            },
        )
    )
    assert result.body["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 77,
        "includeThoughts": True,
    }
    assert result.thinking == "budget=77;include_thoughts"


def test_thinking_dropped_for_models_without_it() -> None:
    result = to_native_request(req(model="gemini-2.0-flash", reasoning_effort="low"))
    assert "generationConfig" not in result.body
    assert result.adjusted == ["reasoning_effort=dropped"]


# --- extensions (R9) ----------------------------------------------------------------------


def test_google_extension_merged_in_camel_case_keeping_data_keys() -> None:
    google = {
        "cached_content": "cachedContents/abc",
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
        "tools": ["google_search", {"code_execution": {}}, {"url_context": {}}],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "generation_config": {"top_k": 5, "response_mime_type": "text/plain"},
        "response_modalities": ["TEXT", "IMAGE"],
        "image_config": {"aspect_ratio": "16:9"},
        "labels": {"my_team": "a_b"},
        "future_field": {"some_name": 1},
    }
    body = to_native_request(req(temperature=0.1, google=google)).body
    assert body["cachedContent"] == "cachedContents/abc"
    assert body["safetySettings"][0]["threshold"] == "BLOCK_NONE"
    assert body["tools"] == [{"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert body["generationConfig"] == {
        "temperature": 0.1,
        "topK": 5,
        "responseMimeType": "text/plain",
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "16:9"},
    }
    assert body["labels"] == {"my_team": "a_b"}
    assert body["futureField"] == {"someName": 1}


def test_extension_at_extra_body_and_web_search_options() -> None:
    body = to_native_request(
        req(web_search_options={}, extra_body={"google": {"tools": [{"googleSearch": {}}]}})
    ).body
    assert body["tools"] == [{"googleSearch": {}}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"thinking_config": {"include_thoughts": True}},
            {"thinkingConfig": {"includeThoughts": True}},
        ),
        ({"args": {"snake_key": 1}}, {"args": {"snake_key": 1}}),
        (
            {"response_json_schema": {"properties": {"a_b": {}}}},
            {"responseJsonSchema": {"properties": {"a_b": {}}}},
        ),
        ([{"a_b": 1}], [{"aB": 1}]),
    ],
)
def test_camelize(value: Any, expected: Any) -> None:
    assert camelize(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("thinking_config", "thinkingConfig"),
        ("topK", "topK"),
        ("_private", "_private"),
        ("a_b_c", "aBC"),
    ],
)
def test_camel(name: str, expected: str) -> None:
    assert camel(name) == expected


@pytest.mark.parametrize(
    ("model", "aliases", "expected"),
    [
        ("models/gemini-2.5-flash", {}, "gemini-2.5-flash"),
        ("google/gemini-2.5-pro", {}, "gemini-2.5-pro"),
        ("gpt-4o-mini", {"gpt-4o-mini": "gemini-2.5-flash"}, "gemini-2.5-flash"),
    ],
)
def test_model_names(model: str, aliases: dict[str, str], expected: str) -> None:
    assert native_model_name(model, aliases) == expected


# --- parts (R3) ---------------------------------------------------------------------------

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
    "rkJggg=="
)

PART_CASES = [
    (
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
    ),
    (
        {"type": "image_url", "image_url": {"url": "gs://bucket/cat.jpg"}},
        {"fileData": {"fileUri": "gs://bucket/cat.jpg", "mimeType": "image/jpeg"}},
    ),
    (
        {
            "type": "image_url",
            "image_url": {"url": "https://generativelanguage.googleapis.com/v1beta/files/abc"},
        },
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
    ),
    (
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
    ),
    (
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"},
        },
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
    ),
    (
        {"type": "file", "file": {"file_id": "files/xyz", "filename": "a.pdf"}},
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/xyz",
                "mimeType": "application/pdf",
            }
        },
    ),
]


@pytest.mark.parametrize(("part", "expected"), PART_CASES)
def test_parts(part: dict[str, Any], expected: dict[str, Any]) -> None:
    body = native(messages=[{"role": "user", "content": [{"type": "text", "text": "see"}, part]}])
    assert body["contents"][0]["parts"] == [{"text": "see"}, expected]


def test_remote_image_is_left_for_the_fetcher_and_detail_maps() -> None:
    result = to_native_request(
        req(
            messages=[
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://example.com/a.png", "detail": "high"},
                        }
                    ],
                }
            ]
        )
    )
    (item,) = result.remote_media
    assert item.url == "https://example.com/a.png"
    assert item.param == "messages[0].content[0].image_url.url"
    assert item.part is result.body["contents"][0]["parts"][0]
    assert result.body["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_HIGH"
