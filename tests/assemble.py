"""Assemble OpenAI stream chunks into per-choice messages, the way SDK accumulators do."""

from __future__ import annotations

from typing import Any


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    choices: dict[int, dict[str, Any]] = {}
    usage = None
    for chunk in chunks:
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk["choices"]:
            state = choices.setdefault(
                choice["index"],
                {
                    "content": None,
                    "reasoning_content": None,
                    "tool_calls": {},
                    "finish_reason": None,
                    "images": [],
                },
            )
            delta = choice["delta"]
            for key in ("content", "reasoning_content"):
                if delta.get(key):
                    state[key] = (state[key] or "") + delta[key]
            for call in delta.get("tool_calls") or ():
                slot = state["tool_calls"].setdefault(
                    call["index"], {"id": None, "name": "", "arguments": ""}
                )
                slot["id"] = call.get("id") or slot["id"]
                slot["name"] += call.get("function", {}).get("name") or ""
                slot["arguments"] += call.get("function", {}).get("arguments") or ""
            state["images"].extend(delta.get("images") or ())
            if choice.get("finish_reason"):
                state["finish_reason"] = choice["finish_reason"]
    result = {}
    for index, state in choices.items():
        state["tool_calls"] = [state["tool_calls"][k] for k in sorted(state["tool_calls"])]
        result[index] = state
    return {"choices": result, "usage": usage}


def summarize_reply(reply: dict[str, Any]) -> dict[str, Any]:
    """The same shape as `assemble`, from a non-stream chat.completion."""
    choices = {}
    for choice in reply["choices"]:
        message = choice["message"]
        choices[choice["index"]] = {
            "content": message.get("content"),
            "reasoning_content": message.get("reasoning_content"),
            "tool_calls": [
                {
                    "id": c["id"],
                    "name": c["function"]["name"],
                    "arguments": c["function"]["arguments"],
                }
                for c in message.get("tool_calls") or ()
            ],
            "finish_reason": choice["finish_reason"],
            "images": message.get("images") or [],
        }
    return {"choices": choices, "usage": reply.get("usage")}


def merge_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The single GenerateContentResponse a stream of events amounts to."""
    merged: dict[str, Any] = {}
    candidates: dict[int, dict[str, Any]] = {}
    for event in events:
        for key, value in event.items():
            if key != "candidates":
                merged[key] = value
        for position, candidate in enumerate(event.get("candidates") or ()):
            index = candidate.get("index", position)
            slot = candidates.setdefault(index, {"content": {"role": "model", "parts": []}})
            for key, value in candidate.items():
                if key == "content":
                    slot["content"]["parts"].extend(value.get("parts") or ())
                else:
                    slot[key] = value
    if candidates:
        merged["candidates"] = [candidates[k] for k in sorted(candidates)]
    return merged
