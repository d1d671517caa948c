"""Responses `tools` and `tool_choice` -> native tools and `toolConfig` (docs/responses.md).

Flat `function` tools and Codex's `custom` tools (a raw-string input, e.g. `apply_patch`)
become `functionDeclarations`; `namespace` tools are flattened (`<namespace>.<name>`);
`web_search` -> `googleSearch`, `code_interpreter` -> `codeExecution`; `tool_search`
(deferred loading) is dropped and the deferred tools are declared directly. The
`ToolMap` maps native names back to what the client declared, statelessly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.names import native_name
from adapter.translate.request.fields import expect
from adapter.translate.request.schema import to_native_parameters

_MODES = {"none": "NONE", "auto": "AUTO", "required": "ANY"}
SEARCH_TYPES: tuple[str, ...] = ("web_search", "web_search_preview", "web_search_2025_08_26")
SEARCH_TYPES += ("web_search_preview_2025_03_11",)
CODE_TYPES = ("code_interpreter",)
CUSTOM_INPUT = "input"  # the one string parameter a custom tool is declared with


@dataclass(frozen=True, slots=True)
class ClientTool:
    kind: str  # "function" or "custom"
    name: str
    namespace: str | None = None


@dataclass
class ToolMap:
    """The client's tools by native name, and native names by (namespace, name)."""

    by_native: dict[str, ClientTool] = field(default_factory=dict)
    by_client: dict[tuple[str | None, str], str] = field(default_factory=dict)

    def native_name(self, name: str, namespace: str | None = None) -> str:
        """The native name for a tool the client names (history, tool_choice)."""
        found = self.by_client.get((namespace, name))
        if found is None and namespace is None:
            # a client that dropped the namespace, or already sends the joined name
            found = name if name in self.by_native else None
        return found or native_name_for(name, namespace)

    def client_tool(self, native: str) -> ClientTool:
        return self.by_native.get(native) or ClientTool("function", native)


@dataclass
class Tools:
    declarations: list[dict[str, Any]] = field(default_factory=list)
    native: list[dict[str, Any]] = field(default_factory=list)  # googleSearch, codeExecution...
    map: ToolMap = field(default_factory=ToolMap)
    adjusted: list[str] = field(default_factory=list)
    image_output: bool = False


def native_name_for(name: str, namespace: str | None) -> str:
    """A valid native function name (`<namespace>.<name>` for namespaced tools): the
    client's own when Gemini accepts it, else the shared stand-in (adapter.translate.names)."""
    return native_name(f"{namespace}.{name}" if namespace else name)


def _describe_format(tool: dict[str, Any], param: str) -> str:
    fmt = tool.get("format")
    if fmt is None:
        return ""
    expect(fmt, (dict,), f"{param}.format")
    if fmt.get("type") == "grammar":
        syntax = fmt.get("syntax", "lark")
        definition = fmt.get("definition", "")
        return (
            f"\n\nThe `{CUSTOM_INPUT}` argument is raw text (not JSON) that must follow this "
            f"{syntax} grammar:\n{definition}"
        )
    return ""


def _declare(
    tool: dict[str, Any], param: str, namespace: str | None, out: Tools, seen: set[str]
) -> None:
    kind = tool.get("type", "function")
    name = expect(tool.get("name"), (str,), f"{param}.name")
    if not name:
        raise invalid_request("A tool name must not be empty.", param=f"{param}.name")
    native = native_name_for(name, namespace)
    if native in seen:
        raise invalid_request(f"Duplicate tool name {name!r}.", param=f"{param}.name")
    seen.add(native)
    declaration: dict[str, Any] = {"name": native}
    description = tool.get("description")
    if description is not None:
        declaration["description"] = expect(description, (str,), f"{param}.description")
    if kind == "custom":
        extra = _describe_format(tool, param)
        if extra:
            declaration["description"] = declaration.get("description", "") + extra
        declaration["parametersJsonSchema"] = {
            "type": "object",
            "properties": {CUSTOM_INPUT: {"type": "string"}},
            "required": [CUSTOM_INPUT],
        }
    else:
        parameters = to_native_parameters(tool.get("parameters"), f"{param}.parameters")
        if parameters is not None:
            declaration["parametersJsonSchema"] = parameters
    out.declarations.append(declaration)
    client = ClientTool(kind, name, namespace)
    out.map.by_native[native] = client
    out.map.by_client[(namespace, name)] = native


