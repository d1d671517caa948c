"""OpenAI chat completion request -> native GenerateContentRequest.

`to_native_request` is the one entry point; each field family lives in its own module.
Everything here is pure: dicts in, dicts out, no I/O. Remote image URLs are returned as
`remote_media` for the caller to fetch and fill in before sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter.errors import invalid_request
from adapter.models import capabilities_for
from adapter.translate.request.audio_output import AudioOutput, audio_output
from adapter.translate.request.extensions import google_extension, merge_extension
from adapter.translate.request.fields import expect, optional
from adapter.translate.request.messages import to_native_contents
from adapter.translate.request.params import service_tier, to_generation_config
from adapter.translate.request.parts import DETAIL_TO_RESOLUTION, PartsContext, RemoteMedia
from adapter.translate.request.thinking import thinking_from, thinking_header
from adapter.translate.request.tools import to_function_declarations, to_tool_config


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

    ctx = PartsContext(remote=[], details=set())
    conv = to_native_contents(body.get("messages"), ctx, caps.signatures_required)
    native: dict[str, Any] = {"contents": conv.contents}
    if conv.system_parts:
        native["systemInstruction"] = {"parts": conv.system_parts}

    adjusted: list[str] = []
    generation = to_generation_config(body, caps, adjusted)
    if ctx.details:
        level = "high" if "high" in ctx.details else "low"
        generation["mediaResolution"] = DETAIL_TO_RESOLUTION[level]
    thinking = thinking_from(body, caps)
    adjusted.extend(thinking.adjusted)
    if thinking.config:
        generation["thinkingConfig"] = thinking.config
    audio = audio_output(body, model, native, generation)
    if generation:
        native["generationConfig"] = generation

    tools = body.get("tools")
    declarations = to_function_declarations(tools) if tools is not None else []
    if declarations:
        native["tools"] = [{"functionDeclarations": declarations}]
    tool_config = to_tool_config(body.get("tool_choice"), declarations)
    if tool_config is not None:
        if not declarations and tool_config["functionCallingConfig"]["mode"] != "NONE":
            raise invalid_request("tool_choice needs 'tools' to choose from.", param="tool_choice")
        native["toolConfig"] = tool_config
    web_search = optional(body, "web_search_options", (dict,))
    if web_search is not None:
        native.setdefault("tools", []).append({"googleSearch": {}})
    tier = service_tier(body)
    if tier is not None:
        native["serviceTier"] = tier

    google, google_param = google_extension(body)
    if google:
        merge_extension(native, google, google_param)
    _dedupe_native_tools(native)

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
        audio=audio,
    )


def _dedupe_native_tools(native: dict[str, Any]) -> None:
    """web_search_options and google.tools may both ask for googleSearch: send it once."""
    tools = native.get("tools")
    if not tools:
        return
    seen: set[str] = set()
    kept = []
    for tool in tools:
        if "functionDeclarations" not in tool and len(tool) == 1:
            (name,) = tool
            if name in seen:
                continue
            seen.add(name)
        kept.append(tool)
    native["tools"] = kept
