"""Unit tests of adapter.translate.request.thinking: the one thinkingConfig decision."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import req

from adapter.models import capabilities_for
from adapter.translate.request import to_native_request
from adapter.translate.request.thinking import thinking_from

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
