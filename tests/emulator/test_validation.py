"""Strict validation: each rule has a request that must be refused and a close one that passes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ._helpers import (
    FLASH,
    G3,
    KEY,
    body,
    call_turn,
    error_of,
    generate,
    response_turn,
    user,
    weather_tool,
)

SIGNATURE_MESSAGE = (
    "Function call is missing a thought_signature in functionCall parts. This is required for"
    " tools to work correctly, and missing thought_signature may lead to degraded model"
    " performance. Additional data, function call `default_api:get_weather` , position 2."
    " Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
)


@dataclass
class Rule:
    bad: dict[str, Any]
    good: dict[str, Any]
    message: str
    model: str = FLASH
    good_model: str | None = None
    status: int = 400
    extra_good: list[dict[str, Any]] = field(default_factory=list)


def defs_items_tool(items: dict[str, Any]) -> list[dict[str, Any]]:
    """A tool whose parametersJsonSchema holds `items` under $defs.D (an array)."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "$defs": {"D": {"type": "array", "items": items}},
    }
    return [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": schema}]}]


def schema_rule(keyword: str, value: Any) -> Rule:
    """A responseJsonSchema with `keyword` nested inside a property is refused; the same
    schema with a *property named* like the keyword passes (property names are free)."""
    bad_schema = {"type": "object", "properties": {"x": {"type": "string", keyword: value}}}
    good_schema = {"type": "object", "properties": {keyword: {"type": "string"}}}
    config = {"responseMimeType": "application/json"}
    return Rule(
        bad=body(generationConfig={**config, "responseJsonSchema": bad_schema}),
        good=body(generationConfig={**config, "responseJsonSchema": good_schema}),
        message=f"'generation_config.response_json_schema.properties.x': keyword \"{keyword}\"",
    )


def thinking(model_config: dict[str, Any]) -> dict[str, Any]:
    return body(generationConfig={"thinkingConfig": model_config})


RULES: dict[str, Rule] = {
    "unknown-top-level-field": Rule(
        bad=body(foo=1),
        good=body(),
        message='Invalid JSON payload received. Unknown name "foo": Cannot find field.',
    ),
    "unknown-field-in-part": Rule(
        bad={"contents": [{"role": "user", "parts": [{"text": "hi", "type": "text"}]}]},
        good={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        message="Unknown name \"type\" at 'contents[0].parts[0]': Cannot find field.",
    ),
    "snake-case-typo-still-unknown": Rule(
        bad=thinking({"include_thought": True}),
        good=thinking({"include_thoughts": True}),
        message="Unknown name \"include_thought\" at 'generation_config.thinking_config'",
    ),
    "openai-strict-flag-in-declaration": Rule(
        bad=body(tools=weather_tool(strict=True)),
        good=body(tools=weather_tool(description="weather")),
        message="Unknown name \"strict\" at 'tools[0].function_declarations[0]'",
    ),
    "wrong-scalar-type": Rule(
        bad=body(generationConfig={"temperature": "hot"}),
        good=body(generationConfig={"temperature": 0.5}),
        message="Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
    ),
    "list-for-singular-field": Rule(
        bad=body(systemInstruction=[{"parts": [{"text": "be brief"}]}]),
        good=body(systemInstruction={"parts": [{"text": "be brief"}]}),
        message="Proto field is not repeating, cannot start list.",
    ),
    "object-for-scalar-field": Rule(
        bad=body(generationConfig={"temperature": {"value": 1}}),
        good=body(generationConfig={"temperature": 1}),
        message="Starting an object on a scalar field",
    ),
    "bad-enum-thinking-level": Rule(
        bad=thinking({"thinkingLevel": "EXTREME"}),
        good=thinking({"thinkingLevel": "low"}),
        message="Invalid value at 'generation_config.thinking_config.thinking_level'",
        model=G3,
    ),
    "bad-enum-calling-mode": Rule(
        bad=body(tools=weather_tool(), toolConfig={"functionCallingConfig": {"mode": "SOMETIMES"}}),
        good=body(tools=weather_tool(), toolConfig={"functionCallingConfig": {"mode": "ANY"}}),
        message="Invalid value at 'tool_config.function_calling_config.mode'",
    ),
    "bad-enum-modality": Rule(
        bad=body(generationConfig={"responseModalities": ["VIDEO"]}),
        good=body(generationConfig={"responseModalities": ["TEXT"]}),
        message="Invalid value at 'generation_config.response_modalities[0]'",
    ),
    "contents-missing": Rule(
        bad={"generationConfig": {}},
        good=body(generationConfig={}),
        message="* GenerateContentRequest.contents: contents is not specified",
    ),
    "contents-empty": Rule(
        bad={"contents": []},
        good=body(),
        message="* GenerateContentRequest.contents: contents is not specified",
    ),
    "parts-empty": Rule(
        bad={"contents": [user("hi"), {"role": "model", "parts": []}, user("again")]},
        good={"contents": [user("hi"), {"role": "model", "parts": [{"text": "yo"}]}, user("x")]},
        message="* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.",
    ),
    "part-without-data": Rule(
        bad={"contents": [{"role": "user", "parts": [{"thought": False}]}]},
        good={"contents": [{"role": "user", "parts": [{"text": ""}]}]},
        message="contents[0].parts[0].data: required oneof field 'data' must have one",
    ),
    "part-with-two-data-fields": Rule(
        bad={
            "contents": [
                {"parts": [{"text": "a", "inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}
            ]
        },
        good={
            "contents": [
                {
                    "parts": [
                        {"text": "a"},
                        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
                    ]
                }
            ]
        },
        message="oneof field 'data' is already set",
    ),
    "role-assistant": Rule(
        bad={"contents": [user("hi"), {"role": "assistant", "parts": [{"text": "yo"}]}]},
        good={"contents": [user("hi"), {"role": "model", "parts": [{"text": "yo"}]}]},
        message="Please use a valid role: user, model.",
    ),
    "role-system": Rule(
        bad={"contents": [{"role": "system", "parts": [{"text": "be nice"}]}, user("hi")]},
        good=body(systemInstruction={"parts": [{"text": "be nice"}]}),
        message="Please use a valid role: user, model.",
    ),
    "function-response-without-call": Rule(
        bad={"contents": [user("weather?"), response_turn("get_weather")], "tools": weather_tool()},
        good={
            "contents": [user("weather?"), call_turn("get_weather"), response_turn("get_weather")],
            "tools": weather_tool(),
        },
        message="function response turn comes immediately after a function call turn",
    ),
    "function-response-count-mismatch": Rule(
        bad={
            "contents": [
                user("x"),
                call_turn("get_weather", "get_time"),
                response_turn("get_weather"),
            ],
            "tools": weather_tool(),
        },
        good={
            "contents": [
                user("x"),
                call_turn("get_weather", "get_time"),
                response_turn("get_weather", "get_time"),
            ],
            "tools": weather_tool(),
        },
        message="Please ensure that the number of function response parts is equal to the number"
        " of function call parts of the function call turn.",
    ),
    "function-call-turn-first": Rule(
        bad={"contents": [call_turn("get_weather"), response_turn("get_weather")]},
        good={"contents": [user("x"), call_turn("get_weather"), response_turn("get_weather")]},
        message="function call turn comes immediately after a user turn",
    ),
    "gemini3-missing-thought-signature": Rule(
        bad={
            "contents": [
                user("x"),
                call_turn("get_weather", signature=None),
                response_turn("get_weather"),
            ]
        },
        good={"contents": [user("x"), call_turn("get_weather"), response_turn("get_weather")]},
        message=SIGNATURE_MESSAGE,
        model=G3,
        extra_good=[
            # Only the first call of a turn needs one (parallel calls after it may lack it).
            {
                "contents": [
                    user("x"),
                    call_turn("get_weather", "get_time"),
                    response_turn("get_weather", "get_time"),
                ]
            },
            # The documented bypass values pass.
            {
                "contents": [
                    user("x"),
                    call_turn("get_weather", signature="skip_thought_signature_validator"),
                    response_turn("get_weather"),
                ]
            },
            {
                "contents": [
                    user("x"),
                    call_turn("get_weather", signature="context_engineering_is_the_way_to_go"),
                    response_turn("get_weather"),
                ]
            },
            # Turns before the latest user prompt are not the current step.
            {
                "contents": [
                    user("x"),
                    call_turn("get_weather", signature=None),
                    response_turn("get_weather"),
                    {"role": "model", "parts": [{"text": "It is 20 degrees."}]},
                    user("thanks, and now?"),
                ]
            },
        ],
    ),
    "signature-not-base64": Rule(
        bad={"contents": [user("x"), call_turn("get_weather", signature="not base64!")]},
        good={
            "contents": [
                user("x"),
                call_turn("get_weather", signature=None),
                response_turn("get_weather"),
            ]
        },
        message="Invalid value at 'contents[1].parts[0].thought_signature' (TYPE_BYTES),"
        " Base64 decoding failed",
    ),
    "thinking-budget-and-level": Rule(
        bad=thinking({"thinkingBudget": 1024, "thinkingLevel": "HIGH"}),
        good=thinking({"thinkingLevel": "HIGH"}),
        message="You can only set only one of thinking budget and thinking level.",
        model="gemini-3.1-pro-preview",
    ),
    "thinking-level-on-gemini-2": Rule(
        bad=thinking({"thinkingLevel": "LOW"}),
        good=thinking({"thinkingBudget": 512}),
        message="Thinking level is not supported for this model.",
    ),
    "minimal-on-3-pro": Rule(
        bad=thinking({"thinkingLevel": "MINIMAL"}),
        good=thinking({"thinkingLevel": "LOW"}),
        message="Thinking level MINIMAL is not supported for this model. Please retry with other"
        " thinking level.",
        model="gemini-3-pro-preview",
    ),
    "minimal-on-3.1-pro": Rule(
        bad=thinking({"thinkingLevel": "MINIMAL"}),
        good=thinking({"thinkingLevel": "MINIMAL"}),
        message="Thinking level MINIMAL is not supported",
        model="gemini-3.1-pro-preview",
        good_model=G3,
    ),
    "minimal-on-3.7-flash": Rule(
        bad=thinking({"thinkingLevel": "minimal"}),
        good=thinking({"thinkingLevel": "medium"}),
        message="Thinking level MINIMAL is not supported",
        model="gemini-3.7-flash",
    ),
    "budget-zero-on-2.5-pro": Rule(
        bad=thinking({"thinkingBudget": 0}),
        good=thinking({"thinkingBudget": 0}),
        message="Budget 0 is invalid. This model only works in thinking mode.",
        model="gemini-2.5-pro",
        good_model=FLASH,
    ),
    "budget-too-large": Rule(
        bad=thinking({"thinkingBudget": 40000}),
        good=thinking({"thinkingBudget": 32768}),
        message="The thinking budget 40000 is invalid",
        extra_good=[thinking({"thinkingBudget": -1})],
    ),
    "budget-negative": Rule(
        bad=thinking({"thinkingBudget": -5}),
        good=thinking({"thinkingBudget": -1}),
        message="The thinking budget -5 is invalid",
    ),
    "penalty-on-2.5-flash": Rule(
        bad=body(generationConfig={"presencePenalty": 0.5}),
        good=body(generationConfig={"presencePenalty": 0.5}),
        message="Penalty is not enabled for models/gemini-2.5-flash",
        good_model="gemini-2.5-pro",
    ),
    "frequency-penalty-on-2.5-flash": Rule(
        bad=body(generationConfig={"frequencyPenalty": 1}),
        good=body(generationConfig={"frequencyPenalty": 0.0}),
        message="Penalty is not enabled for models/gemini-2.5-flash",
    ),
    "schema-$schema": schema_rule("$schema", "https://json-schema.org/draft/2020-12/schema"),
    "schema-const": schema_rule("const", "a"),
    "schema-default": schema_rule("default", "a"),
    "schema-examples": schema_rule("examples", ["a"]),
    "schema-allOf": schema_rule("allOf", [{"type": "string"}]),
    "schema-pattern": schema_rule("pattern", "^a"),
    "schema-strict": schema_rule("strict", True),
    "schema-minLength": schema_rule("minLength", 1),
    "schema-exclusiveMinimum": schema_rule("exclusiveMinimum", 0),
    "schema-discriminator": schema_rule("discriminator", {"propertyName": "kind"}),
    "schema-keyword-in-tool-parameters": Rule(
        bad=body(tools=defs_items_tool({"type": "string", "format": "email", "default": ""})),
        good=body(tools=defs_items_tool({"type": "string", "format": "email"})),
        message="'tools[0].function_declarations[0].parameters_json_schema.$defs.D.items':"
        ' keyword "default"',
    ),
    "response-schema-unknown-field": Rule(
        bad=body(
            generationConfig={
                "responseMimeType": "application/json",
                "responseSchema": {
                    "type": "OBJECT",
                    "properties": {"a": {"type": "STRING", "const": "x"}},
                },
            }
        ),
        good=body(
            generationConfig={
                "responseMimeType": "application/json",
                "responseSchema": {
                    "type": "OBJECT",
                    "properties": {"a": {"any_of": [{"type": "STRING"}]}},
                    "property_ordering": ["a"],
                },
            }
        ),
        message="Unknown name \"const\" at 'generation_config.response_schema.properties[0].value'",
    ),
    "both-response-schemas": Rule(
        bad=body(
            generationConfig={
                "responseMimeType": "application/json",
                "responseSchema": {"type": "STRING"},
                "responseJsonSchema": {"type": "string"},
            }
        ),
        good=body(
            generationConfig={
                "responseMimeType": "application/json",
                "responseJsonSchema": {"type": "string"},
            }
        ),
        message="only one of response_schema and response_json_schema can be set",
    ),
    "any-mode-with-json-mime": Rule(
        bad=body(
            tools=weather_tool(),
            toolConfig={"functionCallingConfig": {"mode": "ANY"}},
            generationConfig={"responseMimeType": "application/json"},
        ),
        good=body(
            tools=weather_tool(),
            toolConfig={"functionCallingConfig": {"mode": "AUTO"}},
            generationConfig={"responseMimeType": "application/json"},
        ),
        message="Forced function calling (ANY mode) with a response mime type: 'application/json'"
        " is unsupported",
    ),
    "unsupported-mime-type": Rule(
        bad=body(generationConfig={"responseMimeType": "text/html"}),
        good=body(generationConfig={"responseMimeType": "text/plain"}),
        message="response_mime_type: allowed mimetypes are",
    ),
    "bad-function-name": Rule(
        bad=body(tools=[{"functionDeclarations": [{"name": "get weather"}]}]),
        good=body(tools=[{"functionDeclarations": [{"name": "get-weather.v2"}]}]),
        message="tools[0].function_declarations[0].name: Invalid function name.",
    ),
    "duplicate-function": Rule(
        bad=body(
            tools=[
                {"functionDeclarations": [{"name": "f"}]},
                {"functionDeclarations": [{"name": "f"}]},
            ]
        ),
        good=body(
            tools=[
                {"functionDeclarations": [{"name": "f"}]},
                {"functionDeclarations": [{"name": "g"}]},
            ]
        ),
        message="Duplicate function declaration found: f",
    ),
    "allowed-names-need-any-mode": Rule(
        bad=body(
            tools=weather_tool(),
            toolConfig={
                "functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": ["get_weather"]}
            },
        ),
        good=body(
            tools=weather_tool(),
            toolConfig={
                "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
            },
        ),
        message="allowed_function_names can only be set when the function calling mode is ANY",
    ),
}


@pytest.mark.parametrize("name", list(RULES))
async def test_rule_rejects_bad_and_accepts_good(client: httpx.AsyncClient, name: str) -> None:
    rule = RULES[name]
    refused = await generate(client, rule.model, rule.bad)
    assert refused.status_code == rule.status, refused.text
    error = error_of(refused)
    assert error["status"] == "INVALID_ARGUMENT"
    assert rule.message in error["message"], error["message"]
    for good in [rule.good, *rule.extra_good]:
        accepted = await generate(client, rule.good_model or rule.model, good)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["candidates"], accepted.text


async def test_unknown_field_error_has_the_real_shape(client: httpx.AsyncClient) -> None:
    response = await generate(client, FLASH, body(generation_config={"foo": 1}))
    description = (
        "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config':"
        " Cannot find field."
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": description,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": "generation_config", "description": description}],
                }
            ],
        }
    }


