"""A Responses API request (`POST /v1/responses`) -> a native GenerateContentRequest.

`to_native_responses` is the one entry point. Sampling, JSON schema, thinking, service tier
and the `google` extension reuse the chat core (adapter.translate.request) through a
chat-shaped view of the body; errors name the Responses field (`max_output_tokens`,
`text.format.schema`, `reasoning.effort`). Items and tools have their own modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from adapter.capabilities import capabilities_for
from adapter.errors import AdapterError, invalid_request
from adapter.translate.request import NativeRequest, native_model_name, requested_model
from adapter.translate.request.assemble import ThinkingAsked, finish_native
from adapter.translate.request.fields import expect, optional
from adapter.translate.request.params import to_generation_config
from adapter.translate.request.parts import DETAIL_TO_RESOLUTION, PartsContext
from adapter.translate.responses.items import to_native_contents
from adapter.translate.responses.tools import Tools, add_tools, tool_config
from adapter.wire.gemini import GenerateContentRequest

ENCRYPTED_REASONING = "reasoning.encrypted_content"
# Needs the response store (section "Store" in docs/responses.md), wired separately.
STORE_FIELDS = ("previous_response_id", "conversation", "background")
# Accepted without effect; still type-checked.
IGNORED: dict[str, tuple[type, ...]] = {
    "truncation": (str,),
    "user": (str,),
    "safety_identifier": (str,),
    "prompt_cache_key": (str,),
    "prompt_cache_retention": (str,),
    "metadata": (dict,),
    "parallel_tool_calls": (bool,),
    "max_tool_calls": (int,),
    "stream_options": (dict,),
    "store": (bool,),
    "include": (list,),
    "service_tier": (str,),
}
# Chat-core parameter names -> the Responses field they came from (errors, adjustments).
_PARAM_NAMES = {
    "max_completion_tokens": "max_output_tokens",
    "response_format.json_schema.schema": "text.format.schema",
    "response_format.json_schema": "text.format",
    "response_format.type": "text.format.type",
    "response_format": "text.format",
    "reasoning_effort": "reasoning.effort",
}


@dataclass
class ResponsesRequest:
    native: NativeRequest
    tools: Tools
    include_encrypted: bool  # `include` lists reasoning.encrypted_content
    include_logprobs: bool
    echo: dict[str, Any] = field(default_factory=dict)  # request settings the reply repeats


def responses_param(param: str | None) -> str | None:
    """A chat-core parameter path -> the Responses path (`messages[3]` -> `input[3]`)."""
    if param is None:
        return None
    for chat, responses in _PARAM_NAMES.items():
        if param == chat or param.startswith(chat + "."):
            return responses + param[len(chat) :]
    if param.startswith("messages["):
        return "input[" + param[len("messages[") :]
    return param


def _renamed(adjustment: str) -> str:
    """`reasoning_effort=level:low` -> `reasoning.effort=level:low`."""
    name, sep, rest = adjustment.partition("=")
    return f"{responses_param(name)}{sep}{rest}"


def input_items(body: dict[str, Any]) -> list[Any]:
    """`input` as a list of items (a string is one user message)."""
    raw = body.get("input")
    if raw is None:
        raise invalid_request("You must provide 'input'.", param="input")
    if isinstance(raw, str):
        return [{"type": "message", "role": "user", "content": raw}]
    return list(expect(raw, (list,), "input"))


def to_native_responses(
    body: Any, aliases: Mapping[str, str] | None = None, items: list[Any] | None = None
) -> ResponsesRequest:
    """Validate and translate; `items` is the full input item list when the caller
    assembled it (a store prepending history), else `input` of the body."""
    try:
        return _translate(body, aliases or {}, items)
    except AdapterError as error:
        chat_param = error.param
        error.param = responses_param(chat_param)
        if chat_param and error.param != chat_param:  # the message names the field too
            error.message = error.message.replace(f"'{chat_param}", f"'{error.param}")
        error.message = error.message.replace("'response_format", "'text.format")
        raise


def _translate(body: Any, aliases: Mapping[str, str], items: list[Any] | None) -> ResponsesRequest:
    requested = requested_model(body)
    for name in STORE_FIELDS:
        if body.get(name) not in (None, False):
            raise invalid_request(
                f"'{name}' needs the response store, which is not available on this adapter.",
                param=name,
                code="store_unavailable",
            )
    for name, value in body.items():  # usually far fewer fields than IGNORED has
        types = IGNORED.get(name)
        if types is not None and value is not None:
            expect(value, types, name)
    include = body.get("include") or []
    for i, entry in enumerate(include):
        expect(entry, (str,), f"include[{i}]")
    model = native_model_name(requested, aliases)
    caps = capabilities_for(model)
    stream = bool(optional(body, "stream", (bool,)))
    if items is None:
        items = input_items(body)

    tools = Tools()
    seen: set[str] = set()
    image_capable = "image" in model
    if body.get("tools") is not None:
        add_tools(body["tools"], "tools", tools, seen, image_capable)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("type") in (
            "additional_tools",
            "tool_search_output",
        ):
            if item.get("tools") is not None:
                add_tools(item["tools"], f"input[{i}].tools", tools, seen, image_capable)

    ctx = PartsContext(remote=[], details=set())
    conv = to_native_contents(
        body.get("instructions"),
        items,
        tools.map,
        ctx,
        caps.signatures_required,
        media_in_responses=caps.signatures_required,  # the Gemini 3 family
    )
    native: dict[str, Any] = {"contents": conv.contents}
    if conv.system_parts:
        native["systemInstruction"] = {"parts": conv.system_parts}

    adjusted: list[str] = list(tools.adjusted)
    generation_adjusted: list[str] = []
    generation = to_generation_config(_chat_view(body), caps, generation_adjusted)
    adjusted.extend(_renamed(item) for item in generation_adjusted)
    if ctx.details:
        level = "high" if "high" in ctx.details else "low"
        generation["mediaResolution"] = DETAIL_TO_RESOLUTION[level]
    if tools.image_output:
        generation["responseModalities"] = ["TEXT", "IMAGE"]
    if generation:
        native["generationConfig"] = generation

    tool_params = _add_tools(native, tools, body.get("tool_choice"))
    reasoning = optional(body, "reasoning", (dict,)) or {}
    summary = optional(reasoning, "summary", (str,), prefix="reasoning.")
    summary = summary or optional(reasoning, "generate_summary", (str,), prefix="reasoning.")
    text_format = (optional(body, "text", (dict,)) or {}).get("format")
    thinking = finish_native(
        native,
        body,
        caps,
        adjusted,
        tool_params,
        thinking=ThinkingAsked(
            effort=reasoning.get("effort"),
            effort_param="reasoning.effort",
            include_thoughts=summary in ("auto", "concise", "detailed"),
        ),
        json_param="text.format" if text_format is not None else None,
        content_sources=conv.sources,
    )
    request = NativeRequest(
        model=model,
        requested_model=requested,
        stream=stream,
        body=cast(GenerateContentRequest, native),
        adjusted=adjusted,
        thinking=thinking,
        remote_media=ctx.remote,
        content_sources=conv.sources,
    )
    return ResponsesRequest(
        native=request,
        tools=tools,
        include_encrypted=ENCRYPTED_REASONING in include,
        include_logprobs="message.output_text.logprobs" in include
        or bool(body.get("top_logprobs")),
        echo=_echo(body, reasoning),
    )


def _chat_view(body: dict[str, Any]) -> dict[str, Any]:
    """The fields the chat core's generation-config table understands, in chat names."""
    view: dict[str, Any] = {}
    for name in ("temperature", "top_p"):
        if body.get(name) is not None:
            view[name] = body[name]
    if body.get("max_output_tokens") is not None:
        view["max_completion_tokens"] = body["max_output_tokens"]
    top = body.get("top_logprobs")
    if top is not None:
        view["logprobs"] = True
        view["top_logprobs"] = top
    text = optional(body, "text", (dict,)) or {}
    optional(text, "verbosity", (str,), prefix="text.")
    fmt = optional(text, "format", (dict,), prefix="text.")
    if fmt is not None:
        kind = fmt.get("type")
        if kind == "json_schema":
            schema = expect(fmt.get("schema"), (dict,), "text.format.schema")
            view["response_format"] = {"type": "json_schema", "json_schema": {"schema": schema}}
        else:
            view["response_format"] = {"type": kind}
    return view


