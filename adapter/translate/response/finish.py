"""Native finishReason / blockReason -> OpenAI finish_reason (docs/behaviour.md S4)."""

from __future__ import annotations

_FILTERED = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "LANGUAGE",
    }
)


def finish_reason_from(native: str | None, has_tool_calls: bool) -> str | None:
    """None while the candidate is still running (streams); the native reason stays in extras."""
    if native is None:
        return None
    if native in _FILTERED:
        return "content_filter"
    if native == "MAX_TOKENS":
        return "length"
    if has_tool_calls:
        return "tool_calls"
    return "stop"
