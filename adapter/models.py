"""Per-model capabilities: what each model accepts, so requests are adjusted, not refused.

Sources: the recorded 400s in tests/fixtures/gemini (penalties refused by gemini-2.5-flash,
MINIMAL refused by gemini-3.1-pro-preview and gemini-3.7-flash, budget and level together
refused everywhere) and Google's thinking guide. Unknown later models follow their family:
a 2.x name uses budgets, a 3.x (or later) name uses levels.
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


def _generation(model: str) -> tuple[int, int] | None:
    match = _VERSION.search(model)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


@lru_cache(maxsize=256)
def capabilities_for(model: str) -> ModelCaps:
    """The capability row for a native model name (after alias resolution)."""
    name = model.lower()
    version = _generation(name)
    if version is None:
        # Not a Gemini name (gemma, learnlm, a proxy's own alias): send what the client asked.
        return ModelCaps(thinking="budget", penalties=True)
    major, minor = version
    if major >= 3:
        if "pro" in name:
            levels = ("low", "medium", "high") if (major, minor) >= (3, 1) else ("low", "high")
        elif (major, minor) == (3, 0) and "flash" in name:
            levels = ("minimal", "low", "medium", "high")
        else:
            levels = ("low", "medium", "high")
        return ModelCaps(thinking="level", levels=levels, signatures_required=True)
    if (major, minor) >= (2, 5):
        if "pro" in name:
            return ModelCaps(thinking="budget", min_budget=128, max_budget=32768)
        if "image" in name or "tts" in name or "live" in name:
            return ModelCaps(thinking="none")
        return ModelCaps(thinking="budget", max_budget=24576)
    # 1.x and 2.0: no thinking; penalties are accepted.
    return ModelCaps(thinking="none", penalties=True)