def _add_tools(native: dict[str, Any], tools: Tools, choice: Any) -> list[str | None]:
    """Declarations, then the built-in tools, and toolConfig; returns, per native tool, the
    Responses field it came from (None for the declarations), for x-adapter-adjusted."""
    native_tools: list[dict[str, Any]] = []
    params: list[str | None] = []
    if tools.declarations:
        native_tools.append({"functionDeclarations": tools.declarations})
        params.append(None)
    for tool in tools.native:
        (name,) = tool
        native_tools.append(tool)
        params.append(_OPENAI_NAME.get(name, name))
    if native_tools:
        native["tools"] = native_tools
    config = tool_config(choice, tools)
    if config is not None:
        mode = config["functionCallingConfig"]["mode"]
        if not tools.declarations and mode != "NONE":
            config = None  # only hosted tools (or none): nothing for the mode to choose from
    if config is not None:
        native["toolConfig"] = config
    return params


_OPENAI_NAME = {"googleSearch": "web_search", "codeExecution": "code_interpreter"}


def _echo(body: dict[str, Any], reasoning: dict[str, Any]) -> dict[str, Any]:
    """The request settings a Response object repeats."""
    given = body.get("text")
    text: dict[str, Any] = given if isinstance(given, dict) else {}
    echo = {
        "instructions": body.get("instructions"),
        "tools": body.get("tools") or [],
        "tool_choice": body.get("tool_choice") or "auto",
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "top_logprobs": body.get("top_logprobs"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "reasoning": {
            "effort": reasoning.get("effort"),
            "summary": reasoning.get("summary"),
        },
        "text": {
            "format": text.get("format") or {"type": "text"},
            "verbosity": text.get("verbosity", "medium"),
        },
        "truncation": body.get("truncation") or "disabled",
        "metadata": body.get("metadata") or {},
        "previous_response_id": body.get("previous_response_id"),
        "store": False,  # nothing is stored yet (docs/responses.md)
        "user": body.get("user"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": body.get("service_tier") or "default",
        "background": bool(body.get("background")),
    }
    # Null means "not given": left out, except the fields every Response object carries.
    kept = ("instructions", "temperature", "top_p")
    return {k: v for k, v in echo.items() if v is not None or k in kept}
