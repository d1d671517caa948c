"""Feature combinations a model family refuses, adjusted on the finished native request
(docs/translation.md, "Combinations a model refuses").

Shared by every surface (chat completions, Responses): call `adjust_for_model` on the
native GenerateContentRequest once it is complete, extension merged. The caller's function
declarations always stay; what goes is the other half of the pair, and each change is
reported under the name of the field the caller used.

- Function declarations + JSON mode (`responseMimeType: application/json`, a response
  schema): Gemini 2.x refuses ("Function calling with a response mime type:
  'application/json' is unsupported", recorded in tests/fixtures/gemini); JSON mode is
  dropped. Gemini 3 accepts the pair.
- Forced function calling (`functionCallingConfig.mode: ANY`) + JSON mode: every family
  refuses ("Forced function calling (ANY mode) with a response mime type:
  'application/json' is unsupported", recorded in
  tests/fixtures/gemini/error_400_any_mode_with_json_mime.json); JSON mode is dropped while
  a call is forced (instructor's tools modes and Agents SDK agents with `tool_choice` and
  an output type send this pair).
- Built-in tools (googleSearch, codeExecution, urlContext, googleMaps...) next to function
  declarations: Gemini 2.x refuses ("Tool use with function calling is unsupported"), so
  the built-ins are dropped; Gemini 3 accepts them with
  `toolConfig.includeServerSideToolInvocations: true`, which is set unless the caller set
  it.
- Gemma refuses `systemInstruction`: its parts are put in front of the first user turn.
"""

from __future__ import annotations

from typing import Any

from adapter.capabilities import ModelCaps

_JSON_FIELDS = ("responseMimeType", "responseJsonSchema", "responseSchema", "_responseJsonSchema")


def has_functions(native: dict[str, Any]) -> bool:
    return any(tool.get("functionDeclarations") for tool in native.get("tools") or ())


def adjust_for_model(
    native: dict[str, Any],
    caps: ModelCaps,
    adjusted: list[str],
    *,
    json_param: str = "response_format",
    tool_params: list[str | None] | None = None,
    content_sources: list[int] | None = None,
) -> None:
    """Adjust `native` in place; append `param=what` items to `adjusted`.

    `json_param` names the caller's field that asked for JSON mode; `tool_params[i]` the
    field that produced `native["tools"][i]` (None for function declarations).
    """
    if not caps.system_instruction and "systemInstruction" in native:
        if fold_system_instruction(native) and content_sources is not None:
            content_sources.insert(0, 0)
        adjusted.append("system=folded_into_user")
    if not has_functions(native):
        return
    generation = native.get("generationConfig") or {}
    calling = (native.get("toolConfig") or {}).get("functionCallingConfig") or {}
    forced = calling.get("mode") == "ANY"
    refused = forced or not caps.json_with_functions
    if refused and generation.get("responseMimeType") == "application/json":
        for key in _JSON_FIELDS:
            generation.pop(key, None)
        if not generation:
            native.pop("generationConfig", None)
        adjusted.append(f"{json_param}=dropped")
    tools = native["tools"]
    params = tool_params if tool_params is not None else [None] * len(tools)
    builtins = [i for i, tool in enumerate(tools) if "functionDeclarations" not in tool]
    if not builtins:
        return
    if caps.builtins_with_functions == "invocations":
        config = native.setdefault("toolConfig", {})
        config.setdefault("includeServerSideToolInvocations", True)
        return
    for i in builtins:
        name = next(iter(tools[i]), "tool")
        param = params[i] if i < len(params) and params[i] else f"tools.{name}"
        adjusted.append(f"{param}=dropped")
    native["tools"] = [tool for i, tool in enumerate(tools) if i not in set(builtins)]


def fold_system_instruction(native: dict[str, Any]) -> bool:
    """systemInstruction's parts go in front of the first user turn (or a new one, then
    True is returned: contents shifted by one)."""
    parts = native.pop("systemInstruction", {}).get("parts") or []
    if not parts:
        return False
    contents = native.setdefault("contents", [])
    first = contents[0] if contents else None
    if first is not None and first.get("role") == "user":
        first["parts"] = [*parts, *first["parts"]]
        return False
    contents.insert(0, {"role": "user", "parts": list(parts)})
    return True
