"""translate/request/assemble.py: the shared last steps of every surface's native request."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.capabilities import capabilities_for
from adapter.translate.request import to_native_request
from adapter.translate.request.assemble import ThinkingAsked, dedupe_native_tools, finish_native
from adapter.translate.responses.request import to_native_responses

HI = [{"role": "user", "content": "hi"}]


def test_dedupe_keeps_one_of_each_builtin_and_its_param() -> None:
    native: dict[str, Any] = {
        "tools": [{"functionDeclarations": []}, {"googleSearch": {}}, {"googleSearch": {}}]
    }
    kept = dedupe_native_tools(native, [None, "web_search_options", "google.tools[0]"])
    assert native["tools"] == [{"functionDeclarations": []}, {"googleSearch": {}}]
    assert kept == [None, "web_search_options"]


def test_finish_native_reports_and_returns_what_was_sent() -> None:
    native: dict[str, Any] = {"contents": []}
    adjusted: list[str] = []
    header = finish_native(
        native,
        {"service_tier": "flex", "google": {"thinking_config": {"thinking_budget": 2048}}},
        capabilities_for("gemini-2.5-flash"),
        adjusted,
        [],
        thinking=ThinkingAsked(effort="low"),
        json_param=None,
        content_sources=[],
    )
    assert native["serviceTier"] == "flex"
    assert native["generationConfig"]["thinkingConfig"]["thinkingBudget"] == 2048
    assert header == "budget=2048"
    assert any(item.startswith("reasoning_effort=") for item in adjusted)


@pytest.mark.parametrize(
    ("chat", "responses"),
    [
        ({"reasoning_effort": "high"}, {"reasoning": {"effort": "high"}}),
        ({"service_tier": "priority"}, {"service_tier": "priority"}),
        (
            {
                "google": {
                    "safety_settings": [
                        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
                    ]
                }
            },
            {
                "google": {
                    "safety_settings": [
                        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
                    ]
                }
            },
        ),
        (
            {"web_search_options": {}, "google": {"tools": ["google_search", "url_context"]}},
            {
                "tools": [{"type": "web_search"}],
                "google": {"tools": ["google_search", "url_context"]},
            },
        ),
    ],
)
def test_chat_and_responses_share_the_same_tail(
    chat: dict[str, Any], responses: dict[str, Any]
) -> None:
    model = "gemini-3-flash-preview"
    from_chat = to_native_request({"model": model, "messages": HI, **chat})
    from_responses = to_native_responses({"model": model, "input": "hi", **responses}, {})
    keys = ("generationConfig", "serviceTier", "safetySettings", "tools")
    assert {k: from_chat.body.get(k) for k in keys} == {
        k: from_responses.native.body.get(k) for k in keys
    }
    assert from_chat.thinking == from_responses.native.thinking
