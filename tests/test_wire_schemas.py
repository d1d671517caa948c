"""The committed wire schemas (schemas/*.json) against real recordings and hand-made payloads.

Two directions matter: real traffic must pass (or the schemas would fail the
adapter for doing the right thing) and malformed payloads must fail (or the
schema checks in other tests would prove nothing).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fixtures_lib import all_fixtures, load_fixture
from jsonschema import Draft202012Validator
from schema_check import SCHEMAS_DIR, assert_valid, first_error, schema_names, validator

GEMINI_REQUEST = "gemini.generate_content_request"
GEMINI_RESPONSE = "gemini.generate_content_response"
EXPECTED_SCHEMAS = {
    "openai.chat_request",
    "openai.chat_completion",
    "openai.chat_chunk",
    "openai.error",
    "openai.response",
    "openai.response_stream_event",
    "openai.images_response",
    "openai.transcription",
    "openai.transcription_verbose",
    "openai.translation_verbose",
    GEMINI_REQUEST,
    GEMINI_RESPONSE,
}


# ------------------------------------------------------------- recordings ---


@dataclass(frozen=True)
class Case:
    fixture: str
    part: str  # "request", "response" or "sse_events[i]"
    schema: str
    payload: Any

    @property
    def id(self) -> str:
        return f"{self.fixture}:{self.part}"


def _native_cases() -> list[Case]:
    cases: list[Case] = []
    for name, fx in all_fixtures("gemini"):
        if fx["status"] != 200:
            continue  # error bodies are google.rpc.Status, not in these schemas
        if fx["request"] is not None:
            cases.append(Case(name, "request", GEMINI_REQUEST, fx["request"]))
        if "response" in fx:
            cases.append(Case(name, "response", GEMINI_RESPONSE, fx["response"]))
        for i, event in enumerate(fx.get("sse_events") or []):
            cases.append(Case(name, f"sse_events[{i}]", GEMINI_RESPONSE, event))
    return cases


NATIVE_CASES = _native_cases()

_PARTIAL_ARGS = "vertex_gemini-3.1-pro-preview_stream_partial_function_args"
_NAMELESS_CALL = (
    r"^\$\.candidates\[0\]\.content\.parts\[0\]\.functionCall$",
    "'name' is a required property",
)
# Recordings that are NOT Gemini API traffic and fail for a known, Vertex-only
# reason: case id -> (JSON path regex, message fragment).  Listed rather than
# skipped so that any *other* failure in them still shows up, and an entry
# that starts passing is reported as stale.
KNOWN_VERTEX_DEVIATIONS: dict[str, tuple[str, str]] = {
    # Vertex's modelArmorConfig does not exist on the Gemini API.
    "vertex_gemini-2.5-flash_prompt_blocked_model_armor:request": (
        r"^\$$",
        "'modelArmorConfig' was unexpected",
    ),
    # BlockReason MODEL_ARMOR is Vertex-only (not in the discovery enum).
    "vertex_gemini-2.5-flash_prompt_blocked_model_armor:response": (
        r"^\$\.promptFeedback\.blockReason$",
        "'MODEL_ARMOR' is not one of",
    ),
    # Vertex streamFunctionCallArguments: continuation chunks carry a
    # functionCall without `name` (partialArgs / empty), which the Gemini API
    # discovery marks Required.
    **{f"{_PARTIAL_ARGS}:sse_events[{i}]": _NAMELESS_CALL for i in (1, 2, 3, 5, 6, 7)},
}


def test_recordings_are_present() -> None:
    # Guards the parametrized test below against passing vacuously.
    kinds = {c.part.split("[")[0] for c in NATIVE_CASES}
    assert kinds == {"request", "response", "sse_events"}
    assert sum(c.schema == GEMINI_REQUEST for c in NATIVE_CASES) >= 35
    assert sum(c.schema == GEMINI_RESPONSE for c in NATIVE_CASES) >= 100
    ids = {c.id for c in NATIVE_CASES}
    assert set(KNOWN_VERTEX_DEVIATIONS) <= ids, "deviation list names a missing recording"


@pytest.mark.parametrize("case", NATIVE_CASES, ids=lambda c: c.id)
def test_recorded_native_traffic_matches_schema(case: Case) -> None:
    expected = KNOWN_VERTEX_DEVIATIONS.get(case.id)
    if expected is None:
        assert_valid(case.schema, case.payload)
        return
    error = first_error(case.schema, case.payload)
    assert error is not None, f"{case.id} now validates: drop it from KNOWN_VERTEX_DEVIATIONS"
    path_re, fragment = expected
    assert re.search(path_re, error.json_path), error.json_path
    assert fragment in error.message, error.message


# -------------------------------------------------- Gemini request: strict ---


def _basic_request() -> dict[str, Any]:
    request = load_fixture("gemini-2.5-flash_text_basic")["request"]
    assert isinstance(request, dict)
    assert_valid(GEMINI_REQUEST, request)  # the baseline the mutations start from
    return request


def _tool_request() -> dict[str, Any]:
    request = load_fixture("gemini-3-flash-preview_function_response_multiturn")["request"]
    assert isinstance(request, dict)
    assert_valid(GEMINI_REQUEST, request)
    return request


def _fails(schema: str, payload: Any, path: str | None = None, fragment: str = "") -> None:
    with pytest.raises(AssertionError) as info:
        assert_valid(schema, payload)
    text = str(info.value)
    if path is not None:
        assert f"at {path}:" in text, text
    assert fragment in text, text


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda r: r["generationConfig"].update(foo=1), "$.generationConfig", "'foo'"),
        (lambda r: r.update(temperature=0.5), "$", "'temperature'"),  # belongs in generationConfig
        (
            lambda r: r["contents"][0]["parts"][0].update(bogus="x"),
            "$.contents[0].parts[0]",
            "'bogus'",
        ),
        (lambda r: r["systemInstruction"].update(text="hi"), "$.systemInstruction", "'text'"),
        (
            lambda r: r["generationConfig"].update(temperature="hot"),
            "$.generationConfig.temperature",
            "not of type 'number'",
        ),
        (
            lambda r: r["generationConfig"].update(maxOutputTokens=1.5),
            "$.generationConfig.maxOutputTokens",
            "not of type 'integer'",
        ),
        (lambda r: r.update(contents={"parts": []}), "$.contents", "not of type 'array'"),
        (
            lambda r: r["contents"][0]["parts"][0].update(text=["a"]),
            "$.contents[0].parts[0].text",
            "not of type 'string'",
        ),
        (
            lambda r: r["generationConfig"].update(responseModalities=["SMELL"]),
            "$.generationConfig.responseModalities[0]",
            "is not one of",
        ),
        (
            lambda r: r["generationConfig"].update(thinkingConfig={"thinkingLevel": "extreme"}),
            "$.generationConfig.thinkingConfig.thinkingLevel",
            "is not one of",
        ),
        # A data: URL where raw base64 belongs (a plausible translation bug).
        (
            lambda r: r["contents"][0]["parts"].append(
                {"inlineData": {"mimeType": "image/png", "data": "data:image/png;base64,iVBO"}}
            ),
            "$.contents[0].parts[1].inlineData.data",
            "does not match",
        ),
    ],
    ids=[
        "unknown-generationConfig-field",
        "unknown-top-level-field",
        "unknown-part-field",
        "unknown-content-field",
        "wrong-type-number",
        "wrong-type-integer",
        "wrong-type-array",
        "wrong-type-string",
        "bad-enum-item",
        "bad-enum",
        "data-url-as-base64",
    ],
)
def test_malformed_gemini_request_fails(mutate: Any, path: str, fragment: str) -> None:
    request = _basic_request()
    mutate(request)
    _fails(GEMINI_REQUEST, request, path, fragment)


def test_gemini_request_required_fields() -> None:
    request = _tool_request()
    calls = [p for c in request["contents"] for p in c["parts"] if "functionCall" in p]
    responses = [p for c in request["contents"] for p in c["parts"] if "functionResponse" in p]
    assert calls and responses

    no_name = copy.deepcopy(request)
    next(p for c in no_name["contents"] for p in c["parts"] if "functionResponse" in p)[
        "functionResponse"
    ].pop("name")
    _fails(GEMINI_REQUEST, no_name, fragment="name")

    no_response = copy.deepcopy(request)
    next(p for c in no_response["contents"] for p in c["parts"] if "functionResponse" in p)[
        "functionResponse"
    ].pop("response")
    _fails(GEMINI_REQUEST, no_response, fragment="response")

    # `response` is a Struct: it must be a JSON object, not a bare string.
    not_object = copy.deepcopy(request)
    next(p for c in not_object["contents"] for p in c["parts"] if "functionResponse" in p)[
        "functionResponse"
    ]["response"] = "42"
    _fails(GEMINI_REQUEST, not_object, fragment="not of type 'object'")


def test_gemini_request_accepts_snake_case_spellings() -> None:
    # The API's JSON parser takes proto (snake_case) names as well as camelCase.
    request = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "hi"},
                    {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}},
                    {"file_data": {"file_uri": "gs://b/o.pdf", "mime_type": "application/pdf"}},
                ],
            }
        ],
        "system_instruction": {"parts": [{"text": "be brief"}]},
        "generation_config": {
            "max_output_tokens": 10,
            "thinking_config": {"thinking_budget": 0, "include_thoughts": False},
            "response_mime_type": "application/json",
            "response_json_schema": {"type": "object", "additionalProperties": False},
        },
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "tool_config": {
            "function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}
        },
        "tools": [
            {"function_declarations": [{"name": "f", "parameters_json_schema": {}}]},
            {"google_search": {}},
            {"code_execution": {}},
            {"url_context": {}},
        ],
        "cached_content": "cachedContents/abc",
    }
    assert_valid(GEMINI_REQUEST, request)
    # ... and snake_case is no loophole for unknown fields.
    request["generation_config"]["thinking_config"]["thinking_budgett"] = 1
    _fails(GEMINI_REQUEST, request, "$.generation_config.thinking_config", "thinking_budgett")


def test_gemini_request_free_form_fields_stay_free_form() -> None:
    # Struct / JSON-schema fields carry user data: any keys, any nesting.
    anything = {
        "additionalProperties": False,
        "$defs": {"X": {"const": 1}},
        "weirdKey": [1, {"deep": None}],
        "snake_key": True,
    }
    request = {
        "contents": [
            {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {"name": "f", "args": anything, "id": "call-1"},
                        "thoughtSignature": "c2ln",
                    }
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "f", "id": "call-1", "response": anything}}
                ],
            },
        ],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseJsonSchema": anything,
            "_responseJsonSchema": anything,
        },
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "f",
                        "description": "d",
                        "parametersJsonSchema": anything,
                        "responseJsonSchema": anything,
                    }
                ]
            }
        ],
    }
    assert_valid(GEMINI_REQUEST, request)


def test_gemini_request_enum_spellings_and_int64() -> None:
    request = _basic_request()
    # Case variants the API accepts (SDKs differ) ...
    request["generationConfig"]["thinkingConfig"] = {"thinkingLevel": "low"}
    request["toolConfig"] = {"functionCallingConfig": {"mode": "any"}}
    request["serviceTier"] = "FLEX"
    # ... int64 fields may be JSON strings or numbers (proto3 JSON mapping) ...
    request["generationConfig"]["responseSchema"] = {
        "type": "ARRAY",
        "items": {"type": "string"},
        "minItems": "1",
        "maxItems": 3,
    }
    assert_valid(GEMINI_REQUEST, request)
    # ... but not arbitrary strings.
    request["generationConfig"]["responseSchema"]["minItems"] = "one"
    _fails(GEMINI_REQUEST, request, "$.generationConfig.responseSchema.minItems")


def test_gemini_request_per_part_media_resolution() -> None:
    # Part.mediaResolution refers to a type the discovery document omits; the
    # generator supplies it (see schemas/README.md).
    request = _basic_request()
    request["contents"][0]["parts"].append(
        {
            "inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="},
            "mediaResolution": {"level": "MEDIA_RESOLUTION_HIGH"},
        }
    )
    assert_valid(GEMINI_REQUEST, request)
    request["contents"][0]["parts"][-1]["mediaResolution"] = {"level": "HIGHEST"}
    _fails(GEMINI_REQUEST, request, "$.contents[0].parts[1].mediaResolution.level")


def test_every_gemini_request_message_type_is_closed() -> None:
    # Structural guard for the generator: each message type (object with named
    # fields) rejects unknown fields; only maps/Structs stay open.
    schema = json.loads((SCHEMAS_DIR / f"{GEMINI_REQUEST}.json").read_text())
    open_types = [
        name
        for name, d in {"<root>": schema, **schema["$defs"]}.items()
        if "properties" in d and d.get("additionalProperties") is not False
    ]
    assert open_types == []


# ----------------------------------------------- Gemini response: open-ish ---


def _basic_response() -> dict[str, Any]:
    response = load_fixture("gemini-2.5-flash_text_basic")["response"]
    assert isinstance(response, dict)
    return response


def test_gemini_response_allows_additional_fields() -> None:
    response = _basic_response()
    response["candidates"][0]["content"]["parts"][0]["someNewField"] = {"x": 1}
    response["usageMetadata"]["trafficType"] = "ON_DEMAND"
    response["createTime"] = "2026-01-01T00:00:00Z"
    assert_valid(GEMINI_RESPONSE, response)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda r: r.update(candidates={"0": {}}), "$.candidates"),
        (
            lambda r: r["usageMetadata"].update(promptTokenCount="nine"),
            "$.usageMetadata.promptTokenCount",
        ),
        (
            lambda r: r["candidates"][0]["content"]["parts"][0].update(text=7),
            "$.candidates[0].content.parts[0].text",
        ),
        (lambda r: r["candidates"][0].update(finishReason="DONE"), "$.candidates[0].finishReason"),
        (
            lambda r: r["candidates"][0].update(
                safetyRatings=[{"category": "HARM_CATEGORY_HARASSMENT"}]
            ),
            "$.candidates[0].safetyRatings[0]",
        ),  # probability is required
        (
            lambda r: r["candidates"][0]["content"]["parts"].append({"functionCall": {"args": {}}}),
            "$.candidates[0].content.parts[1].functionCall",
        ),  # name is required
    ],
    ids=[
        "candidates-not-array",
        "count-not-integer",
        "text-not-string",
        "bad-finish-reason",
        "rating-without-probability",
        "call-without-name",
    ],
)
def test_malformed_gemini_response_fails(mutate: Any, path: str) -> None:
    response = _basic_response()
    assert_valid(GEMINI_RESPONSE, response)
    mutate(response)
    _fails(GEMINI_RESPONSE, response, path)


# ------------------------------------------------------------------ OpenAI ---


def _chat_request() -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBO", "detail": "low"},
                    },
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"q": 1}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"a": 2}'},
        ],
        "tools": [
            {
                "type": "function",
                "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
            }
        ],
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_completion_tokens": 100,
        "reasoning_effort": "low",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "object"}},
        },
    }


def _completion() -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gemini-2.5-flash",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "logprobs": None,
                "message": {
                    "role": "assistant",
                    "content": None,  # null content next to tool_calls
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "lookup", "arguments": "{}"},
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": 3,
            "completion_tokens": 5,
            "total_tokens": 8,
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    }


def _chunk() -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gemini-2.5-flash",
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": "Hel"},
                "logprobs": None,
                "finish_reason": None,
            }
        ],
        "usage": None,
    }


def _error() -> dict[str, Any]:
    return {
        "error": {
            "message": "bad model",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }


def test_minimal_openai_payloads_validate() -> None:
    assert_valid("openai.chat_request", _chat_request())
    assert_valid(
        "openai.chat_request", {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert_valid("openai.chat_completion", _completion())
    assert_valid("openai.chat_chunk", _chunk())
    assert_valid("openai.error", _error())
    assert_valid(
        "openai.error",
        {"error": {"message": "m", "type": "server_error", "param": None, "code": None}},
    )


def test_openai_chunk_variants_validate() -> None:
    usage_chunk = _chunk()
    usage_chunk["choices"] = []  # the include_usage trailer
    usage_chunk["usage"] = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    assert_valid("openai.chat_chunk", usage_chunk)

    tool_chunk = _chunk()
    tool_chunk.pop("usage")
    tool_chunk["choices"] = [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "delta": {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": ""},
                    }
                ]
            },
        }
    ]
    assert_valid("openai.chat_chunk", tool_chunk)


def test_openai_responses_allow_adapter_extension_fields() -> None:
    completion = _completion()
    message = completion["choices"][0]["message"]
    message["reasoning_content"] = "thinking..."
    message["images"] = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,x"}}]
    message["extra_content"] = {"google": {"thought_signature": "c2ln"}}
    message["tool_calls"][0]["extra_content"] = {"google": {"thought_signature": "c2ln"}}
    assert_valid("openai.chat_completion", completion)

    chunk = _chunk()
    chunk["choices"][0]["delta"]["reasoning_content"] = "hmm"
    assert_valid("openai.chat_chunk", chunk)


@pytest.mark.parametrize(
    ("schema", "make", "mutate", "path"),
    [
        ("openai.chat_completion", _completion, lambda p: p.pop("choices"), "$"),
        (
            "openai.chat_completion",
            _completion,
            lambda p: p.update(object="chat.completion.chunk"),
            "$.object",
        ),
        (
            "openai.chat_completion",
            _completion,
            lambda p: p["choices"][0]["message"].update(role="model"),
            "$.choices[0].message.role",
        ),
        (
            "openai.chat_completion",
            _completion,
            lambda p: p["choices"][0].update(finish_reason="STOP"),
            "$.choices[0].finish_reason",
        ),
        (
            "openai.chat_completion",
            _completion,
            lambda p: p["usage"].update(total_tokens="8"),
            "$.usage.total_tokens",
        ),
        ("openai.chat_chunk", _chunk, lambda p: p.pop("choices"), "$"),
        ("openai.chat_chunk", _chunk, lambda p: p.update(object="chat.completion"), "$.object"),
        ("openai.chat_chunk", _chunk, lambda p: p["choices"][0].pop("delta"), "$.choices[0]"),
        (
            "openai.chat_chunk",
            _chunk,
            lambda p: p["choices"][0]["delta"].update(role="model"),
            "$.choices[0].delta.role",
        ),
        ("openai.error", _error, lambda p: p["error"].pop("message"), "$.error"),
        ("openai.error", _error, lambda p: p.update(error="boom"), "$.error"),
        ("openai.chat_request", _chat_request, lambda p: p.update(messages=[]), "$.messages"),
        ("openai.chat_request", _chat_request, lambda p: p.pop("model"), "$"),
    ],
    ids=[
        "completion-no-choices",
        "completion-wrong-object",
        "completion-wrong-role",
        "completion-bad-finish-reason",
        "completion-usage-string",
        "chunk-no-choices",
        "chunk-wrong-object",
        "chunk-no-delta",
        "chunk-wrong-role",
        "error-no-message",
        "error-not-object",
        "request-no-messages",
        "request-no-model",
    ],
)
def test_malformed_openai_payload_fails(schema: str, make: Any, mutate: Any, path: str) -> None:
    payload = make()
    assert_valid(schema, payload)  # valid before the mutation, so the mutation is the cause
    mutate(payload)
    _fails(schema, payload, path)


# Google's OpenAI-compatible endpoint omits members the OpenAI spec requires
# (choices[].logprobs, message.refusal, and message.content when it is a tool
# call).  The SDKs tolerate that; our schema follows the spec, so the adapter
# must emit them (as null).  Pinned here so the reason stays visible.
COMPAT_MISSING = {
    "gemini-2.5-pro-preview_compat_tool_calls_turn0": {
        ("$.choices[0]", "logprobs"),
        ("$.choices[0].message", "content"),
        ("$.choices[0].message", "refusal"),
    },
    "gemini-2.5-pro-preview_compat_tool_calls_turn1": {
        ("$.choices[0]", "logprobs"),
        ("$.choices[0].message", "refusal"),
    },
}


@pytest.mark.parametrize("name", sorted(COMPAT_MISSING))
def test_google_openai_compat_replies_against_completion_schema(name: str) -> None:
    fx = load_fixture(f"google-openai-compat/{name}")
    response = fx["response"]
    errors = list(validator("openai.chat_completion").iter_errors(response))
    missing = set()
    for error in errors:
        assert error.validator == "required", f"{error.json_path}: {error.message}"
        missing.add((error.json_path, error.message.split("'")[1]))
    assert missing == COMPAT_MISSING[name]

    # With the spec-required members filled in as null, the rest of Google's
    # shape (extra_content, thought_signature, empty tool call id) is accepted.
    for choice in response["choices"]:
        choice.setdefault("logprobs", None)
        choice["message"].setdefault("content", None)
        choice["message"].setdefault("refusal", None)
    assert_valid("openai.chat_completion", response)


def test_all_google_openai_compat_recordings_are_covered() -> None:
    assert {name for name, _ in all_fixtures("google-openai-compat")} == set(COMPAT_MISSING)


# ------------------------------------------------------- schema files/API ---


def test_schema_files_are_the_expected_self_contained_set() -> None:
    assert set(schema_names()) == EXPECTED_SCHEMAS
    for name in EXPECTED_SCHEMAS:
        schema = json.loads((SCHEMAS_DIR / f"{name}.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        refs = re.findall(r'"\$ref":\s*"([^"]*)"', json.dumps(schema))
        assert refs or name == "openai.error"
        for ref in refs:
            assert ref.startswith("#/$defs/"), ref
            assert ref.removeprefix("#/$defs/") in schema.get("$defs", {}), ref


def test_assert_valid_reports_path_and_message() -> None:
    with pytest.raises(AssertionError, match=r"openai\.error: at \$\.error\.param: 3 is not valid"):
        assert_valid(
            "openai.error", {"error": {"message": "m", "type": "t", "code": None, "param": 3}}
        )
    with pytest.raises(KeyError):
        assert_valid("openai.nope", {})


def test_assert_valid_truncates_huge_values() -> None:
    request = _basic_request()
    request["contents"][0]["parts"][0]["text"] = ["x" * 100_000]
    with pytest.raises(AssertionError) as info:
        assert_valid(GEMINI_REQUEST, request)
    assert len(str(info.value)) < 1000


# ------------------------------------------------------------- generator ---


def _load_build() -> ModuleType:
    path = SCHEMAS_DIR / "build.py"
    spec = importlib.util.spec_from_file_location("schemas_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_type_mapping() -> None:
    build = _load_build()
    convert = build.convert_gemini
    assert convert({"type": "any"}, strict=True) == {}
    assert convert({"type": "string", "format": "int64"}, strict=False)["type"] == [
        "string",
        "integer",
    ]
    blob = convert({"type": "string", "format": "byte"}, strict=False)
    assert blob["contentEncoding"] == "base64"
    message = convert(
        {
            "type": "object",
            "properties": {"fooBar": {"type": "string", "description": "Required. x"}},
        },
        strict=True,
    )
    assert message["additionalProperties"] is False
    assert set(message["properties"]) == {"fooBar", "foo_bar"}
    struct = convert({"type": "object", "additionalProperties": {"type": "any"}}, strict=True)
    assert struct == {"type": "object", "additionalProperties": {}}
    assert build.snake_case("_responseJsonSchema") == "_response_json_schema"

    openai = build.convert_openai(
        {
            "$ref": "#/components/schemas/X",
            "nullable": True,
            "x-stainless-const": True,
            "discriminator": {},
        }
    )
    assert openai == {"anyOf": [{"$ref": "#/$defs/X"}, {"type": "null"}]}


def test_committed_schemas_record_their_source() -> None:
    for name in EXPECTED_SCHEMAS:
        schema = json.loads((SCHEMAS_DIR / f"{name}.json").read_text())
        assert "GENERATED by schemas/build.py" in schema["$comment"]
    assert Path(SCHEMAS_DIR / "README.md").is_file()
