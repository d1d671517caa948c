"""Cheap shape checks of native replies, shared by transport and translation.

Neutral ground: transport must not import translation, and translation must not import
transport; both need to know what a GenerateContentResponse looks like. A 2xx body or a
stream event that fails the check is a 502 `bad_upstream_response`, never a completion
built from garbage (docs/translation.md, "Upstream replies").
"""

from __future__ import annotations

from typing import Any

_RESPONSE_FIELDS = ("candidates", "promptFeedback", "usageMetadata")


def _candidate_ok(candidate: Any) -> bool:
    if type(candidate) is not dict:
        return False
    content = candidate.get("content")
    if content is None:
        return True
    if type(content) is not dict:
        return False
    parts = content.get("parts")
    if parts is None:
        return True
    return type(parts) is list and all(type(part) is dict for part in parts)


def is_native_response(obj: Any) -> bool:
    """True for a GenerateContentResponse (one reply, or one stream event): an object with
    candidates, promptFeedback or usageMetadata; candidates a list of objects whose
    `content` is an object and `content.parts` a list of objects; promptFeedback and
    usageMetadata objects. Checks only what translation relies on, so it stays cheap."""
    if type(obj) is not dict:
        return False
    candidates = obj.get("candidates")
    if candidates is None:
        if not any(key in obj for key in _RESPONSE_FIELDS):
            return False
    elif type(candidates) is not list or not all(_candidate_ok(c) for c in candidates):
        return False
    for key in ("promptFeedback", "usageMetadata"):
        value = obj.get(key)
        if value is not None and type(value) is not dict:
            return False
    return True
