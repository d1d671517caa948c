"""Responses `instructions` + `input` items -> native `contents` and `systemInstruction`.

Item rules (docs/responses.md): system/developer messages join `instructions` in
`systemInstruction`; user messages -> `user` contents; assistant messages, reasoning
items and calls in a row -> ONE `model` content (parts in item order); consecutive call
outputs -> ONE `user` content of `functionResponse`s in call order. A call's thought
signature comes from the reasoning item before it (`encrypted_content` made by this
service) or from its `call_id`; Gemini 3 calls with neither get the documented skip value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.errors import invalid_request
from adapter.translate.request.fields import expect
from adapter.translate.request.parts import (
    AUDIO_MIME,
    DETAIL_TO_RESOLUTION,
    PartsContext,
    media_from_url,
    parse_data_url,
    to_native_part,
)
from adapter.translate.responses.encrypted import decode_signature
from adapter.translate.responses.tools import CUSTOM_INPUT, ToolMap
from adapter.translate.signatures import SKIP_SIGNATURE, decode_tool_call_id

# History of hosted tools: their results are already in the message text that follows, and
# Gemini has no input form for them, so they are skipped.
SKIPPED_ITEMS = frozenset(
    {
        "web_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "tool_search_call",
        "tool_search_output",
        "additional_tools",
        "file_search_call",
        # another provider's context compaction (opaque to Gemini) and hosted MCP history
        "compaction",
        "compaction_trigger",
        "mcp_list_tools",
        "mcp_call",
        "mcp_approval_request",
        "mcp_approval_response",
    }
)
CALL_ITEMS = ("function_call", "custom_tool_call")
OUTPUT_ITEMS = ("function_call_output", "custom_tool_call_output")


@dataclass
class _Call:
    native_name: str
    native_id: str | None
    position: int  # order of the call in the history
    item_index: int
    answered: bool = False


@dataclass
class Conversation:
    contents: list[dict[str, Any]] = field(default_factory=list)
    system_parts: list[dict[str, Any]] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  # contents[i] -> input[j]


@dataclass
class _Builder:
    tools: ToolMap
    ctx: PartsContext
    signatures_required: bool
    media_in_responses: bool = False  # Gemini 3: functionResponse.parts takes inline media
    conv: Conversation = field(default_factory=Conversation)
    calls: dict[str, _Call] = field(default_factory=dict)
    model_parts: list[dict[str, Any]] = field(default_factory=list)
    model_source: int = 0
    outputs: list[tuple[_Call, dict[str, Any]]] = field(default_factory=list)
    output_extra: list[dict[str, Any]] = field(default_factory=list)
    output_source: int = 0
    signature: str | None = None  # from a reasoning item, for the next call

    def flush_model(self) -> None:
        if self.model_parts:
            if self.signatures_required:
                first = next((p for p in self.model_parts if "functionCall" in p), None)
                if first is not None:
                    first.setdefault("thoughtSignature", SKIP_SIGNATURE)
            self.conv.contents.append({"role": "model", "parts": self.model_parts})
            self.conv.sources.append(self.model_source)
            self.model_parts = []
        self.signature = None

    def flush_outputs(self) -> None:
        if self.outputs:
            self.outputs.sort(key=lambda item: item[0].position)
            parts = [part for _, part in self.outputs] + self.output_extra
            self.conv.contents.append({"role": "user", "parts": parts})
            self.conv.sources.append(self.output_source)
            self.outputs = []
            self.output_extra = []

    def add_model_part(self, part: dict[str, Any], index: int) -> None:
        self.flush_outputs()
        if not self.model_parts:
            self.model_source = index
        self.model_parts.append(part)


def to_native_contents(
    instructions: Any,
    items: list[Any],
    tools: ToolMap,
    ctx: PartsContext,
    signatures_required: bool,
    media_in_responses: bool = False,
) -> Conversation:
    """Translate and check the whole input; raise a 400 naming the first bad field.

    `media_in_responses`: images and files of a call output go in `functionResponse.parts`
    (Gemini 3's multimodal function responses) when inline; else after the responses."""
    b = _Builder(tools, ctx, signatures_required, media_in_responses)
    if instructions is not None:
        if isinstance(instructions, list):  # a stored prompt's item list
            for j, item in enumerate(instructions):
                b.conv.system_parts.extend(_text_parts(item, f"instructions[{j}].content", ctx))
        else:
            text = expect(instructions, (str,), "instructions")
            if text:
                b.conv.system_parts.append({"text": text})
    for i, item in enumerate(items):
        param = f"input[{i}]"
        expect(item, (dict,), param)
        kind = item.get("type", "message")
        if kind == "message":
            _message(b, item, i, param)
        elif kind in CALL_ITEMS:
            _call(b, item, i, param)
        elif kind in OUTPUT_ITEMS:
            _output(b, item, i, param)
        elif kind == "reasoning":
            signature = decode_signature(item.get("encrypted_content"))
            if signature:
                if b.outputs:
                    b.flush_outputs()
                b.signature = signature
        elif kind == "item_reference":
            raise invalid_request(
                "item_reference needs the response store, which is not available: send the "
                "items themselves (the Vercel AI SDK does with providerOptions.openai.store "
                "set to false).",
                param=f"{param}.id",
            )
        elif kind not in SKIPPED_ITEMS:
            raise invalid_request(f"Unsupported input item type {kind!r}.", param=f"{param}.type")
    b.flush_model()
    b.flush_outputs()
    if not b.conv.contents:
        raise invalid_request("'input' must contain at least one message.", param="input")
    return b.conv


def _message(b: _Builder, item: dict[str, Any], index: int, param: str) -> None:
    role = item.get("role")
    content = item.get("content")
    if role in ("system", "developer"):
        b.conv.system_parts.extend(_text_parts(item, f"{param}.content", b.ctx))
        return
    if role == "assistant":
        parts = to_parts(content, f"{param}.content", b.ctx)
        for part in parts:
            b.add_model_part(part, index)
        return
    if role != "user":
        raise invalid_request(
            f"Invalid role {role!r}; expected user, assistant, system or developer.",
            param=f"{param}.role",
        )
    parts = to_parts(content, f"{param}.content", b.ctx)
    if not parts:
        raise invalid_request("A user message must not be empty.", param=f"{param}.content")
    b.flush_model()
    b.flush_outputs()
    for call in b.calls.values():
        if not call.answered:
            raise invalid_request(
                "This call has no output before the next user message.",
                param=f"input[{call.item_index}].call_id",
            )
    b.conv.contents.append({"role": "user", "parts": parts})
    b.conv.sources.append(index)


def _text_parts(item: Any, param: str, ctx: PartsContext) -> list[dict[str, Any]]:
    expect(item, (dict,), param.rsplit(".", 1)[0])
    parts = to_parts(item.get("content"), param, ctx)
    if any("text" not in p for p in parts):
        raise invalid_request("System and developer messages may hold text only.", param=param)
    return parts


def _call(b: _Builder, item: dict[str, Any], index: int, param: str) -> None:
    call_id = expect(item.get("call_id"), (str,), f"{param}.call_id")
    name = expect(item.get("name"), (str,), f"{param}.name")
    namespace = item.get("namespace")
    if namespace is not None:
        expect(namespace, (str,), f"{param}.namespace")
    native_name = b.tools.native_name(name, namespace)
    if item["type"] == "custom_tool_call":
        args: Any = {CUSTOM_INPUT: expect(item.get("input"), (str,), f"{param}.input")}
    else:
        args = _arguments(item.get("arguments"), f"{param}.arguments")
    native_id, signature = decode_tool_call_id(call_id)
    call: dict[str, Any] = {"name": native_name, "args": args}
    if native_id:
        call["id"] = native_id
    part: dict[str, Any] = {"functionCall": call}
    signature = b.signature or signature
    b.signature = None
    if signature:
        part["thoughtSignature"] = signature
    b.add_model_part(part, index)
    if call_id in b.calls:
        raise invalid_request(f"Duplicate call_id {call_id!r}.", param=f"{param}.call_id")
    b.calls[call_id] = _Call(native_name, native_id, len(b.calls), index)


def _arguments(raw: Any, param: str) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    expect(raw, (str, dict), param)
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise invalid_request("Call arguments must be a JSON object string.", param) from None
    if not isinstance(raw, dict):
        raise invalid_request("Call arguments must be a JSON object.", param=param)
    return raw


def _output(b: _Builder, item: dict[str, Any], index: int, param: str) -> None:
    call_id = expect(item.get("call_id"), (str,), f"{param}.call_id")
    call = b.calls.get(call_id)
    if call is None:
        raise invalid_request(
            f"No earlier call in 'input' has the call_id {call_id!r}.", param=f"{param}.call_id"
        )
    call.answered = True
    b.flush_model()
    if not b.outputs:
        b.output_source = index
    output = item.get("output")
    extra: list[dict[str, Any]] = []
    if isinstance(output, list):
        texts = []
        for part in to_parts(output, f"{param}.output", b.ctx):
            if "text" in part:
                texts.append(part["text"])
            else:
                extra.append(part)  # images and files go after the responses
        output = "".join(texts)
    elif output is not None:
        expect(output, (str,), f"{param}.output")
    response = _response_value(output or "")
    function_response: dict[str, Any] = {"name": call.native_name, "response": response}
    if call.native_id:
        function_response["id"] = call.native_id
    if b.media_in_responses:
        # inline media (or a remote URL, filled in as inlineData once fetched)
        inline = [part for part in extra if not part or "inlineData" in part]
        if inline:
            function_response["parts"] = inline
            extra = [part for part in extra if part not in inline]
    b.outputs.append((call, {"functionResponse": function_response}))
    b.output_extra.extend(extra)


def _response_value(text: str) -> dict[str, Any]:
    """A JSON object is the response itself; anything else is wrapped as `result`."""
    try:
        parsed = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    return {"result": parsed if parsed is not None else text}


def to_parts(content: Any, param: str, ctx: PartsContext) -> list[dict[str, Any]]:
    """Message content (a string or Responses content parts) -> native parts."""
    if isinstance(content, str):
        return [{"text": content}] if content else []
    expect(content, (str, list), param)
    parts = []
    for j, item in enumerate(content):
        part = _part(item, f"{param}[{j}]", ctx)
        if part is not None:
            parts.append(part)
    return parts


def _part(item: Any, param: str, ctx: PartsContext) -> dict[str, Any] | None:
    expect(item, (dict,), param)
    kind = item.get("type")
    if kind in ("input_text", "output_text", "text", "summary_text", "reasoning_text"):
        text = expect(item.get("text"), (str,), f"{param}.text")
        return {"text": text} if text else None
    if kind == "refusal":
        return to_native_part(item, param, ctx)
    if kind == "input_image":
        detail = item.get("detail")
        if detail is not None:
            expect(detail, (str,), f"{param}.detail")
            if detail in DETAIL_TO_RESOLUTION:
                ctx.details.add(detail)
        if item.get("image_url") is not None:
            url = expect(item["image_url"], (str,), f"{param}.image_url")
            return media_from_url(url, f"{param}.image_url", ctx)
        if item.get("file_id") is not None:
            file_id = expect(item["file_id"], (str,), f"{param}.file_id")
            return to_native_part({"type": "file", "file": {"file_id": file_id}}, param, ctx)
        raise invalid_request("input_image needs image_url or file_id.", param=param)
    if kind == "input_file":
        if item.get("file_url") is not None:
            url = expect(item["file_url"], (str,), f"{param}.file_url")
            return media_from_url(url, f"{param}.file_url", ctx)
        file = {k: item[k] for k in ("file_data", "file_id", "filename") if item.get(k) is not None}
        part = to_native_part({"type": "file", "file": file}, param, ctx)
        return part
    if kind == "input_audio":
        audio = expect(item.get("input_audio"), (dict,), f"{param}.input_audio")
        fmt = expect(audio.get("format"), (str,), f"{param}.input_audio.format")
        data = expect(audio.get("data"), (str,), f"{param}.input_audio.data")
        if data.startswith("data:"):
            _, data = parse_data_url(data, f"{param}.input_audio.data")
        mime = AUDIO_MIME.get(fmt.lower())
        if mime is None:
            raise invalid_request(
                f"Unsupported audio format {fmt!r}.", param=f"{param}.input_audio.format"
            )
        return {"inlineData": {"mimeType": mime, "data": data}}
    raise invalid_request(
        f"Unsupported content part type {kind!r}; expected input_text, input_image, "
        "input_file, input_audio, output_text or refusal.",
        param=f"{param}.type",
    )
