"""Built-in tools next to function declarations, as the service treats them.

Gemini 2.x refuses the mix ("Tool use with function calling is unsupported"); Gemini 3
accepts it only with `toolConfig.includeServerSideToolInvocations: true`. The 2.x wording
is the one quoted in public error reports; the Gemini 3 sentence is a best guess.
"""

from __future__ import annotations

from typing import Any

from gemini_emulator import models
from gemini_emulator.errors import invalid

BUILT_IN = frozenset({"googleSearch", "codeExecution", "urlContext", "googleMaps"})


def check_tool_mix(request: dict[str, Any], model: str) -> None:
    tools: list[dict[str, Any]] = request.get("tools") or []
    declares = any(t.get("functionDeclarations") for t in tools)
    built_in = any(BUILT_IN.intersection(t) for t in tools)
    if not (declares and built_in):
        return
    if models.is_gemini3(model):
        config = request.get("toolConfig") or {}
        if not config.get("includeServerSideToolInvocations"):
            raise invalid(
                "Built-in tools together with function declarations require"
                " tool_config.include_server_side_tool_invocations to be set."
            )
        return
    raise invalid("Tool use with function calling is unsupported")
