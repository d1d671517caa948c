"""OpenAI `tools` and `tool_choice` -> native `functionDeclarations` and `toolConfig` (SPEC R7)."""

from __future__ import annotations

import re
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.request.fields import expect
from adapter.translate.request.schema import to_native_parameters

# Gemini's rule for function names: start with a letter or underscore, then letters,
# digits, underscores, dots, colons or dashes, at most 128 characters.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$")
_MODES = {"none": "NONE", "auto": "AUTO", "required": "ANY"}


def to_function_declarations(tools: Any) -> list[dict[str, Any]]:
    expect(tools, (list,), "tools")
    declarations = []
    seen: set[str] = set()
    for i, tool in enumerate(tools):
        param = f"tools[{i}]"
        expect(tool, (dict,), param)
        if tool.get("type", "function") != "function":
            raise invalid_request(
                f"Unsupported tool type {tool.get('type')!r}; only 'function' tools are "
                "translated (native tools go in extra_body.google.tools).",
                param=f"{param}.type",
            )
        function = expect(tool.get("function"), (dict,), f"{param}.function")
        name = expect(function.get("name"), (str,), f"{param}.function.name")
        if not _NAME.match(name):
            raise invalid_request(
                f"Invalid function name {name!r}: use letters, digits, '_', '.', ':' or '-', "
                "starting with a letter or '_', at most 128 characters.",
                param=f"{param}.function.name",
            )
        if name in seen:
            raise invalid_request(
                f"Duplicate function name {name!r}.", param=f"{param}.function.name"
            )
        seen.add(name)
        declaration: dict[str, Any] = {"name": name}
        description = function.get("description")
        if description is not None:
            declaration["description"] = expect(
                description, (str,), f"{param}.function.description"
            )
        parameters = to_native_parameters(
            function.get("parameters"), f"{param}.function.parameters"
        )
        if parameters is not None:
            declaration["parametersJsonSchema"] = parameters
        declarations.append(declaration)
    return declarations


def to_tool_config(tool_choice: Any, declared: list[dict[str, Any]]) -> dict[str, Any] | None:
    if tool_choice is None:
        return None
    if isinstance(tool_choice, str):
        mode = _MODES.get(tool_choice)
        if mode is None:
            raise invalid_request(
                f"Invalid tool_choice {tool_choice!r}; expected none, auto, required or an "
                "object naming a function.",
                param="tool_choice",
            )
        return {"functionCallingConfig": {"mode": mode}}
    expect(tool_choice, (dict,), "tool_choice")
    kind = tool_choice.get("type")
    if kind == "allowed_tools":  # OpenAI's newer form: a subset with a mode
        allowed = expect(tool_choice.get("allowed_tools"), (dict,), "tool_choice.allowed_tools")
        names = []
        for k, tool in enumerate(
            expect(allowed.get("tools"), (list,), "tool_choice.allowed_tools.tools")
        ):
            fn = expect(tool, (dict,), f"tool_choice.allowed_tools.tools[{k}]").get("function")
            names.append(_known_name(fn, declared, f"tool_choice.allowed_tools.tools[{k}]"))
        mode = "ANY" if allowed.get("mode") == "required" else "AUTO"
        return {"functionCallingConfig": {"mode": mode, "allowedFunctionNames": names}}
    if kind != "function":
        raise invalid_request("tool_choice.type must be 'function'.", param="tool_choice.type")
    name = _known_name(tool_choice.get("function"), declared, "tool_choice")
    return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}


def _known_name(function: Any, declared: list[dict[str, Any]], param: str) -> str:
    function = expect(function, (dict,), f"{param}.function")
    name = expect(function.get("name"), (str,), f"{param}.function.name")
    if not any(d["name"] == name for d in declared):
        raise invalid_request(
            f"tool_choice names {name!r}, which is not in 'tools'.", param=f"{param}.function.name"
        )
    return name
