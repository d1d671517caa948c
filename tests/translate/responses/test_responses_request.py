"""Responses request -> native request, table-driven (docs/responses.md, "Mapping")."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.errors import AdapterError
from adapter.translate.responses.encrypted import encode_signature
from adapter.translate.responses.request import to_native_responses
from adapter.translate.signatures import SKIP_SIGNATURE, encode_tool_call_id

FN = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
PATCH = {"type": "custom", "name": "apply_patch", "description": "Edit files."}


def native(**body: Any) -> dict[str, Any]:
    body.setdefault("model", "gemini-2.5-flash")
    body.setdefault("input", "hi")
    return to_native_responses(body).native.body


def error(**body: Any) -> AdapterError:
    body.setdefault("model", "gemini-2.5-flash")
    body.setdefault("input", "hi")
    with pytest.raises(AdapterError) as caught:
        to_native_responses(body)
    return caught.value


USER = {"role": "user", "content": "q"}
CALL = {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"a":1}'}
OUTPUT = {"type": "function_call_output", "call_id": "c1", "output": '{"t": 2}'}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"input": "hello"}, {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}),
        (
            {"instructions": "sys", "input": [{"role": "developer", "content": "dev"}, USER]},
            {
                "contents": [{"role": "user", "parts": [{"text": "q"}]}],
                "systemInstruction": {"parts": [{"text": "sys"}, {"text": "dev"}]},
            },
        ),
        (
            {
                "input": [
                    USER,
                    {
                        "type": "message",
                        "role": "assistant",
                        "content": [{"type": "output_text", "text": "a"}],
                    },
                    CALL,
                    OUTPUT,
                ],
                "tools": [FN],
            },
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "q"}]},
                    {
                        "role": "model",
                        "parts": [
                            {"text": "a"},
                            {"functionCall": {"name": "get_weather", "args": {"a": 1}}},
                        ],
                    },
                    {
                        "role": "user",
                        "parts": [
                            {"functionResponse": {"name": "get_weather", "response": {"t": 2}}}
                        ],
                    },
                ]
            },
        ),
    ],
)
def test_items(body: dict[str, Any], expected: dict[str, Any]) -> None:
    got = native(**body)
    for key, value in expected.items():
        assert got[key] == value


def test_parallel_outputs_are_grouped_in_call_order() -> None:
    second = {**CALL, "call_id": "c2", "name": "get_time", "arguments": ""}
    outputs = [
        {"type": "function_call_output", "call_id": "c2", "output": "noon"},
        {"type": "function_call_output", "call_id": "c1", "output": "[1]"},
    ]
    body = native(
        input=[USER, CALL, second, *outputs],
        tools=[FN, {"type": "function", "name": "get_time"}],
    )
    assert body["contents"][2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"result": [1]}}},
        {"functionResponse": {"name": "get_time", "response": {"result": "noon"}}},
    ]


def test_custom_tool_call_history_and_declaration() -> None:
    call = {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": "*** X"}
    out = {"type": "custom_tool_call_output", "call_id": "p1", "output": "Done"}
    body = native(input=[USER, call, out], tools=[PATCH])
    declaration = body["tools"][0]["functionDeclarations"][0]
    assert declaration["parametersJsonSchema"]["required"] == ["input"]
    assert body["contents"][1]["parts"][0]["functionCall"]["args"] == {"input": "*** X"}
    assert body["contents"][2]["parts"][0]["functionResponse"]["response"] == {"result": "Done"}


def test_signature_from_call_id_or_reasoning_item() -> None:
    call_id = encode_tool_call_id("s", "nid", "c2ln")
    packed = {**CALL, "call_id": call_id}
    body = native(
        model="gemini-3-flash-preview",
        input=[USER, packed, {**OUTPUT, "call_id": call_id}],
        tools=[FN],
    )
    part = body["contents"][1]["parts"][0]
    assert part["thoughtSignature"] == "c2ln" and part["functionCall"]["id"] == "nid"
    assert body["contents"][2]["parts"][0]["functionResponse"]["id"] == "nid"
    reasoning = {"type": "reasoning", "summary": [], "encrypted_content": encode_signature("QUJD")}
    body = native(model="gemini-3-flash-preview", input=[USER, reasoning, CALL, OUTPUT], tools=[FN])
    assert body["contents"][1]["parts"][0]["thoughtSignature"] == "QUJD"


def test_gemini3_call_without_signature_gets_the_skip_value() -> None:
    foreign = {"type": "reasoning", "summary": [], "encrypted_content": "gAAAAABfOpenAI"}
    body = native(model="gemini-3-flash-preview", input=[USER, foreign, CALL, OUTPUT], tools=[FN])
    assert body["contents"][1]["parts"][0]["thoughtSignature"] == SKIP_SIGNATURE
    body = native(input=[USER, foreign, CALL, OUTPUT], tools=[FN])  # 2.5: nothing to skip
    assert "thoughtSignature" not in body["contents"][1]["parts"][0]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": None}, "model"),
        ({"input": None}, "input"),
        ({"input": [USER, OUTPUT]}, "input[1].call_id"),
        ({"input": [USER, CALL, USER], "tools": [FN]}, "input[1].call_id"),
        ({"input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_video"}]}]},
            "input[0].content[0].type",
        ),
        ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0].id"),
        ({"tools": [{"type": "file_search", "vector_store_ids": []}]}, "tools[0].type"),
        ({"tools": [{"type": "local_shell"}]}, "tools[0].type"),
        ({"tools": [FN, FN]}, "tools[1].name"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
        ({"max_output_tokens": "9"}, "max_output_tokens"),
        ({"temperature": 9}, "temperature"),
        ({"reasoning": {"effort": "huge"}}, "reasoning.effort"),
        ({"text": {"format": {"type": "xml"}}}, "text.format.type"),
        ({"text": {"format": {"type": "json_schema", "name": "x"}}}, "text.format.schema"),
        ({"tool_choice": {"type": "function", "name": "nope"}, "tools": [FN]}, "tool_choice.name"),
        ({"previous_response_id": "resp_1"}, "previous_response_id"),
        ({"conversation": "conv_1"}, "conversation"),
        ({"background": True}, "background"),
        ({"input": [{**CALL, "arguments": "[1]"}], "tools": [FN]}, "input[0].arguments"),
    ],
)
def test_bad_input_names_the_responses_field(body: dict[str, Any], param: str) -> None:
    assert error(**body).param == param


@pytest.mark.parametrize(
    ("body", "generation"),
    [
        (
            {"max_output_tokens": 50, "temperature": 0.5, "top_p": 0.9},
            {"maxOutputTokens": 50, "temperature": 0.5, "topP": 0.9},
        ),
        ({"text": {"format": {"type": "json_object"}}}, {"responseMimeType": "application/json"}),
        (
            {
                "text": {
                    "format": {
                        "type": "json_schema",
                        "name": "w",
                        "strict": True,
                        "schema": {
                            "type": "object",
                            "properties": {},
                            "additionalProperties": False,
                        },
                    }
                }
            },
            {
                "responseMimeType": "application/json",
                "responseJsonSchema": {
                    "type": "object",
                    "properties": {},
                    "additionalProperties": False,
                },
            },
        ),
        ({"reasoning": {"effort": "low"}}, {"thinkingConfig": {"thinkingBudget": 1024}}),
        (
            {"reasoning": {"effort": "xhigh", "summary": "auto"}},
            {"thinkingConfig": {"thinkingBudget": 24576, "includeThoughts": True}},
        ),
        ({"top_logprobs": 2}, {"responseLogprobs": True, "logprobs": 2}),
        (
            {
                "text": {"format": {"type": "text"}, "verbosity": "low"},
                "truncation": "auto",
                "store": False,
                "metadata": {"a": "b"},
                "parallel_tool_calls": False,
            },
            None,
        ),
    ],
)
def test_parameters(body: dict[str, Any], generation: dict[str, Any] | None) -> None:
    got = native(**body)
    assert got.get("generationConfig") == generation


def test_effort_on_gemini3_and_headers() -> None:
    request = to_native_responses(
        {"model": "gemini-3-pro-preview", "input": "x", "reasoning": {"effort": "minimal"}}
    ).native
    assert request.body["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "LOW"}
    assert request.thinking == "level=low"
    assert request.adjusted == ["reasoning.effort=level:low"]


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
        (
            {"type": "function", "name": "get_weather"},
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
        (
            {"type": "custom", "name": "apply_patch"},
            {"mode": "ANY", "allowedFunctionNames": ["apply_patch"]},
        ),
        (
            {
                "type": "allowed_tools",
                "mode": "required",
                "tools": [{"type": "function", "name": "get_weather"}],
            },
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
        (
            {
                "type": "allowed_tools",
                "mode": "auto",
                "tools": [{"type": "function", "name": "get_weather"}],
            },
            {"mode": "AUTO"},
        ),
    ],
)
def test_tool_choice(choice: Any, config: dict[str, Any]) -> None:
    got = native(tools=[FN, PATCH], tool_choice=choice)
    assert got["toolConfig"]["functionCallingConfig"] == config


def test_codex_tool_set_on_gemini_2_drops_search_and_tool_search() -> None:
    request = to_native_responses(
        {
            "model": "gemini-2.5-flash",
            "input": "x",
            "tools": [
                FN,
                PATCH,
                {"type": "web_search", "external_web_access": False},
                {"type": "tool_search", "execution": "client"},
                {"type": "function", "name": "deferred", "defer_loading": True},
                {
                    "type": "namespace",
                    "name": "mcp__docs",
                    "description": "Docs server",
                    "tools": [{"type": "function", "name": "search", "parameters": None}],
                },
            ],
        }
    ).native
    names = [d["name"] for d in request.body["tools"][0]["functionDeclarations"]]
    assert names == ["get_weather", "apply_patch", "deferred", "mcp__docs.search"]
    assert len(request.body["tools"]) == 1  # googleSearch dropped next to functions on 2.x
    assert request.adjusted == ["tool_search=dropped", "web_search=dropped"]


def test_gemini3_keeps_search_with_server_side_invocations() -> None:
    body = native(
        model="gemini-3-flash-preview",
        tools=[FN, {"type": "web_search"}, {"type": "code_interpreter", "container": "auto"}],
    )
    assert body["tools"][1:] == [{"googleSearch": {}}, {"codeExecution": {}}]
    assert body["toolConfig"] == {"includeServerSideToolInvocations": True}


def test_additional_tools_item_and_namespace_history() -> None:
    extra = {
        "type": "additional_tools",
        "role": "developer",
        "tools": [
            {
                "type": "namespace",
                "name": "ns",
                "description": "",
                "tools": [{"type": "function", "name": "look"}],
            }
        ],
    }
    call = {
        "type": "function_call",
        "call_id": "n1",
        "name": "look",
        "namespace": "ns",
        "arguments": "{}",
    }
    out = {"type": "function_call_output", "call_id": "n1", "output": "ok"}
    body = native(input=[extra, USER, call, out])
    assert body["tools"][0]["functionDeclarations"] == [{"name": "ns.look"}]
    assert body["contents"][1]["parts"][0]["functionCall"]["name"] == "ns.look"
    assert body["contents"][2]["parts"][0]["functionResponse"]["name"] == "ns.look"


def test_invalid_native_names_are_mapped() -> None:
    tools = [{"type": "function", "name": "1-bad name!"}]
    body = native(tools=tools)
    name = body["tools"][0]["functionDeclarations"][0]["name"]
    assert name[0] == "_" and " " not in name and "!" not in name


def test_parts() -> None:
    content = [
        {"type": "input_text", "text": "look"},
        {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "high"},
        {
            "type": "input_file",
            "file_data": "data:application/pdf;base64,JVBE",
            "filename": "a.pdf",
        },
        {"type": "input_image", "file_id": "files/abc"},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
    ]
    body = native(input=[{"role": "user", "content": content}])
    assert body["contents"][0]["parts"] == [
        {"text": "look"},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBE"}},
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
        {"inlineData": {"mimeType": "audio/wav", "data": "AAAA"}},
    ]
    assert body["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_HIGH"


def test_output_with_image_parts_goes_after_the_responses() -> None:
    out = {
        **OUTPUT,
        "output": [
            {"type": "input_text", "text": "see"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        ],
    }
    body = native(input=[USER, CALL, out], tools=[FN])
    assert body["contents"][2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"result": "see"}}},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
    ]


def test_google_extension_is_merged() -> None:
    body = native(extra_body={"google": {"safety_settings": [{"category": "X", "threshold": "Y"}]}})
    assert body["safetySettings"] == [{"category": "X", "threshold": "Y"}]


def test_skipped_hosted_tool_history() -> None:
    history = [
        USER,
        {
            "type": "web_search_call",
            "id": "ws_1",
            "status": "completed",
            "action": {"type": "search", "query": "q"},
        },
        {"role": "assistant", "content": "found"},
        {"role": "user", "content": "more"},
    ]
    body = native(input=history)
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]


def test_json_mode_next_to_functions_is_dropped_on_gemini_2() -> None:
    fmt = {"format": {"type": "json_schema", "name": "o", "schema": {"type": "object"}}}
    request = to_native_responses(
        {"model": "gemini-2.5-flash", "input": "x", "tools": [FN], "text": fmt}
    ).native
    assert "generationConfig" not in request.body
    assert request.adjusted == ["text.format=dropped"]
    request = to_native_responses(
        {"model": "gemini-3-flash-preview", "input": "x", "tools": [FN], "text": fmt}
    ).native
    assert request.body["generationConfig"]["responseMimeType"] == "application/json"


def test_output_media_in_function_response_parts_on_gemini_3() -> None:
    image = {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}
    out = {**OUTPUT, "output": [{"type": "input_text", "text": "see"}, image]}
    body = native(model="gemini-3-flash-preview", input=[USER, CALL, out], tools=[FN])
    assert body["contents"][2]["parts"] == [
        {
            "functionResponse": {
                "name": "get_weather",
                "response": {"result": "see"},
                "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}],
            }
        }
    ]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"max_output_tokens": "ten"}, "max_output_tokens"),
        ({"reasoning": {"effort": 3}}, "reasoning.effort"),
    ],
)
def test_errors_name_the_responses_field_in_param_and_message(
    body: dict[str, Any], param: str
) -> None:
    """Seen on a new user's first day: max_output_tokens: "ten" said 'max_completion_tokens'."""
    with pytest.raises(AdapterError) as caught:
        to_native_responses({"model": "gemini-2.5-flash", "input": "hi", **body}, {})
    assert caught.value.param == param
    assert f"'{param}'" in caught.value.message
    assert "max_completion_tokens" not in caught.value.message
    assert "reasoning_effort" not in caught.value.message
