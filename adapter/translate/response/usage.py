"""Native usageMetadata -> OpenAI usage (docs/behaviour.md S5)."""

from __future__ import annotations

from typing import Any, NamedTuple


class TokenCounts(NamedTuple):
    """usageMetadata counted the way every surface reports it (OpenAI's sense): `prompt`
    includes tool-use prompt tokens and `cached`; `output` includes `reasoning` (thoughts)."""

    prompt: int
    output: int
    reasoning: int
    cached: int
    total: int


def token_counts(metadata: dict[str, Any]) -> TokenCounts:
    prompt = metadata.get("promptTokenCount", 0) + metadata.get("toolUsePromptTokenCount", 0)
    thoughts = metadata.get("thoughtsTokenCount", 0)
    output = metadata.get("candidatesTokenCount", 0) + thoughts
    return TokenCounts(
        prompt=prompt,
        output=output,
        reasoning=thoughts,
        cached=metadata.get("cachedContentTokenCount", 0),
        total=metadata.get("totalTokenCount", prompt + output),
    )


def _audio_tokens(details: Any) -> int:
    if not isinstance(details, list):
        return 0
    return sum(d.get("tokenCount", 0) for d in details if d.get("modality") == "AUDIO")


def usage_from(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if not metadata:
        return None
    counts = token_counts(metadata)
    return {
        "prompt_tokens": counts.prompt,
        "completion_tokens": counts.output,
        "total_tokens": counts.total,
        "prompt_tokens_details": {
            "cached_tokens": counts.cached,
            "audio_tokens": _audio_tokens(metadata.get("promptTokensDetails")),
        },
        "completion_tokens_details": {
            "reasoning_tokens": counts.reasoning,
            "audio_tokens": _audio_tokens(metadata.get("candidatesTokensDetails")),
        },
    }
