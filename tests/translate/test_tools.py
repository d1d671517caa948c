"""Unit tests of adapter.translate.request.tools: declarations, tool_choice, names."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import native

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
