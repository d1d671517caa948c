"""`reasoning_effort` and Anthropic-style `thinking` -> `thinkingConfig` (SPEC R8).

The mapping table lives in docs/thinking.md. Never both thinkingBudget and thinkingLevel
(the native API rejects that), never a value the model refuses (see adapter.models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.errors import invalid_request
from adapter.models import ModelCaps
from adapter.translate.request.fields import expect

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
BUDGET_FOR_EFFORT = {
    "none": 0,
    "minimal": 512,
    "low": 1024,
    "medium": 8192,
    "high": 24576,
    "xhigh": 24576,
}
LEVEL_FOR_EFFORT = {
    "none": "minimal",
    "minimal": "minimal",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "high",
}


@dataclass
class Thinking:
    config: dict[str, Any] = field(default_factory=dict)  # the native thinkingConfig
    adjusted: list[str] = field(default_factory=list)  # x-adapter-adjusted items


def thinking_from(body: dict[str, Any], caps: ModelCaps) -> Thinking:
    """The thinkingConfig for `reasoning_effort` or `thinking` (effort wins if both are given)."""
    result = Thinking()
    effort = body.get("reasoning_effort")
    thinking = body.get("thinking")
    if effort is not None:
        expect(effort, (str,), "reasoning_effort")
        if effort not in EFFORTS:
            raise invalid_request(
                f"Invalid reasoning_effort {effort!r}; expected one of {', '.join(EFFORTS)}.",
                param="reasoning_effort",
            )
        _apply_effort(effort, caps, result, "reasoning_effort")
    elif thinking is not None:
        _apply_anthropic(expect(thinking, (dict,), "thinking"), caps, result)
    return result


def _apply_effort(effort: str, caps: ModelCaps, result: Thinking, param: str) -> None:
    if caps.thinking == "none":
        result.adjusted.append(f"{param}=dropped")
        return
    if caps.thinking == "budget":
        budget = BUDGET_FOR_EFFORT[effort]
        _set_budget(budget, caps, result, param)
        return
    _set_level(LEVEL_FOR_EFFORT[effort], caps, result, param)


def _set_budget(budget: int, caps: ModelCaps, result: Thinking, param: str) -> None:
    clamped = min(max(budget, caps.min_budget), caps.max_budget)
    if clamped != budget:
        result.adjusted.append(f"{param}=budget:{clamped}")
    result.config["thinkingBudget"] = clamped


def level_supported(level: str, caps: ModelCaps) -> str:
    """The closest level the model accepts: MINIMAL falls to LOW, MEDIUM rises to HIGH."""
    if level in caps.levels:
        return level
    if level == "minimal":
        return "low" if "low" in caps.levels else caps.levels[0]
    if level == "medium":
        return "high" if "high" in caps.levels else caps.levels[-1]
    return caps.levels[-1] if caps.levels else level


def _set_level(level: str, caps: ModelCaps, result: Thinking, param: str) -> None:
    sent = level_supported(level, caps)
    if sent != level:
        result.adjusted.append(f"{param}=level:{sent}")
    result.config["thinkingLevel"] = sent.upper()


def _apply_anthropic(thinking: dict[str, Any], caps: ModelCaps, result: Thinking) -> None:
    kind = thinking.get("type")
    if kind == "disabled":
        _apply_effort("none", caps, result, "thinking")
        return
    if kind not in ("enabled", "adaptive"):
        raise invalid_request(
            "thinking.type must be 'enabled' or 'disabled'.", param="thinking.type"
        )
    budget = thinking.get("budget_tokens")
    if caps.thinking == "none":
        result.adjusted.append("thinking=dropped")
        return
    # Anthropic's thinking blocks are visible: ask Gemini for thought summaries too.
    result.config["includeThoughts"] = True
    if budget is None:
        return
    budget = expect(budget, (int,), "thinking.budget_tokens")
    if caps.thinking == "budget":
        _set_budget(budget, caps, result, "thinking")
        return
    level = "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"
    _set_level(level, caps, result, "thinking")


def thinking_header(config: dict[str, Any]) -> str | None:
    """The `x-gemini-thinking` value for what is actually sent."""
    items = []
    if "thinkingBudget" in config:
        items.append(f"budget={config['thinkingBudget']}")
    if "thinkingLevel" in config:
        items.append(f"level={str(config['thinkingLevel']).lower()}")
    if config.get("includeThoughts"):
        items.append("include_thoughts")
    return ";".join(items) or None