async def test_every_unknown_field_is_listed(client: httpx.AsyncClient) -> None:
    response = await generate(client, FLASH, body(a=1, generationConfig={"b": 2}))
    violations = error_of(response)["details"][0]["fieldViolations"]
    assert [v.get("field") for v in violations] == [None, "generation_config"]
    assert len(error_of(response)["message"].splitlines()) == 2


async def test_free_form_struct_fields_are_not_name_checked(client: httpx.AsyncClient) -> None:
    contents = [
        user("weather?"),
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "get_weather", "args": {"any": {"nested": [1]}}}}],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"whatever": True}}}
            ],
        },
    ]
    payload = {
        "contents": contents,
        "labels": {"team": "x"},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "parametersJsonSchema": {"type": "object", "properties": {"anything": {}}},
                    }
                ]
            }
        ],
    }
    response = await generate(client, FLASH, payload)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "Invalid JSON payload received. Unexpected token."),
        (b'{"contents": NaN}', "Invalid JSON payload received. Unexpected token."),
        (b"[]", 'Unknown name "": Root element must be a message.'),
        (b'{"a":' * 150 + b"1" + b"}" * 150, "nested too deeply"),
    ],
    ids=["syntax", "nan", "array", "too-deep"],
)
async def test_malformed_bodies(client: httpx.AsyncClient, raw: bytes, message: str) -> None:
    response = await client.post(
        "/v1beta/models/gemini-2.5-flash:generateContent", content=raw, headers=KEY
    )
    assert response.status_code == 400
    assert message in error_of(response)["message"]


async def test_enum_values_are_case_insensitive(client: httpx.AsyncClient) -> None:
    # The real API took `"type": "object"` in a `parameters` Schema (llm-gemini recording).
    payload = body(
        tools=[{"functionDeclarations": [{"name": "f", "parameters": {"type": "object"}}]}],
        serviceTier="FLEX",
    )
    assert (await generate(client, FLASH, payload)).status_code == 200
