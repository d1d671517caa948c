"""OpenAI `tools` / `tool_choice` (and the deprecated `functions` / `function_call`) ->
native `functionDeclarations` and `toolConfig` (docs/translation.md, "Tools").

Function names Gemini refuses get a native stand-in (adapter.translate.names); the mapping
is returned with the declarations so history, tool_choice and the reply use the same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.names import native_names, to_native
from adapter.translate.request.fields import expect
from adapter.translate.request.schema import to_native_parameters

_MODES = {"none": "NONE", "auto": "AUTO", "required": "ANY"}
MAX_NAME = 256  # longer is not a function name but a mistake: refused, not mapped


@dataclass
class FunctionTools:
    declarations: list[dict[str, Any]] = field(default_factory=list)
    tool_config: dict[str, Any] | None = None
    names: dict[str, str] = field(default_factory=dict)  # OpenAI name -> native stand-in


def function_tools(body: dict[str, Any]) -> FunctionTools:
    """`tools` + `tool_choice`, or the deprecated `functions` + `function_call` (used only
    when `tools` is absent, as OpenAI does)."""
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if tools is None and body.get("functions") is not None:
        functions = expect(body["functions"], (list,), "functions")
        tools = [{"type": "function", "function": f} for f in functions]
        declarations, names = _declarations(tools, "functions", legacy=True)
        if choice is None:
            choice = _legacy_choice(body.get("function_call"))
    elif tools is not None:
        declarations, names = _declarations(tools, "tools")
    else:
        declarations, names = [], {}
    config = to_tool_config(choice, declarations, names)
    if config is not None:
        if not declarations and config["functionCallingConfig"]["mode"] != "NONE":
            raise invalid_request("tool_choice needs 'tools' to choose from.", param="tool_choice")
    return FunctionTools(declarations, config, names)


def _legacy_choice(function_call: Any) -> Any:
    """`function_call`: "none" | "auto" | {"name"} -> the tool_choice equivalent."""
    if function_call is None or isinstance(function_call, str):
        if function_call is not None and function_call not in ("none", "auto"):
            raise invalid_request(
                f"Invalid function_call {function_call!r}; expected none, auto or an object "
                "naming a function.",
                param="function_call",
            )
        return function_call
    expect(function_call, (dict,), "function_call")
    return {"type": "function", "function": function_call, "_param": "function_call"}


def to_function_declarations(
    tools: Any, names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """`tools` -> functionDeclarations. Without `names`, the stand-ins are computed here."""
    declarations, computed = _declarations(tools, "tools")
    if names is not None and names != computed:
        for declaration, tool in zip(declarations, tools, strict=True):
            declaration["name"] = to_native(tool["function"]["name"], names)
    return declarations


def _declarations(
    tools: Any, list_param: str, legacy: bool = False
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    expect(tools, (list,), list_param)
    declared: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, tool in enumerate(tools):
        param = f"{list_param}[{i}]"
        fparam = param if legacy else f"{param}.function"
        expect(tool, (dict,), param)
        if tool.get("type", "function") != "function":
            raise invalid_request(
                f"Unsupported tool type {tool.get('type')!r}; only 'function' tools are "
                "translated (native tools go in extra_body.google.tools).",
                param=f"{param}.type",
            )
        function = expect(tool.get("function"), (dict,), fparam)
        name = expect(function.get("name"), (str,), f"{fparam}.name")
        if not name or len(name) > MAX_NAME:
            raise invalid_request(
                f"Invalid function name {name!r}: 1 to {MAX_NAME} characters.",
                param=f"{fparam}.name",
            )
        if name in seen:
            raise invalid_request(f"Duplicate function name {name!r}.", param=f"{fparam}.name")
        seen.add(name)
        declaration: dict[str, Any] = {"name": name}
        description = function.get("description")
        if description is not None:
            declaration["description"] = expect(description, (str,), f"{fparam}.description")
        parameters = to_native_parameters(function.get("parameters"), f"{fparam}.parameters")
        if parameters is not None:
            declaration["parametersJsonSchema"] = parameters
        declared.append((name, fparam, declaration))
    names = native_names(name for name, _, _ in declared)
    for name, _, declaration in declared:
        declaration["name"] = to_native(name, names)
    return [d for _, _, d in declared], names


def to_tool_config(
    tool_choice: Any, declared: list[dict[str, Any]], names: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """`tool_choice` -> toolConfig; named functions are given by their OpenAI names and sent
    by their native ones (`names`)."""
    names = names or {}
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
        chosen = []
        for k, tool in enumerate(
            expect(allowed.get("tools"), (list,), "tool_choice.allowed_tools.tools")
        ):
            param = f"tool_choice.allowed_tools.tools[{k}]"
            fn = expect(tool, (dict,), param).get("function")
            chosen.append(_known_name(fn, declared, names, f"{param}.function"))
        mode = "ANY" if allowed.get("mode") == "required" else "AUTO"
        return {"functionCallingConfig": {"mode": mode, "allowedFunctionNames": chosen}}
    if kind != "function":
        raise invalid_request("tool_choice.type must be 'function'.", param="tool_choice.type")
    param = tool_choice.get("_param") or "tool_choice.function"  # set for function_call
    name = _known_name(tool_choice.get("function"), declared, names, param)
    return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}


def _known_name(
    function: Any, declared: list[dict[str, Any]], names: Mapping[str, str], param: str
) -> str:
    function = expect(function, (dict,), param)
    name = expect(function.get("name"), (str,), f"{param}.name")
    native = to_native(name, names)
    if not any(d["name"] == native for d in declared):
        raise invalid_request(
            f"{param.split('.')[0]} names {name!r}, which is not a declared function.",
            param=f"{param}.name",
        )
    return native
