"""One native candidate (or one stream event's piece of it) -> the OpenAI message fields.

Shared by the reply and the stream translators, so a stream assembles to exactly the
non-stream reply (docs/behaviour.md T3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from adapter.translate.response.partial_args import apply_partial_args
from adapter.translate.signatures import encode_tool_call_id


@dataclass(slots=True)
class OpenCall:
    """A function call whose arguments arrive in pieces over several parts (Vertex's
    streamFunctionCallArguments): `{name, willContinue}`, then `{partialArgs}`..., then `{}`."""

    index: int  # the tool call's number within its choice
    args: dict[str, Any] = field(default_factory=dict)
    continuing: set[str] = field(default_factory=set)  # string paths still being streamed


@dataclass(slots=True)
class PartsOut:
    texts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    code: list[dict[str, Any]] = field(default_factory=list)  # raw native code-execution parts
    # Server-side tool parts (toolCall / toolResponse, Gemini 3 with
    # includeServerSideToolInvocations): kept for extra_content, never client tool calls.
    server_tools: list[dict[str, Any]] = field(default_factory=list)
    signature: str | None = None  # a thoughtSignature on a non-call part (Gemini 3 text)
    open_call: OpenCall | None = None  # still receiving arguments when the parts ended
    # Arguments of pieced calls that completed, by tool call number (for stream deltas).
    completed_args: dict[int, str] = field(default_factory=dict)
    # Per part, in order: (code point offset in "".join(texts) where its text starts, the
    # text it added to content, "" for none). Grounding segments with partIndex use it.
    spans: list[tuple[int, str]] = field(default_factory=list)
    length: int = 0  # code points in "".join(texts)

    def add_text(self, text: str) -> None:
        self.spans.append((self.length, text))
        self.texts.append(text)
        self.length += len(text)


def parts_out(
    parts: Any,
    id_seed: str,
    first_call: int = 0,
    open_call: OpenCall | None = None,
    names: Mapping[str, str] | None = None,
) -> PartsOut:
    """`first_call` numbers tool calls across stream events so ids match the reply's;
    `open_call` carries a pieced function call from the previous event; `names` maps native
    function names back to the caller's (NativeRequest.tool_names)."""
    out = PartsOut(open_call=open_call)
    if not isinstance(parts, list):
        return out
    for part in parts:
        if not isinstance(part, dict):
            out.spans.append((out.length, ""))
            continue
        spans_before = len(out.spans)
        _part_out(part, out, id_seed, first_call, names)
        if len(out.spans) == spans_before:  # the part added no content text
            out.spans.append((out.length, ""))
    return out


def _part_out(
    part: dict[str, Any],
    out: PartsOut,
    id_seed: str,
    first_call: int,
    names: Mapping[str, str] | None,
) -> None:
    if "functionCall" in part:
        call = part["functionCall"] or {}
        if out.open_call is not None and "name" not in call:
            apply_partial_args(
                out.open_call.args, call.get("partialArgs"), out.open_call.continuing
            )
            if not call.get("willContinue"):  # `{}` ends the pieced call
                arguments = orjson.dumps(out.open_call.args).decode()
                out.completed_args[out.open_call.index] = arguments
                local = out.open_call.index - first_call
                if 0 <= local < len(out.tool_calls):
                    out.tool_calls[local]["function"]["arguments"] = arguments
                out.open_call = None
            return
        number = first_call + len(out.tool_calls)
        call_id = encode_tool_call_id(
            f"{id_seed}:{number}", call.get("id"), part.get("thoughtSignature")
        )
        pieced = bool(call.get("willContinue")) and "args" not in call
        tool_call: dict[str, Any] = {
            "id": call_id,
            "type": "function",
            "function": {
                "name": _caller_name(call.get("name", ""), names),
                "arguments": "" if pieced else orjson.dumps(call.get("args") or {}).decode(),
            },
        }
        if part.get("thoughtSignature"):
            tool_call["extra_content"] = {
                "google": {"thought_signature": part["thoughtSignature"]}
            }
        out.tool_calls.append(tool_call)
        if pieced:
            out.open_call = OpenCall(number)
        return
    if part.get("thoughtSignature"):
        out.signature = part["thoughtSignature"]
    if "text" in part:
        if part.get("thought"):
            out.reasoning.append(part["text"])
        elif part["text"]:
            out.add_text(part["text"])
    elif "inlineData" in part:
        blob = part["inlineData"] or {}
        mime = blob.get("mimeType", "application/octet-stream")
        if mime.startswith("image/") and not part.get("thought"):
            url = f"data:{mime};base64,{blob.get('data', '')}"
            out.images.append({"type": "image_url", "image_url": {"url": url}})
    elif "executableCode" in part:
        code = part["executableCode"] or {}
        language = str(code.get("language", "")).lower().replace("language_unspecified", "")
        out.add_text(f"\n```{language}\n{code.get('code', '')}\n```\n")
        out.code.append(part)
    elif "toolCall" in part or "toolResponse" in part:
        out.server_tools.append(part)
    elif "codeExecutionResult" in part:
        result = part["codeExecutionResult"] or {}
        output = result.get("output", "")
        out.add_text(f"\n```output\n{output}\n```\n")
        out.code.append(part)


