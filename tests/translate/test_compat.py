"""Unit tests of adapter.translate.request.compat (feature pairs a family refuses, Q8) and
adapter.capabilities (capability resolution, Q10)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from schema_check import assert_valid
from translate_helpers import regression

from adapter.capabilities import capabilities_for
from adapter.translate.request import to_native_request
from adapter.translate.request.compat import adjust_for_model


def test_json_mode_dropped_next_to_functions_on_gemini_2() -> None:
    fx = regression("json_mode_with_functions_gemini2")
    result = to_native_request(fx["request"])
    assert "responseMimeType" not in result.body.get("generationConfig", {})
    assert result.body["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    assert result.adjusted == fx["expected_adjusted"]


def test_json_schema_dropped_too_and_kept_on_gemini_3() -> None:
    body = regression("json_mode_with_functions_gemini2")["request"]
    body["response_format"] = {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": {"type": "object"}},
    }
    result = to_native_request(body)
    assert "responseJsonSchema" not in result.body.get("generationConfig", {})
    body["model"] = "gemini-3-flash-preview"
    result = to_native_request(body)
    assert result.body["generationConfig"]["responseMimeType"] == "application/json"
    assert result.adjusted == []


@pytest.mark.parametrize("model", ["gemini-3-flash-preview", "gemini-2.5-flash"])
@pytest.mark.parametrize(
    "tool_choice", ["required", {"type": "function", "function": {"name": "get_weather"}}]
)
def test_forced_tool_choice_with_json_format(model: str, tool_choice: Any) -> None:
    """Found by instructor and the Agents SDK (tests/clients): mode ANY with JSON mode is
    refused by every family (tests/fixtures/gemini/error_400_any_mode_with_json_mime.json)."""
    body = regression("json_mode_with_functions_gemini2")["request"]
    body.update(model=model, tool_choice=tool_choice)
    body["response_format"] = {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": {"type": "object"}},
    }
    result = to_native_request(body)
    assert result.body["toolConfig"]["functionCallingConfig"]["mode"] == "ANY"
    assert "responseMimeType" not in result.body.get("generationConfig", {})
    assert "response_format=dropped" in result.adjusted
    assert_valid("gemini.generate_content_request", result.body)


def test_extension_json_mode_is_reported_under_its_own_name() -> None:
    body = regression("json_mode_with_functions_gemini2")["request"]
    del body["response_format"]
    body["google"] = {"generation_config": {"response_mime_type": "application/json"}}
    result = to_native_request(body)
    assert result.adjusted == ["google.generation_config.response_mime_type=dropped"]


@pytest.mark.parametrize(
    ("model", "tools", "config", "adjusted"),
    [
        (
            "gemini-2.5-flash",
            [{"functionDeclarations": [{"name": "get_weather"}]}],
            None,
            ["web_search_options=dropped", "google.tools[0]=dropped"],
        ),
        (
            "gemini-3-pro-preview",
            [
                {"functionDeclarations": [{"name": "get_weather"}]},
                {"googleSearch": {}},
                {"codeExecution": {}},
            ],
            {"includeServerSideToolInvocations": True},
            [],
        ),
    ],
)
def test_builtin_tools_next_to_functions(
    model: str, tools: list[Any], config: dict[str, Any] | None, adjusted: list[str]
) -> None:
    body = regression("builtin_tools_with_functions")["request"]
    result = to_native_request({**body, "model": model})
    assert_valid("gemini.generate_content_request", result.body)
    assert result.body["tools"] == tools
    assert result.body.get("toolConfig") == config
    assert result.adjusted == adjusted


def test_builtin_tools_alone_are_untouched() -> None:
    native = {"contents": [], "tools": [{"googleSearch": {}}]}
    before = copy.deepcopy(native)
    adjusted: list[str] = []
    adjust_for_model(native, capabilities_for("gemini-2.5-flash"), adjusted)
    assert native == before and adjusted == []


def test_callers_explicit_invocations_setting_is_kept() -> None:
    native = {
        "contents": [],
        "tools": [{"functionDeclarations": [{"name": "f"}]}, {"urlContext": {}}],
        "toolConfig": {"includeServerSideToolInvocations": False},
    }
    adjust_for_model(native, capabilities_for("gemini-3-flash-preview"), [])
    assert native["toolConfig"] == {"includeServerSideToolInvocations": False}


# --- capability resolution (Q10) ----------------------------------------------------------


def test_gemma_gets_no_thinking_and_no_system_instruction() -> None:
    fx = regression("gemma_thinking_and_system")
    result = to_native_request(fx["request"])
    assert "systemInstruction" not in result.body
    assert "generationConfig" not in result.body
    assert result.body["contents"] == fx["expected_contents"]
    assert result.adjusted == fx["expected_adjusted"]


def test_gemma_system_before_an_assistant_first_history() -> None:
    result = to_native_request(
        {
            "model": "gemma-3-4b-it",
            "messages": [
                {"role": "system", "content": "S"},
                {"role": "assistant", "content": "hello"},
                {"role": "user", "content": "hi"},
            ],
        }
    )
    assert result.body["contents"][0] == {"role": "user", "parts": [{"text": "S"}]}
    assert result.content_sources == [0, 1, 2]  # contents[i] -> messages[j] still lines up


@pytest.mark.parametrize(
    ("model", "thinking", "penalties", "json_with_functions", "builtins"),
    [
        ("gemma-3-27b-it", "none", False, False, "refused"),
        ("models/gemma-3n-e4b-it", "none", False, False, "refused"),
        ("gemini-flash-latest", "budget", False, False, "refused"),
        ("gemini-pro-latest", "budget", False, False, "refused"),
        ("gemini-2.5-flash", "budget", False, False, "refused"),
        ("gemini-2.0-flash", "none", True, False, "refused"),
        ("gemini-3-pro-preview", "level", False, True, "invocations"),
        ("gemini-4-flash", "level", False, True, "invocations"),  # unknown later: 3.x rules
        ("my-proxy-alias", "none", False, False, "refused"),  # unknown: nothing refusable
    ],
)
def test_capability_resolution(
    model: str, thinking: str, penalties: bool, json_with_functions: bool, builtins: str
) -> None:
    caps = capabilities_for(model)
    assert (caps.thinking, caps.penalties, caps.json_with_functions) == (
        thinking,
        penalties,
        json_with_functions,
    )
    assert caps.builtins_with_functions == builtins


def test_latest_alias_never_gets_penalties_or_budget_zero_on_pro() -> None:
    result = to_native_request(
        {
            "model": "gemini-pro-latest",
            "messages": [{"role": "user", "content": "hi"}],
            "reasoning_effort": "none",
            "presence_penalty": 0.5,
        }
    )
    assert result.body["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 128}}
    assert result.adjusted == ["presence_penalty=dropped", "reasoning_effort=budget:128"]
