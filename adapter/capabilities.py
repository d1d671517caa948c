"""Per-model capabilities: what each model accepts, so requests are adjusted, not refused.

Sources: the recorded 400s in tests/fixtures/gemini (penalties refused by gemini-2.5-flash,
MINIMAL refused by gemini-3.1-pro-preview and gemini-3.7-flash, budget and level together
refused everywhere, ANY mode with JSON mode refused by 2.x) and Google's thinking and
function-calling guides.

Resolution rule (docs/thinking.md, "Which capabilities a model gets"), first match wins:

1. `gemma-*`: Gemma takes neither `thinkingConfig` nor `systemInstruction` nor penalties;
   system messages are folded into the first user turn.
2. `gemini-<major>[.<minor>]-...`: the family's row (2.5 Pro, 2.5 Flash, 3 Pro, 3 Flash...);
   unknown later versions follow their family: 2.x budgets, 3.x and later levels.
3. `gemini-*-latest` and other Gemini names without a version (aliases that move between
   generations): what every current generation accepts — thinking by budget (3.x still takes
   budgets), no penalties, JSON mode and built-in tools never next to function declarations.
4. Anything else (a proxy's own alias, a tuned model): no thinking control and no penalties,
   so nothing the model might refuse is sent; the adjustments are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_VERSION = re.compile(r"gemini-(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class ModelCaps:
    thinking: str  # "budget", "level" or "none" (the model has no thinking control)
    levels: tuple[str, ...] = ()  # accepted thinkingLevel values, lower case, ascending
    min_budget: int = 0  # smallest accepted thinkingBudget (2.5 Pro cannot turn thinking off)
    max_budget: int = 24576
    penalties: bool = False  # presencePenalty / frequencyPenalty accepted
    signatures_required: bool = False  # Gemini 3 validates thought signatures on function calls
    system_instruction: bool = True  # Gemma refuses systemInstruction
    # Gemini 2.x refuses function declarations together with JSON mode (responseMimeType
    # application/json); Gemini 3 accepts them.
    json_with_functions: bool = False
    # Built-in tools (googleSearch, codeExecution, urlContext...) next to function
    # declarations: "refused" (2.x: "Tool use with function calling is unsupported") or
    # "invocations" (3.x: accepted with toolConfig.includeServerSideToolInvocations).
    builtins_with_functions: str = "refused"
    family: str = "unknown"  # for logs and docs: gemini-2.5-pro, gemma, latest-alias...


GEMMA = ModelCaps(thinking="none", system_instruction=False, family="gemma")
UNKNOWN = ModelCaps(thinking="none", family="unknown")


def _generation(model: str) -> tuple[int, int] | None:
    match = _VERSION.search(model)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


@lru_cache(maxsize=256)
def capabilities_for(model: str) -> ModelCaps:
    """The capability row for a native model name (after alias resolution)."""
    name = model.lower().removeprefix("models/")
    if name.startswith("gemma-"):
        return GEMMA
    version = _generation(name)
    if version is None:
        if name.startswith("gemini-"):  # gemini-flash-latest, gemini-pro-latest...
            pro = "pro" in name
            return ModelCaps(
                thinking="budget",
                min_budget=128 if pro else 0,
                max_budget=32768 if pro else 24576,
                family="gemini-latest-alias",
            )
        return UNKNOWN
    major, minor = version
    if major >= 3:
        levels: tuple[str, ...]
        if "pro" in name:
            levels = ("low", "medium", "high") if (major, minor) >= (3, 1) else ("low", "high")
        elif (major, minor) == (3, 0) and "flash" in name:
            levels = ("minimal", "low", "medium", "high")
        else:
            levels = ("low", "medium", "high")
        return ModelCaps(
            thinking="level",
            levels=levels,
            signatures_required=True,
            json_with_functions=True,
            builtins_with_functions="invocations",
            family=f"gemini-{major}",
        )
    if (major, minor) >= (2, 5):
        if "pro" in name:
            return ModelCaps(
                thinking="budget", min_budget=128, max_budget=32768, family="gemini-2.5-pro"
            )
        if "image" in name or "tts" in name or "live" in name:
            return ModelCaps(thinking="none", family="gemini-2.5-media")
        return ModelCaps(thinking="budget", max_budget=24576, family="gemini-2.5-flash")
    # 1.x and 2.0: no thinking; penalties are accepted.
    return ModelCaps(thinking="none", penalties=True, family=f"gemini-{major}.{minor}")
