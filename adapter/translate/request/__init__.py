"""OpenAI chat completion request -> native GenerateContentRequest.

`to_native_request` is the one entry point; each field family lives in its own module.
Everything here is pure: dicts in, dicts out, no I/O. Remote image URLs are returned as
`remote_media` for the caller to fetch and fill in before sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter.capabilities import capabilities_for
from adapter.errors import invalid_request
from adapter.translate.names import reverse
from adapter.translate.request.audio_output import AudioOutput, audio_output
from adapter.translate.request.compat import adjust_for_model
from adapter.translate.request.extensions import google_extension, merge_extension, split_thinking
from adapter.translate.request.fields import expect, optional
from adapter.translate.request.messages import to_native_contents
from adapter.translate.request.params import service_tier, to_generation_config
from adapter.translate.request.parts import DETAIL_TO_RESOLUTION, PartsContext, RemoteMedia
from adapter.translate.request.thinking import final_thinking, thinking_header
from adapter.translate.request.tools import function_tools


@dataclass
class NativeRequest:
    model: str  # the native model id, alias resolved
    requested_model: str  # what the client asked for; replies name it
    stream: bool
    body: dict[str, Any]  # the GenerateContentRequest
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


def to_native_request(body: Any, aliases: Mapping[str, str] | None = None) -> NativeRequest:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    requested = body.get("model")
    if requested is None or requested == "":
        raise invalid_request("You must provide a model parameter.", param="model")
    expect(requested, (str,), "model")
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
    tier = service_tier(body)
    if tier is not None:
        native["serviceTier"] = tier

    google, google_param = google_extension(body)
    explicit, explicit_param = None, ""
    if google:
        google, explicit, explicit_param = split_thinking(google, google_param)
        before = len(native.get("tools") or ())
        merge_extension(native, google, google_param)
        tool_params.extend(
            f"{google_param}.tools[{i}]"
            for i in range(len(native.get("tools") or ()) - before)
        )
    _map_extension_names(native, functions.names)
    thinking = final_thinking(
        caps,
        effort=body.get("reasoning_effort"),
        anthropic=body.get("thinking"),
        explicit=explicit,
        explicit_param=explicit_param or "google.thinking_config",
    )
    adjusted.extend(thinking.adjusted)
    if thinking.config:
        native.setdefault("generationConfig", {})["thinkingConfig"] = thinking.config
    tool_params = _dedupe_native_tools(native, tool_params)
    json_param = "response_format"
    if body.get("response_format") is None:
        json_param = f"{google_param}.generation_config.response_mime_type"
    adjust_for_model(
        native,
        caps,
        adjusted,
        json_param=json_param,
        tool_params=tool_params,
        content_sources=conv.sources,
    )

    config = native.get("generationConfig", {})
    return NativeRequest(
        model=model,
        requested_model=requested,
        stream=stream,
        body=native,
        include_usage=include_usage,
        adjusted=adjusted,
        thinking=thinking_header(config.get("thinkingConfig") or {}),
        remote_media=ctx.remote,
        content_sources=conv.sources,
        tool_names=reverse(functions.names),
        audio=audio,
    )


def _map_extension_names(native: dict[str, Any], names: Mapping[str, str]) -> None:
    """`google.tool_config...allowed_function_names` may use the caller's names; those with
    a native stand-in are sent as the stand-in, like tool_choice."""
    calling = (native.get("toolConfig") or {}).get("functionCallingConfig")
    if not names or not isinstance(calling, dict):
        return
    allowed = calling.get("allowedFunctionNames")
    if isinstance(allowed, list):
        calling["allowedFunctionNames"] = [
            names.get(name, name) if isinstance(name, str) else name for name in allowed
        ]


def _dedupe_native_tools(native: dict[str, Any], params: list[str | None]) -> list[str | None]:
    """web_search_options and google.tools may both ask for googleSearch: send it once.
    Returns the params of the tools kept."""
    tools = native.get("tools")
    if not tools:
        return []
    params = params + [None] * (len(tools) - len(params))
    seen: set[str] = set()
    kept = []
    kept_params = []
    for tool, param in zip(tools, params, strict=True):
        if "functionDeclarations" not in tool and len(tool) == 1:
            (name,) = tool
            if name in seen:
                continue
            seen.add(name)
        kept.append(tool)
        kept_params.append(param)
    native["tools"] = kept
    return kept_params
