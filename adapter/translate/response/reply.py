"""Native GenerateContentResponse -> OpenAI `chat.completion` (docs/behaviour.md S1-S9)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from adapter.native_shape import is_native_response  # noqa: F401 - kept importable here
from adapter.translate.response.candidate import google_extras, logprobs_from, parts_out
from adapter.translate.response.finish import finish_reason_from
from adapter.translate.response.grounding import annotations_from
from adapter.translate.response.usage import usage_from
from adapter.wire.openai import CreateChatCompletionResponse


def completion_id_from(native: dict[str, Any], fallback: str) -> str:
    response_id = native.get("responseId")
    return f"chatcmpl-{response_id}" if response_id else fallback


def message_from(
    candidate: dict[str, Any],
    native: dict[str, Any],
    id_seed: str,
    tool_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    out = parts_out((candidate.get("content") or {}).get("parts"), id_seed, names=tool_names)
    content = "".join(out.texts) if out.texts else None
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if out.reasoning:
        message["reasoning_content"] = "".join(out.reasoning)
    if out.tool_calls:
        message["tool_calls"] = out.tool_calls
    if out.images:
        message["images"] = out.images
    annotations = annotations_from(candidate.get("groundingMetadata"), content or "", out.spans)
    if annotations:
        message["annotations"] = annotations
    extras = google_extras(candidate, native, out.code, out.server_tools)
    if out.signature:
        extras["thought_signature"] = out.signature
    message["extra_content"] = {"google": extras}
    return message


def blocked_choice(native: dict[str, Any]) -> dict[str, Any]:
    """A prompt blocked before any candidate: one choice saying why (docs/behaviour.md S4)."""
    feedback = native.get("promptFeedback") or {}
    reason = feedback.get("blockReason", "BLOCK_REASON_UNSPECIFIED")
    extras = google_extras({}, native, [])
    if feedback.get("safetyRatings"):
        extras["safety_ratings"] = feedback["safetyRatings"]
    message = {
        "role": "assistant",
        "content": None,
        "refusal": f"The prompt was blocked by Gemini (block reason: {reason}).",
        "extra_content": {"google": extras},
    }
    return {"index": 0, "message": message, "finish_reason": "content_filter", "logprobs": None}


def completion_from(
    native: dict[str, Any],  # a GenerateContentResponse, shape-checked by transport
    *,
    model: str,
    created: int,
    fallback_id: str,
    tool_names: Mapping[str, str] | None = None,
) -> CreateChatCompletionResponse:
    """`tool_names`: NativeRequest.tool_names, so function names come back as the caller
    declared them."""
    completion_id = completion_id_from(native, fallback_id)
    choices = []
    for position, candidate in enumerate(native.get("candidates") or []):
        index = candidate.get("index", position)
        message = message_from(candidate, native, f"{completion_id}:{index}", tool_names)
        choices.append(
            {
                "index": index,
                "message": message,
                "finish_reason": finish_reason_from(
                    candidate.get("finishReason") or "STOP", bool(message.get("tool_calls"))
                ),
                "logprobs": logprobs_from(candidate),
            }
        )
    if not choices:
        choices.append(blocked_choice(native))
    reply: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "system_fingerprint": None,
    }
    usage = usage_from(native.get("usageMetadata"))
    if usage is not None:
        reply["usage"] = usage
    return cast(CreateChatCompletionResponse, reply)
