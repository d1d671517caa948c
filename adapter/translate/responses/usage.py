"""Native usageMetadata -> Responses `usage` (docs/responses.md)."""

from __future__ import annotations

from typing import Any


def responses_usage(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if not metadata:
        return None
    prompt = metadata.get("promptTokenCount", 0) + metadata.get("toolUsePromptTokenCount", 0)
    thoughts = metadata.get("thoughtsTokenCount", 0)
    output = metadata.get("candidatesTokenCount", 0) + thoughts
    return {
        "input_tokens": prompt,
        "input_tokens_details": {
            "cached_tokens": metadata.get("cachedContentTokenCount", 0),
            "cache_write_tokens": 0,
        },
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": thoughts},
        "total_tokens": metadata.get("totalTokenCount", prompt + output),
    }
