"""The last steps every surface takes to finish a native request, in one order: service
tier, the `google` extension, the one thinking decision, duplicate built-in tools, and the
feature pairs the model family refuses. Chat (`translate.request`) and the Responses API
(`translate.responses.request`) both end here, so the two cannot drift apart.

Pure: mutates the native body it is given and returns the `x-gemini-thinking` header value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapter.capabilities import ModelCaps
from adapter.translate.request.compat import adjust_for_model
from adapter.translate.request.extensions import google_extension, merge_extension, split_thinking
from adapter.translate.request.params import service_tier
from adapter.translate.request.thinking import final_thinking, thinking_header


@dataclass(frozen=True)
class ThinkingAsked:
    """What the caller said about thinking, in its own surface's field names."""

    effort: Any = None  # `reasoning_effort` / `reasoning.effort`
    effort_param: str = "reasoning_effort"
    anthropic: Any = None  # Anthropic-style `thinking` (chat only)
    include_thoughts: bool = False  # e.g. Responses `reasoning.summary`


def finish_native(
    native: dict[str, Any],
    body: dict[str, Any],
    caps: ModelCaps,
    adjusted: list[str],
    tool_params: list[str | None],
    *,
    thinking: ThinkingAsked,
    json_param: str | None,
    content_sources: list[int],
    names: Mapping[str, str] | None = None,
) -> str | None:
    """Complete `native` (a GenerateContentRequest being built) from `body`'s shared fields.

    `tool_params[i]` names the request field native tool i came from (None for function
    declarations); `json_param` names the field that asked for JSON output, None meaning
    the `google` extension. `names` maps caller function names to native stand-ins (docs/
    translation.md, "Function names"). Appends to `adjusted` (x-adapter-adjusted) and returns
    the x-gemini-thinking value. Raises AdapterError 400 for a bad tier, extension or
    thinking value.
    """
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
            f"{google_param}.tools[{i}]" for i in range(len(native.get("tools") or ()) - before)
        )
    if names:
        _map_extension_names(native, names)
    decided = final_thinking(
        caps,
        effort=thinking.effort,
        effort_param=thinking.effort_param,
        anthropic=thinking.anthropic,
        explicit=explicit,
        explicit_param=explicit_param or "google.thinking_config",
    )
    adjusted.extend(decided.adjusted)
    if thinking.include_thoughts and caps.thinking != "none":
        decided.config.setdefault("includeThoughts", True)
    if decided.config:
        native.setdefault("generationConfig", {})["thinkingConfig"] = decided.config
    kept_params = dedupe_native_tools(native, tool_params)
    adjust_for_model(
        native,
        caps,
        adjusted,
        json_param=json_param or f"{google_param}.generation_config.response_mime_type",
        tool_params=kept_params,
        content_sources=content_sources,
    )
    return thinking_header(native.get("generationConfig", {}).get("thinkingConfig") or {})


def _map_extension_names(native: dict[str, Any], names: Mapping[str, str]) -> None:
    """`google.tool_config...allowed_function_names` may use the caller's names; those with
    a native stand-in are sent as the stand-in, like tool_choice."""
    calling = (native.get("toolConfig") or {}).get("functionCallingConfig")
    if not isinstance(calling, dict):
        return
    allowed = calling.get("allowedFunctionNames")
    if isinstance(allowed, list):
        calling["allowedFunctionNames"] = [
            names.get(name, name) if isinstance(name, str) else name for name in allowed
        ]


def dedupe_native_tools(native: dict[str, Any], params: list[str | None]) -> list[str | None]:
    """web_search_options and google.tools may both ask for googleSearch: send it once.
    Returns the params of the tools kept."""
    tools = native.get("tools")
    if not tools:
        return []
    params = params + [None] * (len(tools) - len(params))
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    kept_params: list[str | None] = []
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
