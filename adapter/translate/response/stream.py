"""Native stream events -> OpenAI `chat.completion.chunk`s (docs/behaviour.md T1-T3).

One `StreamTranslator` per stream holds what must persist between events: the chunk id,
whether `role` was sent, how many tool calls each choice has had (their `index`), the latest
candidate metadata and usage. Finish reasons go out when the upstream stream ends, so the
final chunk can carry grounding annotations computed over the whole text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.translate.response.candidate import (
    OpenCall,
    google_extras,
    logprobs_from,
    parts_out,
    plain_texts,
)
from adapter.translate.response.finish import finish_reason_from
from adapter.translate.response.grounding import annotations_from
from adapter.translate.response.reply import blocked_choice, completion_id_from
from adapter.translate.response.usage import usage_from
from adapter.translate.sse_frames import DATA, data_frame

sse_event = data_frame  # the name the routes use

@dataclass(slots=True)
class _Choice:
    role_sent: bool = False
    calls: int = 0
    texts: list[str] = field(default_factory=list)  # kept for grounding offsets only
    spans: list[tuple[int, str]] = field(default_factory=list)  # every part so far, in order
    length: int = 0  # code points in "".join(texts)
    fields: dict[str, Any] = field(default_factory=dict)  # latest candidate-level fields
    code: list[dict[str, Any]] = field(default_factory=list)
    server_tools: list[dict[str, Any]] = field(default_factory=list)
    signature: str | None = None
    open_call: OpenCall | None = None


class StreamTranslator:
    def __init__(
        self,
        *,
        model: str,
        created: int,
        fallback_id: str,
        include_usage: bool,
        tool_names: Mapping[str, str] | None = None,
    ):
        self.model = model
        self.tool_names = tool_names or {}
        self.created = created
        self.fallback_id = fallback_id
        self.include_usage = include_usage
        self.id: str | None = None
        self._choices: dict[int, _Choice] = {}
        self._last_event: dict[str, Any] = {}
        self._usage: dict[str, Any] | None = None
        self._text_prefix: dict[int, bytes] = {}  # per choice, once the id is known
        self._text_suffix = (
            b'},"finish_reason":null,"logprobs":null}]'
            + (b',"usage":null' if include_usage else b"")
            + b"}\n\n"
        )

    def _chunk(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
            "choices": choices,
        }
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def chunks_for(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The chunks one native event yields (often one, none for an empty closing event)."""
        if self.id is None:
            self.id = completion_id_from(event, self.fallback_id)
        self._last_event = event
        if event.get("usageMetadata"):
            self._usage = event["usageMetadata"]
        choices = []
        for position, candidate in enumerate(event.get("candidates") or ()):
            index = candidate.get("index", position)
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = _Choice()
            delta = self._delta(candidate, index, state)
            logprobs = logprobs_from(candidate)
            if delta or logprobs:
                if not state.role_sent:
                    delta = {"role": "assistant", **delta}
                    state.role_sent = True
                choices.append(
                    {"index": index, "delta": delta, "finish_reason": None, "logprobs": logprobs}
                )
        return [self._chunk(choices)] if choices else []

    def sse_for(self, event: dict[str, Any]) -> bytes:
        """The SSE bytes for one native event: `chunks_for`, serialised.

        Most events of a reply are one candidate's plain text; their chunk differs from the
        previous one only by the text, so it is written from a prefix made once per stream
        instead of building and serialising the whole chunk again (same bytes either way).
        """
        fast = self._plain_text_sse(event)
        if fast is not None:
            return fast
        return b"".join([sse_event(chunk) for chunk in self.chunks_for(event)])

    def _plain_text_sse(self, event: dict[str, Any]) -> bytes | None:
        found = plain_texts(event) if self.id is not None else None
        if found is None:
            return None
        index, texts = found
        state = self._choices.get(index)
        if state is None or not state.role_sent:
            return None
        self._last_event = event
        if event.get("usageMetadata"):
            self._usage = event["usageMetadata"]
        for piece in texts:
            state.spans.append((state.length, piece))
            state.length += len(piece)
        text = "".join(texts)
        if not text:
            return b""
        state.texts.append(text)
        prefix = self._text_prefix.get(index)
        if prefix is None:
            head = orjson.dumps(
                {
                    "id": self.id,
                    "object": "chat.completion.chunk",
                    "created": self.created,
                    "model": self.model,
                    "system_fingerprint": None,
                }
            )
            prefix = self._text_prefix[index] = (
                DATA
                + head[:-1]
                + b',"choices":[{"index":'
                + str(index).encode()
                + b',"delta":{"content":'
            )
        return prefix + orjson.dumps(text) + self._text_suffix

    def _delta(self, candidate: dict[str, Any], index: int, state: _Choice) -> dict[str, Any]:
        for key, value in candidate.items():
            if key != "content":
                state.fields[key] = value
        parts = (candidate.get("content") or {}).get("parts")
        if not parts:
            return {}
        out = parts_out(
            parts, f"{self.id}:{index}", state.calls, state.open_call, self.tool_names
        )
        state.open_call = out.open_call
        state.spans.extend((state.length + offset, text) for offset, text in out.spans)
        state.length += out.length
        delta: dict[str, Any] = {}
        if out.texts:
            text = "".join(out.texts)
            delta["content"] = text
            state.texts.append(text)
        if out.reasoning:
            delta["reasoning_content"] = "".join(out.reasoning)
        calls = [
            {"index": number, "function": {"arguments": arguments}}
            for number, arguments in out.completed_args.items()
            if number < state.calls  # a pieced call begun in an earlier event
        ]
        for call in out.tool_calls:
            calls.append({"index": state.calls, **call})
            state.calls += 1
        if calls:
            delta["tool_calls"] = calls
        if out.images:
            delta["images"] = out.images
        state.code.extend(out.code)
        state.server_tools.extend(out.server_tools)
        if out.signature:
            state.signature = out.signature
        return delta

    def finish(self) -> list[dict[str, Any]]:
        """Closing chunks once the upstream stream has ended: finish reasons, then usage."""
        if self.id is None:
            self.id = completion_id_from(self._last_event, self.fallback_id)
        chunks = []
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            delta: dict[str, Any] = {} if state.role_sent else {"role": "assistant"}
            annotations = annotations_from(
                state.fields.get("groundingMetadata"), "".join(state.texts), state.spans
            )
            if annotations:
                delta["annotations"] = annotations
            extras = google_extras(
                state.fields, self._last_event, state.code, state.server_tools
            )
            if state.signature:
                extras["thought_signature"] = state.signature
            delta["extra_content"] = {"google": extras}
            choices.append(
                {
                    "index": index,
                    "delta": delta,
                    "finish_reason": finish_reason_from(
                        state.fields.get("finishReason") or "STOP", state.calls > 0
                    ),
                    "logprobs": None,
                }
            )
        if not choices:
            blocked = blocked_choice(self._last_event)
            message = blocked.pop("message")
            blocked["delta"] = message
            choices.append(blocked)
        chunks.append(self._chunk(choices))
        if self.include_usage:
            usage_chunk = self._chunk([])
            usage_chunk["usage"] = usage_from(self._usage)
            chunks.append(usage_chunk)
        return chunks
