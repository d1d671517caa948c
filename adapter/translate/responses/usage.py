"""Native usageMetadata -> Responses `usage` (docs/responses.md)."""

from __future__ import annotations

from typing import Any

from adapter.translate.response.usage import token_counts


def responses_usage(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if not metadata:
        return None
    counts = token_counts(metadata)
    return {
        "input_tokens": counts.prompt,
        "input_tokens_details": {"cached_tokens": counts.cached, "cache_write_tokens": 0},
        "output_tokens": counts.output,
        "output_tokens_details": {"reasoning_tokens": counts.reasoning},
        "total_tokens": counts.total,
    }
