"""The `google` extension object -> native request fields (docs/behaviour.md R9).

Accepted at the top level of the body and as `extra_body.google`. Field names are converted
to camelCase; label keys, schema property names and function args keep their spelling.
Unknown fields are forwarded, so new native features work before the adapter learns them.
"""

from __future__ import annotations

from typing import Any

from adapter.translate.request.fields import expect

# Values below these keys are data, not field names: copy them as given.
_VERBATIM = frozenset(
    {
        "labels",
        "args",
        "response",
        "responseJsonSchema",
        "parametersJsonSchema",
        "responseSchema",
        "parameters",
        "_responseJsonSchema",
        "metadata",
    }
)
# Extension keys that live inside generationConfig rather than at the request's top level.
_GENERATION_KEYS = frozenset(
    {"thinkingConfig", "responseModalities", "imageConfig", "speechConfig", "mediaResolution"}
)


def camel(name: str) -> str:
    if "_" not in name.strip("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def camelize(value: Any) -> Any:
    """Field names to camelCase, recursively, leaving data under _VERBATIM keys alone."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = camel(key) if isinstance(key, str) else key
            out[name] = item if name in _VERBATIM else camelize(item)
        return out
    if isinstance(value, list):
        return [camelize(item) for item in value]
    return value


def google_extension(body: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The extension object and its path: top-level `google` or `extra_body.google`."""
    if body.get("google") is not None:
        return expect(body["google"], (dict,), "google"), "google"
    extra = body.get("extra_body")
    if isinstance(extra, dict) and extra.get("google") is not None:
        return expect(extra["google"], (dict,), "extra_body.google"), "extra_body.google"
    return None, ""


def native_tools(tools: Any, param: str) -> list[dict[str, Any]]:
    """`["google_search", {"code_execution": {}}]` -> `[{"googleSearch": {}}, ...]`."""
    expect(tools, (list,), param)
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        if isinstance(tool, str):
            out.append({camel(tool): {}})
        else:
            out.append(camelize(expect(tool, (dict,), f"{param}[{i}]")))
    return out


def split_thinking(
    google: dict[str, Any], param: str
) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
    """The extension without its thinking config, that config (camelCase) and its path.

    `thinking_config` may sit at the top of the extension or inside `generation_config`; it
    is taken out so thinking is decided in one place (thinking.final_thinking) and checked
    against the model there. The path names what the caller sent, for x-adapter-adjusted.
    """
    rest = dict(google)
    explicit: dict[str, Any] | None = None
    where = ""
    for key in list(rest):
        name = camel(key)
        if name == "thinkingConfig":
            where = f"{param}.{key}"
            explicit = camelize(expect(rest.pop(key), (dict,), where))
        elif name == "generationConfig" and isinstance(rest[key], dict):
            generation = dict(rest[key])
            for sub in list(generation):
                if camel(sub) == "thinkingConfig":
                    inner = f"{param}.{key}.{sub}"
                    value = camelize(expect(generation.pop(sub), (dict,), inner))
                    if explicit is None:  # the top-level one wins
                        explicit, where = value, inner
            rest[key] = generation
    return rest, explicit, where


def merge_extension(native: dict[str, Any], google: dict[str, Any], param: str) -> None:
    """Merge the extension into a native request built from the OpenAI fields; explicit wins.

    Surfaces take the thinking config out first (`split_thinking`) and hand it to
    `thinking.final_thinking`, so the thinkingConfig is decided, and checked against the
    model, in one place; a thinking config still present here is merged unchecked."""
    generation = native.setdefault("generationConfig", {})
    for key, value in google.items():
        name = camel(key)
        if name == "tools":
            native.setdefault("tools", []).extend(native_tools(value, f"{param}.{key}"))
        elif name == "generationConfig":
            extra = camelize(expect(value, (dict,), f"{param}.{key}"))
            thinking = extra.pop("thinkingConfig", None)
            generation.update(extra)
            if thinking is not None:
                _merge_thinking(generation, thinking)
        elif name == "thinkingConfig":
            _merge_thinking(generation, camelize(expect(value, (dict,), f"{param}.{key}")))
        elif name in _GENERATION_KEYS:
            generation[name] = camelize(value)
        elif name == "toolConfig":
            config = native.setdefault("toolConfig", {})
            for sub, item in camelize(expect(value, (dict,), f"{param}.{key}")).items():
                if isinstance(item, dict) and isinstance(config.get(sub), dict):
                    config[sub] = {**config[sub], **item}
                else:
                    config[sub] = item
        elif name == "cachedContent":
            native["cachedContent"] = expect(value, (str,), f"{param}.{key}")
        else:
            native[name] = value if name in _VERBATIM else camelize(value)
    if not generation:
        del native["generationConfig"]


def _merge_thinking(generation: dict[str, Any], explicit: dict[str, Any]) -> None:
    """An explicit thinking_config wins over reasoning_effort; never budget and level both."""
    current = dict(generation.get("thinkingConfig") or {})
    if "thinkingBudget" in explicit or "thinkingLevel" in explicit:
        current.pop("thinkingBudget", None)
        current.pop("thinkingLevel", None)
    current.update(explicit)
    generation["thinkingConfig"] = current
