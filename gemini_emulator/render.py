"""Turn a `Reply` plan into the wire shapes: one GenerateContentResponse, or stream events.

Stream events split text at word boundaries and count usage cumulatively, so the
concatenated stream equals the non-stream reply and the last event's usage equals
the non-stream usage.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

from gemini_emulator.reply import IMAGE_TOKENS, Candidate, Reply, count_words, tokens

WORDS_PER_EVENT = 3
MIN_TEXT_EVENTS = 3
Step = list[dict[str, Any]] | None  # None: this candidate has nothing in this event


def part_tokens(part: dict[str, Any]) -> int:
    if part.get("thought"):
        return 0
    if "text" in part:
        return count_words(part["text"])
    if "inlineData" in part:
        return IMAGE_TOKENS
    for key in ("functionCall", "executableCode", "codeExecutionResult"):
        if key in part:
            return count_words(json.dumps(part[key]))
    return 0


def usage(reply: Reply, candidate_tokens: int) -> dict[str, Any]:
    thoughts = sum(count_words(c.thought) for c in reply.candidates)
    body: dict[str, Any] = {"promptTokenCount": reply.prompt_tokens}
    if candidate_tokens:
        body["candidatesTokenCount"] = candidate_tokens
    body["totalTokenCount"] = reply.prompt_tokens + candidate_tokens + thoughts
    body["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": reply.prompt_tokens}]
    if thoughts:
        body["thoughtsTokenCount"] = thoughts
    if reply.cached_tokens:
        body["cachedContentTokenCount"] = reply.cached_tokens
        body["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": reply.cached_tokens}]
    return body


def _envelope(
    reply: Reply, candidates: list[dict[str, Any]], candidate_tokens: int
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if candidates:
        body["candidates"] = candidates
    if reply.prompt_feedback is not None:
        body["promptFeedback"] = reply.prompt_feedback
    body["usageMetadata"] = usage(reply, candidate_tokens)
    body["modelVersion"] = reply.model
    body["responseId"] = reply.response_id
    return body


def _logprob(token: str) -> float:
    """A deterministic log probability in (-0.5, 0] derived from the token text."""
    return -round((zlib.crc32(token.encode()) % 5000) / 10000, 6)


def _logprobs(text: str, top: int) -> dict[str, Any]:
    pieces = [(t, _logprob(t)) for t in tokens(text)]
    total = round(sum(lp for _, lp in pieces), 6)
    result: dict[str, Any] = {
        "logProbabilitySum": total,
        "chosenCandidates": [{"token": t, "logProbability": lp} for t, lp in pieces],
    }
    if top:
        # Made-up runner-up tokens, each less likely than the chosen one.
        result["topCandidates"] = [
            {
                "candidates": [
                    {"token": t if k == 0 else f"{t.strip()}~{k}", "logProbability": lp - 1.5 * k}
                    for k in range(top)
                ]
            }
            for t, lp in pieces
        ]
    average = total / len(pieces) if pieces else 0.0
    return {"avgLogprobs": average, "logprobsResult": result}


def _entry(reply: Reply, candidate: Candidate, parts: Step, final: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if parts:
        entry["content"] = {"parts": parts, "role": "model"}
        text = "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))
        if reply.logprobs is not None and text and not candidate.is_calls:
            entry.update(_logprobs(text, reply.logprobs))
    if final:
        entry["finishReason"] = candidate.finish_reason
    entry["index"] = candidate.index
    if final:
        entry.update(candidate.extras)
    return entry


def response(reply: Reply) -> dict[str, Any]:
    """The non-streaming GenerateContentResponse."""
    entries: list[dict[str, Any]] = []
    total = 0
    for candidate in reply.candidates:
        parts = [dict(p) for p in candidate.parts]
        if candidate.text_signature:
            first_text = next((p for p in parts if "text" in p), None)
            if first_text is not None:
                first_text["thoughtSignature"] = candidate.text_signature
        if candidate.show_thought:
            parts.insert(0, {"text": candidate.thought, "thought": True})
        total += sum(part_tokens(p) for p in parts)
        entries.append(_entry(reply, candidate, parts, final=True))
    return _envelope(reply, entries, total)


def _text_groups(reply: Reply) -> int:
    """How many events text is split into; shared by all candidates so events line up."""
    first = reply.candidates[0]
    words = sum(count_words(p["text"]) for p in first.parts if "text" in p)
    # Short replies still come in several events, or streaming clients go untested.
    return max(1, math.ceil(words / WORDS_PER_EVENT), min(words, MIN_TEXT_EVENTS))


def _split(text: str, groups: int) -> list[str | None]:
    pieces = tokens(text)
    if not pieces:
        return [text] + [None] * (groups - 1)
    size = len(pieces)
    joined = ["".join(pieces[k * size // groups : (k + 1) * size // groups]) for k in range(groups)]
    return [piece or None for piece in joined]


def _steps(reply: Reply, candidate: Candidate, groups: int) -> list[Step]:
    steps: list[Step] = []
    if candidate.show_thought:
        steps.append([{"text": candidate.thought, "thought": True}])
    if candidate.is_calls:
        steps.append([dict(p) for p in candidate.parts])  # The real API sends all calls at once.
    else:
        for part in candidate.parts:
            if "text" in part:
                steps.extend(
                    None if piece is None else [{"text": piece}]
                    for piece in _split(part["text"], groups)
                )
            else:
                steps.append([dict(part)])
    if reply.gemini3 and candidate.parts:
        closing: dict[str, Any] = {"text": ""}
        if candidate.text_signature:
            closing["thoughtSignature"] = candidate.text_signature
        steps.append([closing])
    return steps or [None]


def events(reply: Reply) -> list[dict[str, Any]]:
    """The stream events (alt=sse events, or the elements of the JSON-array stream)."""
    if not reply.candidates:
        return [response(reply)]
    groups = _text_groups(reply)
    plans = [_steps(reply, c, groups) for c in reply.candidates]
    length = max(len(plan) for plan in plans)
    out: list[dict[str, Any]] = []
    emitted = 0
    for k in range(length):
        entries: list[dict[str, Any]] = []
        for candidate, plan in zip(reply.candidates, plans, strict=True):
            final = k == len(plan) - 1
            if k >= len(plan) or (plan[k] is None and not final):
                continue
            parts = plan[k]
            emitted += sum(part_tokens(p) for p in parts or [])
            entries.append(_entry(reply, candidate, parts, final))
        out.append(_envelope(reply, entries, emitted))
    return out
