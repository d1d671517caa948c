"""Unit tests of adapter.translate.request.thinking: the one thinkingConfig decision."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import regression, req

from adapter.capabilities import capabilities_for
from adapter.translate.request import to_native_request
from adapter.translate.request.thinking import final_thinking, thinking_from

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


# --- one decision, checked against the model (issue 9, Q10, Q11) --------------------------


def test_explicit_minimal_on_a_model_that_refuses_it() -> None:
    fx = regression("thinking_minimal_explicit_gemini31")
    result = to_native_request(fx["request"])
    assert result.body["generationConfig"]["thinkingConfig"] == fx["expected_thinking_config"]
    assert result.adjusted == fx["expected_adjusted"]
    assert result.thinking == fx["expected_thinking_header"]


@pytest.mark.parametrize(
    ("model", "explicit", "sent", "adjusted"),
    [
        # accepted as given
        ("gemini-2.5-flash", {"thinkingBudget": 77}, {"thinkingBudget": 77}, []),
        ("gemini-2.5-flash", {"thinkingBudget": -1}, {"thinkingBudget": -1}, []),
        ("gemini-3-flash-preview", {"thinkingLevel": "minimal"}, {"thinkingLevel": "MINIMAL"}, []),
        # clamped to the model's range
        ("gemini-2.5-pro", {"thinkingBudget": 0}, {"thinkingBudget": 128}, ["g=budget:128"]),
        (
            "gemini-2.5-flash",
            {"thinkingBudget": 10**9},
            {"thinkingBudget": 24576},
            ["g=budget:24576"],
        ),
        # the other kind of control: converted
        ("gemini-2.5-flash", {"thinkingLevel": "low"}, {"thinkingBudget": 1024}, ["g=budget:1024"]),
        (
            "gemini-3-pro-preview",
            {"thinkingBudget": 20000},
            {"thinkingLevel": "HIGH"},
            ["g=level:high"],
        ),
        ("gemini-3-pro-preview", {"thinkingBudget": -1}, {}, ["g.thinking_budget=dropped"]),
        # both (the native API refuses that): the model's kind wins
        (
            "gemini-3.1-pro-preview",
            {"thinkingLevel": "high", "thinkingBudget": 5},
            {"thinkingLevel": "HIGH"},
            ["g.thinking_budget=dropped"],
        ),
        # no thinking control at all
        ("gemini-2.0-flash", {"thinkingBudget": 5, "includeThoughts": True}, None, ["g=dropped"]),
        ("gemma-3-27b-it", {"thinkingLevel": "low"}, None, ["g=dropped"]),
    ],
)
def test_explicit_config_checked_against_the_model(
    model: str, explicit: dict[str, Any], sent: dict[str, Any] | None, adjusted: list[str]
) -> None:
    result = final_thinking(capabilities_for(model), explicit=explicit, explicit_param="g")
    assert (result.config or None) == (sent or None)
    assert result.adjusted == adjusted


def test_adjustments_name_what_the_caller_sent() -> None:
    # effort overridden by the explicit config: reported under the effort's own name
    result = to_native_request(
        req(
            model="gemini-2.5-pro",
            reasoning_effort="none",
            google={"thinking_config": {"thinking_budget": 64}},
        )
    )
    assert result.adjusted == [
        "reasoning_effort=overridden:google.thinking_config",
        "google.thinking_config=budget:128",
    ]
    assert result.thinking == "budget=128"
    # nested in generation_config: the path says so
    result = to_native_request(
        req(
            model="gemini-3.1-pro-preview",
            google={"generation_config": {"thinking_config": {"thinking_level": "minimal"}}},
        )
    )
    assert result.adjusted == ["google.generation_config.thinking_config=level:low"]
    assert result.body["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "LOW"}


def test_header_reports_exactly_what_was_sent() -> None:
    for model in ("gemini-2.5-flash", "gemini-3.1-pro-preview", "gemini-3-flash-preview"):
        for effort in ("none", "minimal", "low", "medium", "high"):
            result = to_native_request(
                req(
                    model=model,
                    reasoning_effort=effort,
                    google={
                        "thinking_config": {"thinking_level": effort if effort != "none" else "low"}
                    },
                )
            )
            config = result.body["generationConfig"]["thinkingConfig"]
            expected = (
                f"budget={config['thinkingBudget']}"
                if "thinkingBudget" in config
                else f"level={config['thinkingLevel'].lower()}"
            )
            assert result.thinking == expected
            level = config.get("thinkingLevel")
            if level:
                assert level.lower() in capabilities_for(model).levels