def add_tools(tools: Any, param: str, out: Tools, seen: set[str], image_capable: bool) -> None:
    """Translate one `tools` list (the request's, or an `additional_tools` item's) into `out`."""
    expect(tools, (list,), param)
    for i, tool in enumerate(tools):
        tparam = f"{param}[{i}]"
        expect(tool, (dict,), tparam)
        kind = tool.get("type", "function")
        if kind in ("function", "custom"):
            _declare(tool, tparam, None, out, seen)
        elif kind == "namespace":
            namespace = expect(tool.get("name"), (str,), f"{tparam}.name")
            inner = expect(tool.get("tools"), (list,), f"{tparam}.tools")
            for j, sub in enumerate(inner):
                sparam = f"{tparam}.tools[{j}]"
                expect(sub, (dict,), sparam)
                if sub.get("type", "function") not in ("function", "custom"):
                    raise invalid_request(
                        f"Unsupported tool type {sub.get('type')!r} in a namespace.",
                        param=f"{sparam}.type",
                    )
                _declare(sub, sparam, namespace, out, seen)
        elif kind in SEARCH_TYPES:
            out.native.append({"googleSearch": {}})
        elif kind in CODE_TYPES:
            out.native.append({"codeExecution": {}})
        elif kind == "tool_search":
            out.adjusted.append("tool_search=dropped")
        elif kind == "image_generation" and image_capable:
            out.image_output = True
        else:
            raise invalid_request(
                f"Unsupported tool type {kind!r}: Gemini has no counterpart. Supported: "
                "function, custom, namespace, web_search, code_interpreter, tool_search"
                + (", image_generation" if image_capable else "")
                + ".",
                param=f"{tparam}.type",
            )


def tool_config(choice: Any, tools: Tools) -> dict[str, Any] | None:
    """`tool_choice` -> `functionCallingConfig`; names are checked against the tools."""
    if choice is None:
        return None
    if isinstance(choice, str):
        mode = _MODES.get(choice)
        if mode is None:
            raise invalid_request(
                f"Invalid tool_choice {choice!r}; expected none, auto, required or an object.",
                param="tool_choice",
            )
        return {"functionCallingConfig": {"mode": mode}}
    expect(choice, (dict,), "tool_choice")
    kind = choice.get("type")
    if kind in ("function", "custom"):
        name = _known(choice, tools, "tool_choice")
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    if kind == "allowed_tools":
        listed = expect(choice.get("tools"), (list,), "tool_choice.tools")
        names = []
        for k, item in enumerate(listed):
            item = expect(item, (dict,), f"tool_choice.tools[{k}]")
            if item.get("type", "function") in ("function", "custom"):
                names.append(_known(item, tools, f"tool_choice.tools[{k}]"))
        mode = "ANY" if choice.get("mode") == "required" else "AUTO"
        config: dict[str, Any] = {"mode": mode}
        if names and mode == "ANY":
            config["allowedFunctionNames"] = names
        return {"functionCallingConfig": config}
    if kind in (*SEARCH_TYPES, *CODE_TYPES, "image_generation", "mcp", "file_search"):
        return {"functionCallingConfig": {"mode": "AUTO"}}  # a hosted tool: let the model pick
    raise invalid_request(f"Invalid tool_choice type {kind!r}.", param="tool_choice.type")


def _known(choice: dict[str, Any], tools: Tools, param: str) -> str:
    name = expect(choice.get("name"), (str,), f"{param}.name")
    namespace = choice.get("namespace")
    native = tools.map.native_name(name, namespace if isinstance(namespace, str) else None)
    if native not in tools.map.by_native:
        raise invalid_request(
            f"tool_choice names {name!r}, which is not in 'tools'.", param=f"{param}.name"
        )
    return native