def _caller_name(name: Any, names: Mapping[str, str] | None) -> Any:
    if names and isinstance(name, str):
        return names.get(name, name)
    return name


def logprobs_from(candidate: dict[str, Any]) -> dict[str, Any] | None:
    """logprobsResult -> OpenAI `logprobs.content` (docs/behaviour.md S9)."""
    result = candidate.get("logprobsResult")
    if not result:
        return None
    chosen = result.get("chosenCandidates") or []
    tops = result.get("topCandidates") or []
    content = []
    for i, token in enumerate(chosen):
        text = token.get("token", "")
        entry: dict[str, Any] = {
            "token": text,
            "logprob": token.get("logProbability", 0.0),
            "bytes": list(text.encode()),
            "top_logprobs": [],
        }
        if i < len(tops):
            entry["top_logprobs"] = [
                {
                    "token": alt.get("token", ""),
                    "logprob": alt.get("logProbability", 0.0),
                    "bytes": list(alt.get("token", "").encode()),
                }
                for alt in tops[i].get("candidates") or []
            ]
        content.append(entry)
    return {"content": content, "refusal": None}


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


@lru_cache(maxsize=4096)  # native field names are a small closed set
def snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub(r"_\1", name).lower()


def snake_keys(value: Any) -> Any:
    """Native field names in snake_case, as Google's own SDKs and OpenAI endpoint show them."""
    if isinstance(value, dict):
        return {snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


# Candidate fields OpenAI has no place for; kept under extra_content.google (docs/behaviour.md S1b).
_CANDIDATE_EXTRAS = (
    "groundingMetadata",
    "urlContextMetadata",
    "safetyRatings",
    "citationMetadata",
    "finishMessage",
    "avgLogprobs",
)


def google_extras(
    candidate: dict[str, Any],
    response: dict[str, Any],
    code: list[dict[str, Any]],
    server_tools: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for key in _CANDIDATE_EXTRAS:
        if key in candidate:
            extras[snake(key)] = snake_keys(candidate[key])
    if candidate.get("finishReason"):
        extras["finish_reason"] = candidate["finishReason"]
    feedback = response.get("promptFeedback") or {}
    if feedback.get("blockReason"):
        extras["block_reason"] = feedback["blockReason"]
    if code:
        extras["code_execution"] = snake_keys(code)
    if server_tools:
        extras["server_tool_invocations"] = snake_keys(server_tools)
    for key in ("modelVersion", "responseId", "createTime"):
        if key in response:
            extras[snake(key)] = response[key]
    if response.get("usageMetadata"):
        extras["usage_metadata"] = snake_keys(response["usageMetadata"])
    return extras


def plain_texts(event: dict[str, Any]) -> tuple[int, list[str]] | None:
    """(candidate index, texts) when a native event is one candidate whose parts are all
    plain text and that carries nothing else (no finishReason, no metadata); else None.
    The streams' fast paths (chat and Responses) write such events from a prefix."""
    candidates = event.get("candidates")
    if not candidates or len(candidates) != 1:
        return None
    candidate = candidates[0]
    if len(candidate) != (2 if "index" in candidate else 1):
        return None  # finishReason, metadata...: the general path
    parts = (candidate.get("content") or {}).get("parts")
    if not parts:
        return None
    texts = []
    for part in parts:
        if len(part) != 1 or "text" not in part:
            return None
        texts.append(part["text"])
    return candidate.get("index", 0), texts
