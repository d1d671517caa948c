"""Native reply content -> Responses output items and stream events: one state machine.

`OutputBuilder` reads native parts in order (through the shared candidate reader,
`candidate.parts_out`) and keeps exactly one output item open at a time, so items are
contiguous and never interleaved. Every change is an event (`response.output_item.added`,
`...delta`, `...done`); the non-stream reply runs the same machine over the whole reply and
keeps only the final response, so `response.completed` equals the non-stream reply.
Event order and fields: docs/responses.md ("Stream contract").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.translate.response.candidate import (
    OpenCall,
    google_extras,
    logprobs_from,
    parts_out,
)
from adapter.translate.response.finish import finish_reason_from
from adapter.translate.response.grounding import annotations_from
from adapter.translate.responses.encrypted import encode_signature
from adapter.translate.responses.tools import CUSTOM_INPUT, ToolMap
from adapter.translate.responses.usage import responses_usage
from adapter.translate.sse_frames import event_frame

_PREFIX = {
    "message": "msg",
    "reasoning": "rs",
    "function_call": "fc",
    "custom_tool_call": "ctc",
    "code_interpreter_call": "ci",
    "web_search_call": "ws",
    "image_generation_call": "ig",
}
# Fields every Response object has (the OpenAPI schema requires them), whatever was asked.
_REQUIRED_ECHO: dict[str, Any] = {
    "instructions": None,
    "metadata": {},
    "temperature": None,
    "top_p": None,
    "tools": [],
    "tool_choice": "auto",
    "parallel_tool_calls": True,
}


@dataclass
class ResponseContext:
    """What the reply needs from the request."""

    response_id: str  # resp_...
    created_at: int
    model: str  # as requested
    echo: dict[str, Any]
    tools: ToolMap
    include_encrypted: bool = False
    include_logprobs: bool = False


@dataclass
class _Open:
    item: dict[str, Any]
    index: int
    text: list[str] = field(default_factory=list)
    pieced: OpenCall | None = None


class OutputBuilder:
    """Feed native events (or one whole reply), then `finish()`; with `record_events` the
    Responses stream events are collected as SSE frames (`take_frames`), `response` is the
    current Response object."""

    def __init__(self, ctx: ResponseContext, record_events: bool = True) -> None:
        self.ctx = ctx
        self.record = record_events
        self.frames: list[bytes] = []  # serialised events not yet taken
        self.sequence = 0
        self.output: list[dict[str, Any]] = []  # items done so far
        self.open: _Open | None = None
        self.calls = 0  # tool calls so far (numbers call ids like the chat surface)
        self.fields: dict[str, Any] = {}  # latest candidate-level fields
        self.last_event: dict[str, Any] = {}
        self.usage: dict[str, Any] | None = None
        self.code: list[dict[str, Any]] = []
        self.signature: str | None = None  # a text part's signature (response extras)
        self.texts: list[str] = []  # all message text, for grounding offsets
        self.messages = 0
        self.response: dict[str, Any] = {}  # set by start(), finish() and fail()

    # --- events -------------------------------------------------------------------------

    def emit(self, kind: str, **payload: Any) -> None:
        if self.record:
            # Serialised at once: the event shows the item as it is now, later changes to
            # the open item cannot leak into an event already made.
            event = {"type": kind, "sequence_number": self.sequence, **payload}
            self.frames.append(event_frame(kind, event))
        self.sequence += 1

    def take_frames(self) -> bytes:
        """The SSE frames (`event:` + `data:`) made since the last call."""
        frames, self.frames = self.frames, []
        return b"".join(frames)

    def start(self) -> None:
        self.response = self._response("in_progress")
        self.emit("response.created", response=self.response)
        self.emit("response.in_progress", response=self.response)

    def _new_id(self, kind: str, index: int) -> str:
        digest = hashlib.blake2s(
            f"{self.ctx.response_id}/item/{index}".encode(), digest_size=12
        ).hexdigest()
        return f"{_PREFIX[kind]}_{digest}"

    def _open_item(self, item: dict[str, Any]) -> _Open:
        self.close()
        index = len(self.output)
        item = {"id": self._new_id(item["type"], index), **item}
        self.open = _Open(item, index)
        self.emit("response.output_item.added", output_index=index, item=item)
        return self.open

    def close(self, status: str = "completed") -> None:
        """Finish the open item: its closing events, then `response.output_item.done`."""
        current = self.open
        if current is None:
            return
        self.open = None
        item, index = current.item, current.index
        ids = {"item_id": item["id"], "output_index": index}
        kind = item["type"]
        if kind == "message":
            text = "".join(current.text)
            part = item["content"][0]
            part["text"] = text
            self.emit(
                "response.output_text.done",
                **ids,
                content_index=0,
                text=text,
                logprobs=part["logprobs"],
            )
            self.emit("response.content_part.done", **ids, content_index=0, part=part)
            item["status"] = status
        elif kind == "reasoning":
            if item["summary"]:
                summary = item["summary"][0]
                summary["text"] = "".join(current.text)
                self.emit(
                    "response.reasoning_summary_text.done",
                    **ids,
                    summary_index=0,
                    text=summary["text"],
                )
                self.emit(
                    "response.reasoning_summary_part.done",
                    **ids,
                    summary_index=0,
                    part=summary,
                )
        elif kind == "function_call":
            self.emit(
                "response.function_call_arguments.done",
                **ids,
                name=item["name"],
                arguments=item["arguments"],
            )
            item["status"] = "completed"
        elif kind == "custom_tool_call":
            self.emit("response.custom_tool_call_input.done", **ids, input=item["input"])
        elif kind == "code_interpreter_call":
            self.emit("response.code_interpreter_call_code.done", **ids, code=item["code"] or "")
            self.emit("response.code_interpreter_call.completed", **ids)
            item["status"] = "completed"
        self.output.append(item)
        self.emit("response.output_item.done", output_index=index, item=item)

    # --- native input -------------------------------------------------------------------

    def feed(self, event: dict[str, Any]) -> None:
        """One native GenerateContentResponse (a stream event or the whole reply)."""
        self.last_event = event
        if event.get("usageMetadata"):
            self.usage = event["usageMetadata"]
        candidates = event.get("candidates") or ()
        candidate = next((c for c in candidates if c.get("index", 0) == 0), None)
        if candidate is None:
            return
        for key, value in candidate.items():
            if key != "content":
                self.fields[key] = value
        logprobs = logprobs_from(candidate) if self.ctx.include_logprobs else None
        pending_logprobs = logprobs["content"] if logprobs else []
        for part in (candidate.get("content") or {}).get("parts") or ():
            if isinstance(part, dict):
                pending_logprobs = self._part(part, pending_logprobs)

    def _part(self, part: dict[str, Any], logprobs: list[dict[str, Any]]) -> list[Any]:
        pieced = self.open.pieced if self.open is not None else None
        out = parts_out([part], self.ctx.response_id, self.calls, pieced)
        if out.signature and "functionCall" not in part:
            self.signature = out.signature
        if self.open is not None and pieced is not None:
            if out.open_call is None:  # the pieced call is complete
                arguments = out.completed_args.get(pieced.index, "{}")
                self._call_arguments(self.open, arguments)
                self.close()
            return logprobs
        if any(out.reasoning):
            self._reasoning_text("".join(out.reasoning))
        if out.texts and "text" in part:
            self._message_text("".join(out.texts), logprobs)
            logprobs = []
        for call in out.tool_calls:
            self._call(call, part.get("thoughtSignature"), out.open_call)
        for image in out.images:
            data = image["image_url"]["url"].partition(",")[2]
            self._open_item(
                {"type": "image_generation_call", "status": "completed", "result": data}
            )
            self.close()
        if "executableCode" in part:
            self._code(part["executableCode"] or {})
        elif "codeExecutionResult" in part:
            self._code_result(part["codeExecutionResult"] or {})
        self.code.extend(out.code)
        return logprobs

    def _reasoning_text(self, text: str) -> None:
        current = self.open
        if current is None or current.item["type"] != "reasoning":
            current = self._open_item({"type": "reasoning", "summary": []})
        ids = {"item_id": current.item["id"], "output_index": current.index}
        if not current.item["summary"]:
            part = {"type": "summary_text", "text": ""}
            current.item["summary"].append(part)
            self.emit(
                "response.reasoning_summary_part.added",
                **ids,
                summary_index=0,
                part=part,
            )
        current.text.append(text)
        self.emit("response.reasoning_summary_text.delta", **ids, summary_index=0, delta=text)

    def _message_text(self, text: str, logprobs: list[dict[str, Any]]) -> None:
        current = self.open
        if current is None or current.item["type"] != "message":
            current = self._open_item(
                {"type": "message", "role": "assistant", "status": "in_progress", "content": []}
            )
            self.messages += 1
            part: dict[str, Any] = {
                "type": "output_text",
                "text": "",
                "annotations": [],
                "logprobs": [],
            }
            self.emit(
                "response.content_part.added",
                item_id=current.item["id"],
                output_index=current.index,
                content_index=0,
                part=part,
            )
            current.item["content"].append(part)
        current.text.append(text)
        self.texts.append(text)
        if self.ctx.include_logprobs:
            current.item["content"][0]["logprobs"].extend(logprobs)
        self.emit(
            "response.output_text.delta",
            item_id=current.item["id"],
            output_index=current.index,
            content_index=0,
            delta=text,
            logprobs=logprobs,
        )

    def _call(self, call: dict[str, Any], signature: str | None, pieced: OpenCall | None) -> None:
        if signature and self.ctx.include_encrypted:
            # The call's thought signature, for clients that echo reasoning items; it is
            # also in the call_id. A reasoning item still open takes it, else a new one.
            current = self.open
            if current is None or current.item["type"] != "reasoning":
                current = self._open_item({"type": "reasoning", "summary": []})
            current.item["encrypted_content"] = encode_signature(signature)
        self.calls += 1
        function = call["function"]
        tool = self.ctx.tools.client_tool(function["name"])
        base: dict[str, Any] = {"call_id": call["id"], "name": tool.name}
        if tool.namespace:
            base["namespace"] = tool.namespace
        if tool.kind == "custom":
            current = self._open_item({"type": "custom_tool_call", **base, "input": ""})
        else:
            current = self._open_item(
                {"type": "function_call", **base, "arguments": "", "status": "in_progress"}
            )
        current.pieced = pieced
        if pieced is None:
            self._call_arguments(current, function["arguments"])
            self.close()

    def _call_arguments(self, current: _Open, arguments: str) -> None:
        ids = {"item_id": current.item["id"], "output_index": current.index}
        if current.item["type"] == "custom_tool_call":
            value = _custom_input(arguments)
            current.item["input"] = value
            self.emit("response.custom_tool_call_input.delta", **ids, delta=value)
        else:
            current.item["arguments"] = arguments
            self.emit("response.function_call_arguments.delta", **ids, delta=arguments)

    def _code(self, code: dict[str, Any]) -> None:
        current = self._open_item(
            {
                "type": "code_interpreter_call",
                "status": "in_progress",
                "code": "",
                "container_id": "",
                "outputs": None,
            }
        )
        ids = {"item_id": current.item["id"], "output_index": current.index}
        self.emit("response.code_interpreter_call.in_progress", **ids)
        source = str(code.get("code", ""))
        current.item["code"] = source
        self.emit("response.code_interpreter_call_code.delta", **ids, delta=source)

    def _code_result(self, result: dict[str, Any]) -> None:
        current = self.open
        if current is None or current.item["type"] != "code_interpreter_call":
            self._code({})
            current = self.open
        assert current is not None
        self.emit(
            "response.code_interpreter_call.interpreting",
            item_id=current.item["id"],
            output_index=current.index,
        )
        current.item["outputs"] = [{"type": "logs", "logs": str(result.get("output", ""))}]
        self.close()

    # --- the end ------------------------------------------------------------------------

    def finish(self) -> dict[str, Any]:
        """Close everything; the last event is response.completed or response.incomplete."""
        native_finish = self.fields.get("finishReason")
        feedback = self.last_event.get("promptFeedback") or {}
        blocked = not self.fields and bool(feedback.get("blockReason"))
        reason = None
        if blocked:
            reason = "content_filter"
        else:
            mapped = finish_reason_from(native_finish or "STOP", False)
            reason = {"length": "max_output_tokens", "content_filter": "content_filter"}.get(
                mapped or ""
            )
        status = "incomplete" if reason else "completed"
        self._annotate()
        current = self.open
        self.close(
            "incomplete"
            if status == "incomplete" and current is not None and current.item["type"] == "message"
            else "completed"
        )
        self._web_search()
        if blocked:
            self._refusal(
                f"The prompt was blocked by Gemini (block reason: {feedback['blockReason']})."
            )
        response = self._response(status)
        if reason:
            response["incomplete_details"] = {"reason": reason}
        self.response = response
        kind = "response.completed" if status == "completed" else "response.incomplete"
        self.emit(kind, response=response)
        return response

    def fail(self, code: str, message: str) -> dict[str, Any]:
        """A failure after the stream began: `response.failed` with what was done so far."""
        response = self._response("failed")
        response["error"] = {"code": code, "message": message}
        self.response = response
        self.emit("response.failed", response=response)
        return response

    def _annotate(self) -> None:
        current = self.open
        grounding = self.fields.get("groundingMetadata")
        if current is None or current.item["type"] != "message" or not grounding:
            return
        if self.messages != 1:
            return  # offsets count over the whole reply text: only one message is safe
        text = "".join(current.text)
        part = current.item["content"][0]
        for position, annotation in enumerate(annotations_from(grounding, text)):
            flat = {"type": "url_citation", **annotation["url_citation"]}
            part["annotations"].append(flat)
            self.emit(
                "response.output_text.annotation.added",
                item_id=current.item["id"],
                output_index=current.index,
                content_index=0,
                annotation_index=position,
                annotation=flat,
            )

    def _web_search(self) -> None:
        grounding = self.fields.get("groundingMetadata") or {}
        queries = [q for q in grounding.get("webSearchQueries") or () if isinstance(q, str)]
        if not queries:
            return
        sources = []
        for chunk in grounding.get("groundingChunks") or ():
            web = chunk.get("web") if isinstance(chunk, dict) else None
            if isinstance(web, dict) and web.get("uri"):
                sources.append({"type": "url", "url": web["uri"]})
        action: dict[str, Any] = {"type": "search", "query": queries[0], "queries": queries}
        if sources:
            action["sources"] = sources
        current = self._open_item(
            {"type": "web_search_call", "status": "in_progress", "action": action}
        )
        ids = {"item_id": current.item["id"], "output_index": current.index}
        self.emit("response.web_search_call.in_progress", **ids)
        self.emit("response.web_search_call.searching", **ids)
        self.emit("response.web_search_call.completed", **ids)
        current.item["status"] = "completed"
        self.close()

    def _refusal(self, text: str) -> None:
        current = self._open_item(
            {"type": "message", "role": "assistant", "status": "in_progress", "content": []}
        )
        ids = {"item_id": current.item["id"], "output_index": current.index, "content_index": 0}
        part = {"type": "refusal", "refusal": ""}
        self.emit("response.content_part.added", **ids, part=part)
        self.emit("response.refusal.delta", **ids, delta=text)
        part["refusal"] = text
        self.emit("response.refusal.done", **ids, refusal=text)
        self.emit("response.content_part.done", **ids, part=part)
        current.item["content"].append(part)
        current.item["status"] = "incomplete"
        self.open = None
        self.output.append(current.item)
        self.emit("response.output_item.done", output_index=current.index, item=current.item)

    def _response(self, status: str) -> dict[str, Any]:
        echo = self.ctx.echo
        response: dict[str, Any] = {
            "id": self.ctx.response_id,
            "object": "response",
            "created_at": self.ctx.created_at,
            "status": status,
            "error": None,
            "incomplete_details": None,
            "model": self.ctx.model,
            "output": list(self.output) if status != "in_progress" else [],
            **_REQUIRED_ECHO,
            **echo,
        }
        if status in ("completed", "incomplete", "failed"):
            usage = responses_usage(self.usage)
            if usage is not None:
                response["usage"] = usage
            extras = google_extras(self.fields, self.last_event, self.code)
            if self.signature:
                extras["thought_signature"] = self.signature
            response["extra_content"] = {"google": extras}
        return response


def _custom_input(arguments: str) -> str:
    """A custom tool's raw input: the `input` string the model filled in."""
    try:
        args = orjson.loads(arguments) if arguments else {}
    except orjson.JSONDecodeError:
        return arguments
    if isinstance(args, dict) and isinstance(args.get(CUSTOM_INPUT), str):
        return str(args[CUSTOM_INPUT])
    return arguments
