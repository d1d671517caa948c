"""`reasoning_effort` and Anthropic-style `thinking` -> `thinkingConfig` (docs/behaviour.md R8).

The mapping table lives in docs/thinking.md. Never both thinkingBudget and thinkingLevel
(the native API rejects that), never a value the model refuses (see adapter.capabilities).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.capabilities import ModelCaps
from adapter.errors import invalid_request
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
    """The thinkingConfig for `reasoning_effort` or `thinking` (effort wins if both are given).

    Kept for callers without an extension; `final_thinking` is the one decision."""
    return final_thinking(
        caps, effort=body.get("reasoning_effort"), anthropic=body.get("thinking")
    )


def final_thinking(
    caps: ModelCaps,
    *,
    effort: Any = None,
    effort_param: str = "reasoning_effort",
    anthropic: Any = None,
    explicit: dict[str, Any] | None = None,
    explicit_param: str = "google.thinking_config",
) -> Thinking:
    """The one place the thinkingConfig is decided (docs/thinking.md).

    `effort` (OpenAI `reasoning_effort`, or the Responses API's `reasoning.effort` named by
    `effort_param`) or Anthropic-style `anthropic` gives a first value; an explicit native
    `explicit` thinkingConfig (camelCase, from `google.thinking_config`) then wins field by
    field; the result is checked against the model's capabilities. `adjusted` lists, per
    parameter the caller sent, what happened to it; the returned config is exactly what is
    sent. Raises a 400 for an invalid effort or thinking object.
    """
    result = Thinking()
    derived = Thinking()
    if effort is not None:
        expect(effort, (str,), effort_param)
        if effort not in EFFORTS:
            raise invalid_request(
                f"Invalid {effort_param} {effort!r}; expected one of {', '.join(EFFORTS)}.",
                param=effort_param,
            )
        _apply_effort(effort, caps, derived, effort_param)
    elif anthropic is not None:
        _apply_anthropic(expect(anthropic, (dict,), "thinking"), caps, derived)
    if explicit is None:
        return derived
    source = effort_param if effort is not None else "thinking"
    sets_amount = "thinkingBudget" in explicit or "thinkingLevel" in explicit
    if sets_amount and ("thinkingBudget" in derived.config or "thinkingLevel" in derived.config):
        result.adjusted.append(f"{source}=overridden:{explicit_param}")
        derived.config.pop("thinkingBudget", None)
        derived.config.pop("thinkingLevel", None)
    else:
        result.adjusted.extend(derived.adjusted)
    if caps.thinking == "none":
        result.adjusted.append(f"{explicit_param}=dropped")
        return result
    config = {**derived.config, **explicit}
    _check_explicit(config, caps, result, explicit_param)
    result.config = config
    return result


def _check_explicit(
    config: dict[str, Any], caps: ModelCaps, result: Thinking, param: str
) -> None:
    """An explicit native thinkingConfig, made acceptable to the model (in place)."""
    level = config.get("thinkingLevel")
    budget = config.get("thinkingBudget")
    if level is not None and budget is not None:  # the native API refuses both
        if caps.thinking == "level":
            del config["thinkingBudget"]
            result.adjusted.append(f"{param}.thinking_budget=dropped")
            budget = None
        else:
            del config["thinkingLevel"]
            result.adjusted.append(f"{param}.thinking_level=dropped")
            level = None
    if level is not None:
        expect(level, (str,), f"{param}.thinking_level")
        wanted = level.lower()
        if caps.thinking == "level":
            sent = level_supported(wanted, caps)
            if sent != wanted:
                result.adjusted.append(f"{param}=level:{sent}")
            config["thinkingLevel"] = sent.upper()
        else:  # a budget model: the effort table's budget for that level
            del config["thinkingLevel"]
            sent_budget = BUDGET_FOR_EFFORT.get(wanted, BUDGET_FOR_EFFORT["medium"])
            clamped = min(max(sent_budget, caps.min_budget), caps.max_budget)
            config["thinkingBudget"] = clamped
            result.adjusted.append(f"{param}=budget:{clamped}")
    elif budget is not None:
        expect(budget, (int,), f"{param}.thinking_budget")
        if caps.thinking == "budget":
            if budget != -1:  # -1: dynamic thinking, accepted everywhere budgets are
                clamped = min(max(budget, caps.min_budget), caps.max_budget)
                if clamped != budget:
                    config["thinkingBudget"] = clamped
                    result.adjusted.append(f"{param}=budget:{clamped}")
        else:  # a level model: levels as for Anthropic budgets; -1 is the model's default
            del config["thinkingBudget"]
            if budget == -1:
                result.adjusted.append(f"{param}.thinking_budget=dropped")
                return
            wanted = "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"
            sent = level_supported(wanted, caps)
            config["thinkingLevel"] = sent.upper()
            result.adjusted.append(f"{param}=level:{sent}")


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
