"""OpenAI chat completion request -> native GenerateContentRequest.

`to_native_request` is the one entry point; each field family lives in its own module.
Everything here is pure: dicts in, dicts out, no I/O. Remote image URLs are returned as
`remote_media` for the caller to fetch and fill in before sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from adapter.capabilities import capabilities_for
from adapter.errors import invalid_request
from adapter.translate.names import reverse
from adapter.translate.request.assemble import ThinkingAsked, finish_native
from adapter.translate.request.audio_output import AudioOutput, audio_output
from adapter.translate.request.fields import expect, optional
from adapter.translate.request.messages import to_native_contents
from adapter.translate.request.params import to_generation_config
from adapter.translate.request.parts import DETAIL_TO_RESOLUTION, PartsContext, RemoteMedia
from adapter.translate.request.tools import function_tools
from adapter.wire.gemini import GenerateContentRequest


@dataclass
class NativeRequest:
    model: str  # the native model id, alias resolved
    requested_model: str  # what the client asked for; replies name it
    stream: bool
    body: GenerateContentRequest
    include_usage: bool = False
    adjusted: list[str] = field(default_factory=list)  # x-adapter-adjusted
    thinking: str | None = None  # x-gemini-thinking
    remote_media: list[RemoteMedia] = field(default_factory=list)
    content_sources: list[int] = field(default_factory=list)  # contents[i] -> messages[j]
    # native function name -> the caller's name, for names Gemini refuses (translate.names);
    # pass to completion_from / StreamTranslator so replies use the caller's names.
    tool_names: dict[str, str] = field(default_factory=dict)
    audio: AudioOutput | None = None  # chat audio output (docs/images-audio.md)


def native_model_name(model: str, aliases: Mapping[str, str]) -> str:
    model = aliases.get(model, model)
    for prefix in ("models/", "google/"):
        if model.startswith(prefix):
            model = model[len(prefix) :]
    return aliases.get(model, model)


def native_model_of(body: Any, aliases: Mapping[str, str]) -> str:
    """The native model a request body (JSON object or form fields) names, aliases resolved.
    Raises 400 when the body is not an object or `model` is missing or not a string."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid_request("You must provide a model parameter.", param="model")
    return native_model_name(model, aliases)


def requested_model(body: Any) -> str:
    """The `model` a chat or Responses body names, as sent. Raises 400 when the body is not
    an object, `model` is missing or empty, or not a string."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    requested = body.get("model")
    if requested is None or requested == "":
        raise invalid_request("You must provide a model parameter.", param="model")
    checked: str = expect(requested, (str,), "model")
    return checked


def to_native_request(body: Any, aliases: Mapping[str, str] | None = None) -> NativeRequest:
    requested = requested_model(body)
    model = native_model_name(requested, aliases or {})
    caps = capabilities_for(model)
    stream = bool(optional(body, "stream", (bool,)))
    stream_options = optional(body, "stream_options", (dict,)) or {}
    include_usage = bool(
        optional(stream_options, "include_usage", (bool,), prefix="stream_options.")
    )

    functions = function_tools(body)
    ctx = PartsContext(remote=[], details=set())
    conv = to_native_contents(body.get("messages"), ctx, caps.signatures_required, functions.names)
    native: dict[str, Any] = {"contents": conv.contents}
    if conv.system_parts:
        native["systemInstruction"] = {"parts": conv.system_parts}

    adjusted: list[str] = []
    generation = to_generation_config(body, caps, adjusted)
    if ctx.details:
        level = "high" if "high" in ctx.details else "low"
        generation["mediaResolution"] = DETAIL_TO_RESOLUTION[level]
    audio = audio_output(body, model, native, generation)
    if generation:
        native["generationConfig"] = generation

    tool_params: list[str | None] = []
    if functions.declarations:
        native["tools"] = [{"functionDeclarations": functions.declarations}]
        tool_params.append(None)
    if functions.tool_config is not None:
        native["toolConfig"] = functions.tool_config
    web_search = optional(body, "web_search_options", (dict,))
    if web_search is not None:
        native.setdefault("tools", []).append({"googleSearch": {}})
        tool_params.append("web_search_options")
    thinking = finish_native(
        native,
        body,
        caps,
        adjusted,
        tool_params,
        thinking=ThinkingAsked(effort=body.get("reasoning_effort"), anthropic=body.get("thinking")),
        json_param="response_format" if body.get("response_format") is not None else None,
        content_sources=conv.sources,
        names=functions.names,
    )
    return NativeRequest(
        model=model,
        requested_model=requested,
        stream=stream,
        body=cast(GenerateContentRequest, native),
        include_usage=include_usage,
        adjusted=adjusted,
        thinking=thinking,
        remote_media=ctx.remote,
        content_sources=conv.sources,
        tool_names=reverse(functions.names),
        audio=audio,
    )
