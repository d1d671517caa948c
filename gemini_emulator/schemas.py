"""JSON Schema handling: the service's keyword allow-list, and sample values from a schema.

Two schema dialects reach the emulator: JSON Schema (`responseJsonSchema`,
`parametersJsonSchema`, free-form) and the OpenAPI-subset `Schema` message
(`responseSchema`, `parameters`, already key-checked by `wire`, upper-case types).
Sampling accepts both.
"""

from __future__ import annotations

import math
from typing import Any

from gemini_emulator.errors import BAD_REQUEST_TYPE, GoogleError

ALLOWED_KEYWORDS = frozenset(
    {
        "$id",
        "$defs",
        "$ref",
        "$anchor",
        "type",
        "format",
        "title",
        "description",
        "enum",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "anyOf",
        "oneOf",
        "properties",
        "additionalProperties",
        "required",
        "propertyOrdering",
        "nullable",
    }
)
SCHEMA_MAPS = ("properties", "$defs")
SCHEMA_LISTS = ("prefixItems", "anyOf", "oneOf")
SCHEMA_SINGLES = ("items", "additionalProperties")
MAX_DEPTH = 12  # Recursive `$ref`s would otherwise expand forever.
STRING_FORMATS = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00"}


def check_keywords(schema: Any, path: str) -> None:
    """Reject keywords outside the allow-list anywhere in `schema` (400 naming the path)."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        _reject(path, f"Invalid value at '{path}': a JSON schema must be an object or a boolean.")
        return
    for key, value in schema.items():
        if key not in ALLOWED_KEYWORDS:
            _reject(path, f"Invalid JSON schema at '{path}': keyword \"{key}\" is not supported.")
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                check_keywords(sub, f"{path}.{key}.{name}")
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                check_keywords(sub, f"{path}.{key}[{i}]")
        elif key in SCHEMA_SINGLES:
            if isinstance(value, list):  # Old tuple form of `items`.
                for i, sub in enumerate(value):
                    check_keywords(sub, f"{path}.{key}[{i}]")
            else:
                check_keywords(value, f"{path}.{key}")


def _reject(path: str, description: str) -> None:
    raise GoogleError(
        400,
        description,
        details=[
            {
                "@type": BAD_REQUEST_TYPE,
                "fieldViolations": [{"field": path, "description": description}],
            }
        ],
    )


def sample(schema: Any, *, full: bool, root: Any = None, depth: int = 0) -> Any:
    """A value valid for `schema`.

    `full` fills every property and gives arrays one item (structured output);
    otherwise only required properties are filled and arrays are empty (tool args).
    """
    root = schema if root is None else root
    if not isinstance(schema, dict):
        return "example"
    if "$ref" in schema:
        return sample(_resolve(root, schema["$ref"]), full=full, root=root, depth=depth + 1)
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return sample(options[0], full=full, root=root, depth=depth + 1)
    kind = _type_of(schema)
    if kind == "object":
        return _sample_object(schema, full=full, root=root, depth=depth)
    if kind == "array":
        return _sample_array(schema, full=full, root=root, depth=depth)
    if kind == "string":
        return STRING_FORMATS.get(str(schema.get("format", "")), "example")
    if kind in ("integer", "number"):
        return _sample_number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "example"


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    if isinstance(kind, str):
        return kind.lower()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return ""


def _sample_object(schema: dict[str, Any], *, full: bool, root: Any, depth: int) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or depth >= MAX_DEPTH:
        return {}
    required = schema.get("required") or []
    order = [name for name in schema.get("propertyOrdering") or [] if name in properties]
    order += [name for name in properties if name not in order]
    return {
        name: sample(properties[name], full=full, root=root, depth=depth + 1)
        for name in order
        if full or name in required
    }


def _sample_array(schema: dict[str, Any], *, full: bool, root: Any, depth: int) -> list[Any]:
    count = int(schema.get("minItems") or 0)
    if full:
        count = max(count, 1)
    if schema.get("maxItems") is not None:
        count = min(count, int(schema["maxItems"]))
    if depth >= MAX_DEPTH:
        count = 0
    prefix = schema.get("prefixItems") or []
    items = schema.get("items", {})
    return [
        sample(prefix[i] if i < len(prefix) else items, full=full, root=root, depth=depth + 1)
        for i in range(count)
    ]


def _sample_number(schema: dict[str, Any], *, integer: bool) -> int | float:
    value: float = 1
    capped = False
    if schema.get("minimum") is not None and value < float(schema["minimum"]):
        value = float(schema["minimum"])
    if schema.get("maximum") is not None and value > float(schema["maximum"]):
        value, capped = float(schema["maximum"]), True
    if integer:
        return math.floor(value) if capped else math.ceil(value)
    return int(value) if float(value).is_integer() else value


def _resolve(root: Any, ref: str) -> Any:
    """Follow a local `#/...` pointer; anything unresolvable samples as a plain string."""
    if not ref.startswith("#"):
        return {}
    node = root
    for token in ref[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return {}
        node = node[token]
    return node
