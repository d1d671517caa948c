"""Cheap shape checks of native replies, shared by transport and translation.

Neutral ground: transport must not import translation, and translation must not import
transport; both need to know what a GenerateContentResponse looks like. A 2xx body or a
stream event that fails the check is a 502 `bad_upstream_response`, never a completion
built from garbage (docs/translation.md, "Upstream replies").
"""

from __future__ import annotations

from typing import Any, TypeGuard

_RESPONSE_FIELDS = ("candidates", "promptFeedback", "usageMetadata")


def is_native_response(obj: Any) -> TypeGuard[dict[str, Any]]:
    """True for a GenerateContentResponse (one reply, or one stream event): an object with
    candidates, promptFeedback or usageMetadata; candidates a list of objects whose
    `content` is an object and `content.parts` a list of objects; promptFeedback and
    usageMetadata objects. Checks only what translation relies on, and runs per stream
    event, so it is written as plain loops (no generators)."""
    if type(obj) is not dict:
        return False
    candidates = obj.get("candidates")
    if candidates is not None:
        if type(candidates) is not list:
            return False
        for candidate in candidates:
            if type(candidate) is not dict:
                return False
            content = candidate.get("content")
            if content is None:
                continue
            if type(content) is not dict:
                return False
            parts = content.get("parts")
            if parts is None:
                continue
            if type(parts) is not list:
                return False
            for part in parts:
                if type(part) is not dict:
                    return False
    elif not any(key in obj for key in _RESPONSE_FIELDS):
        return False
    usage = obj.get("usageMetadata")
    if usage is not None and type(usage) is not dict:
        return False
    feedback = obj.get("promptFeedback")
    return feedback is None or type(feedback) is dict
