"""Native usageMetadata -> OpenAI usage (docs/behaviour.md S5)."""

from __future__ import annotations

from typing import Any


def _audio_tokens(details: Any) -> int:
    if not isinstance(details, list):
        return 0
    return sum(d.get("tokenCount", 0) for d in details if d.get("modality") == "AUDIO")


def usage_from(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if not metadata:
        return None
    prompt = metadata.get("promptTokenCount", 0) + metadata.get("toolUsePromptTokenCount", 0)
    thoughts = metadata.get("thoughtsTokenCount", 0)
    completion = metadata.get("candidatesTokenCount", 0) + thoughts
    total = metadata.get("totalTokenCount", prompt + completion)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total,
        "prompt_tokens_details": {
            "cached_tokens": metadata.get("cachedContentTokenCount", 0),
            "audio_tokens": _audio_tokens(metadata.get("promptTokensDetails")),
        },
        "completion_tokens_details": {
            "reasoning_tokens": thoughts,
            "audio_tokens": _audio_tokens(metadata.get("candidatesTokensDetails")),
        },
    }
