"""OpenAI `messages` -> native `contents` and `systemInstruction` (behaviour R1, R2, R4, R10,
R11, docs/behaviour.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.errors import invalid_request
from adapter.translate.names import to_native
from adapter.translate.request.fields import expect
from adapter.translate.request.parts import PartsContext, to_native_parts
from adapter.translate.signatures import SKIP_SIGNATURE, decode_tool_call_id

ROLES = ("system", "developer", "user", "assistant", "tool", "function")


@dataclass
class Conversation:
    contents: list[dict[str, Any]] = field(default_factory=list)
    system_parts: list[dict[str, Any]] = field(default_factory=list)
    # For each content, the index of the message it came from: native field violations
    # (`contents[3]`) are reported back on the OpenAI path (`messages[5]`).
    sources: list[int] = field(default_factory=list)


@dataclass
class _PendingCall:
    name: str  # the native name
    native_id: str | None
    message_index: int
    call_index: int
    call_id: str | None = None  # the client's tool_call id, when it gave one
    answered: bool = False
    caller_name: str = ""  # the name as the client wrote it (for error messages)


def to_native_contents(
    messages: Any,
    ctx: PartsContext,
    signatures_required: bool = False,
    names: Mapping[str, str] | None = None,
) -> Conversation:
    """Translate and check the whole history; raise a 400 naming the first bad field.

    `names` maps OpenAI function names to their native stand-ins (adapter.translate.names).
    Tool results pair with calls by `tool_call_id`; where ids repeat or are missing they
    pair by position (the first call not yet answered), as Gemini itself pairs them.
    """
    expect(messages, (list,), "messages")
    if not messages:
        raise invalid_request("'messages' must contain at least one message.", param="messages")
    names = names or {}
    conv = Conversation()
    calls: dict[str, list[_PendingCall]] = {}  # tool_call_id -> the calls that carry it
    open_calls: list[_PendingCall] = []  # calls of the latest assistant turn
    tool_block: list[tuple[int, dict[str, Any], _PendingCall]] = []

    def flush_tools() -> None:
        if not tool_block:
            return
        # One user content for consecutive tool messages, in the order of the calls.
        tool_block.sort(key=lambda item: (item[2].message_index, item[2].call_index))
        conv.contents.append({"role": "user", "parts": [part for _, part, _ in tool_block]})
        conv.sources.append(tool_block[0][0])
        tool_block.clear()

    for i, message in enumerate(messages):
        param = f"messages[{i}]"
        expect(message, (dict,), param)
        role = message.get("role")
        if role not in ROLES:
            raise invalid_request(
                f"Invalid role {role!r}; expected one of {', '.join(ROLES)}.",
                param=f"{param}.role",
            )
        if role not in ("tool", "function"):
            flush_tools()
        content = message.get("content")
        if role in ("system", "developer"):
            parts = to_native_parts(content, f"{param}.content", ctx)
            texts = [p for p in parts if "text" in p]
            if len(texts) != len(parts):
                raise invalid_request(
                    "System messages may hold text only.", param=f"{param}.content"
                )
            conv.system_parts.extend(texts)
        elif role == "user":
            _check_answered(open_calls)
            parts = to_native_parts(content, f"{param}.content", ctx)
            if not parts:
                raise invalid_request("A user message must not be empty.", param=f"{param}.content")
            conv.contents.append({"role": "user", "parts": parts})
            conv.sources.append(i)
        elif role == "assistant":
            _check_answered(open_calls)
            parts, new_calls = _assistant_parts(message, i, ctx, signatures_required, names)
            open_calls = new_calls
            for pending in new_calls:
                if pending.call_id:
                    calls.setdefault(pending.call_id, []).append(pending)
            if not parts:
                raise invalid_request(
                    "An assistant message needs content or tool_calls.", param=f"{param}.content"
                )
            conv.contents.append({"role": "model", "parts": parts})
            conv.sources.append(i)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if call_id is not None:
                expect(call_id, (str,), f"{param}.tool_call_id")
            call = _pair(call_id, calls, open_calls)
            if call is None:
                raise invalid_request(
                    f"No earlier assistant tool call has the id {call_id!r}."
                    if call_id
                    else "This tool message has no tool_call_id and no tool call is left "
                    "unanswered to pair it with.",
                    param=f"{param}.tool_call_id",
                )
            call.answered = True
            tool_block.append((i, _function_response(call, content, f"{param}.content"), call))
        else:  # legacy `function` role: answers the latest call of that name
            name = expect(message.get("name"), (str,), f"{param}.name")
            native = to_native(name, names)
            call = next(
                (c for c in open_calls if c.name == native and not c.answered),
                next((c for c in reversed(open_calls) if c.name == native), None),
            )
            if call is None:
                raise invalid_request(
                    f"No earlier assistant function_call named {name!r}.", param=f"{param}.name"
                )
            call.answered = True
            tool_block.append((i, _function_response(call, content, f"{param}.content"), call))
    flush_tools()
    if not conv.contents:
        raise invalid_request(
            "'messages' must contain at least one user or assistant message.", param="messages"
        )
    return conv


def _pair(
    call_id: str | None, calls: dict[str, list[_PendingCall]], open_calls: list[_PendingCall]
) -> _PendingCall | None:
    """The call a tool result answers: by id, the first unanswered call with that id (ids may
    repeat); without an id, the first unanswered call of the latest turn (by position)."""
    if call_id:
        same = calls.get(call_id)
        if not same:
            return None
        return next((c for c in same if not c.answered), same[-1])
    return next((c for c in open_calls if not c.answered), None)


def _check_answered(open_calls: list[_PendingCall]) -> None:
    for call in open_calls:
        if not call.answered:
            raise invalid_request(
                f"The tool call {call.caller_name or call.name!r} has no tool message answering "
                "it before the next turn.",
                param=f"messages[{call.message_index}].tool_calls[{call.call_index}]",
            )


def _assistant_parts(
    message: dict[str, Any],
    index: int,
    ctx: PartsContext,
    signatures_required: bool,
    names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[_PendingCall]]:
    param = f"messages[{index}]"
    content = message.get("content")
    parts = to_native_parts(content, f"{param}.content", ctx) if content is not None else []
    text_signature = _extra_signature(message, param)
    if text_signature and parts:
        parts[0]["thoughtSignature"] = text_signature
    calls: list[_PendingCall] = []
    tool_calls = message.get("tool_calls")
    if tool_calls is not None:
        expect(tool_calls, (list,), f"{param}.tool_calls")
        for j, call in enumerate(tool_calls):
            cparam = f"{param}.tool_calls[{j}]"
            expect(call, (dict,), cparam)
            call_id = call.get("id")
            if call_id is not None:  # a missing id pairs by position
                expect(call_id, (str,), f"{cparam}.id")
            if call.get("type", "function") != "function":
                raise invalid_request("Only function tool calls are supported.", f"{cparam}.type")
            function = expect(call.get("function"), (dict,), f"{cparam}.function")
            native_id, signature = decode_tool_call_id(call_id) if call_id else (None, None)
            signature = _extra_signature(call, cparam) or signature
            part = _function_call_part(function, native_id, f"{cparam}.function", names)
            if signature:
                part["thoughtSignature"] = signature
            parts.append(part)
            calls.append(
                _PendingCall(
                    part["functionCall"]["name"],
                    native_id,
                    index,
                    j,
                    call_id or None,
                    caller_name=str(function.get("name")),
                )
            )
    legacy = message.get("function_call")
    if legacy is not None:
        part = _function_call_part(
            expect(legacy, (dict,), f"{param}.function_call"),
            None,
            f"{param}.function_call",
            names,
        )
        parts.append(part)
        calls.append(_PendingCall(part["functionCall"]["name"], None, index, len(calls)))
    if signatures_required and calls:
        # Gemini 3 validates the signature of the first call of a turn; when the client
        # lost it (or the history came from another model) send the documented skip value.
        first = next(p for p in parts if "functionCall" in p)
        first.setdefault("thoughtSignature", SKIP_SIGNATURE)
    return parts, calls


def _extra_signature(obj: dict[str, Any], param: str) -> str | None:
    extra = obj.get("extra_content")
    if not isinstance(extra, dict):
        return None
    google = extra.get("google")
    if not isinstance(google, dict):
        return None
    signature = google.get("thought_signature")
    if signature is None:
        return None
    checked: str = expect(signature, (str,), f"{param}.extra_content.google.thought_signature")
    return checked


def _function_call_part(
    function: dict[str, Any], native_id: str | None, param: str, names: Mapping[str, str]
) -> dict[str, Any]:
    name = expect(function.get("name"), (str,), f"{param}.name")
    if not name:
        raise invalid_request("A tool call needs a function name.", param=f"{param}.name")
    name = to_native(name, names)
    raw_args = function.get("arguments")
    args: Any = {}
    if raw_args is not None and raw_args != "":
        expect(raw_args, (str, dict), f"{param}.arguments")
        if isinstance(raw_args, str):
            try:
                args = orjson.loads(raw_args)
            except orjson.JSONDecodeError:
                raise invalid_request(
                    "Tool call arguments must be a JSON object string.", f"{param}.arguments"
                ) from None
        else:
            args = raw_args
        if not isinstance(args, dict):
            raise invalid_request(
                "Tool call arguments must be a JSON object.", param=f"{param}.arguments"
            )
    call: dict[str, Any] = {"name": name, "args": args}
    if native_id:
        call["id"] = native_id
    return {"functionCall": call}


def _function_response(call: _PendingCall, content: Any, param: str) -> dict[str, Any]:
    """A JSON-object result is the response itself; anything else is wrapped as `result`."""
    if isinstance(content, list):
        texts = []
        for j, item in enumerate(content):
            expect(item, (dict,), f"{param}[{j}]")
            if item.get("type") != "text":
                raise invalid_request("Tool results may hold text parts only.", f"{param}[{j}]")
            texts.append(expect(item.get("text"), (str,), f"{param}[{j}].text"))
        content = "".join(texts)
    elif content is not None:
        expect(content, (str,), param)
    response: dict[str, Any]
    try:
        parsed = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict):
        response = parsed
    elif parsed is not None:
        response = {"result": parsed}
    else:
        response = {"result": content or ""}
    function_response: dict[str, Any] = {"name": call.name, "response": response}
    if call.native_id:
        function_response["id"] = call.native_id
    return {"functionResponse": function_response}
