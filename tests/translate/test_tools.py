"""Unit tests of adapter.translate.request.tools: declarations, tool_choice, names."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import native, regression, req

from adapter.errors import AdapterError
from adapter.translate.request import to_native_request

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


# --- deprecated functions / function_call (Q5) --------------------------------------------


def test_legacy_functions_and_function_call_become_tools() -> None:
    fx = regression("legacy_functions_ignored")
    body = to_native_request(fx["request"]).body
    assert body["tools"] == fx["expected_tools"]
    assert body["toolConfig"] == fx["expected_tool_config"]


@pytest.mark.parametrize(
    ("function_call", "mode"), [("none", "NONE"), ("auto", "AUTO"), (None, None)]
)
def test_legacy_function_call_modes(function_call: str | None, mode: str | None) -> None:
    body = native(
        functions=[{"name": "f"}], **({"function_call": function_call} if function_call else {})
    )
    assert body["tools"] == [{"functionDeclarations": [{"name": "f"}]}]
    assert body.get("toolConfig", {}).get("functionCallingConfig", {}).get("mode") == mode


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"functions": [{"name": "f"}], "function_call": {"name": "g"}}, "function_call.name"),
        ({"functions": [{"name": "f"}], "function_call": "required"}, "function_call"),
        ({"functions": [{}]}, "functions[0].name"),
        ({"functions": "f"}, "functions"),
    ],
)
def test_legacy_bad_input_names_the_field(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(**fields))
    assert caught.value.param == param


def test_tools_win_over_legacy_functions() -> None:
    body = native(
        tools=[{"type": "function", "function": {"name": "t"}}], functions=[{"name": "f"}]
    )
    assert body["tools"] == [{"functionDeclarations": [{"name": "t"}]}]
