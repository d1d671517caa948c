"""Unit tests of adapter.translate.request.fields and the 400s naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import USER, native, req, tool_call

from adapter.errors import AdapterError
from adapter.translate.request import to_native_request

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
