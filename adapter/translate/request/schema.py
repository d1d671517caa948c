"""Clean an OpenAI-side JSON Schema into the subset Gemini accepts (docs/behaviour.md R6, R7).

OpenAI clients send schemas produced by pydantic, zod-to-json-schema,
instructor or by hand: full JSON Schema with `$ref`/`$defs`, `const`,
`allOf`, type arrays, string constraints and annotations.  Gemini's
`generationConfig.responseJsonSchema` and
`functionDeclarations[].parametersJsonSchema` accept only a documented subset
of keywords, so anything else must be rewritten into that subset or dropped
here, before the request leaves the adapter.  docs/schemas.md explains every
decision and where it comes from.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson

from adapter.errors import AdapterError, invalid_request

JsonSchema = dict[str, Any]

# The keywords the native API documents for responseJsonSchema (plus the
# non-standard `propertyOrdering`, and `nullable` from the OpenAPI-style
# Schema).  The output never contains anything else.
ALLOWED_KEYWORDS: frozenset[str] = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description",
        "enum", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum",
        "anyOf", "oneOf", "properties", "additionalProperties", "required",
        "propertyOrdering", "nullable",
    }
)  # fmt: skip

# Formats Gemini documents; any other value "does not trigger any special
# functionality" at best and is rejected by stricter endpoints at worst, so it
# is dropped and mentioned in the description instead.
KEPT_FORMATS: frozenset[str] = frozenset(
    {"date-time", "date", "time", "enum", "int32", "int64", "float", "double"}
)

JSON_TYPES: frozenset[str] = frozenset(
    {"string", "number", "integer", "boolean", "array", "object", "null"}
)

# How many times a recursive definition may be re-entered on one path before
# the innermost occurrence becomes a permissive stub.  Small on purpose: every
# level multiplies the schema size and Gemini rejects schemas that nest too
# deeply ("exceeds the maximum allowed nesting depth").
RECURSION_DEPTH = 2

# Upper bound on the number of sub-schemas after inlining.  Inlining a DAG of
# definitions (or a node with many recursive fields) can grow exponentially;
# past this size the cleaner retries with shallower recursion, then gives up
# with a 400 instead of sending Gemini a schema it will refuse anyway.
MAX_SUBSCHEMAS = 5000

# Defaults longer than this (as JSON) are not copied into the description:
# the hint is for the model, not a data dump.
_MAX_DEFAULT_HINT = 80

# Which of the kept keywords constrain which JSON type: used to split
# `type: [A, B]` into one anyOf branch per type without mixing constraints.
_TYPE_KEYWORDS: dict[str, frozenset[str]] = {
    "string": frozenset({"format", "enum"}),
    "number": frozenset({"format", "enum", "minimum", "maximum"}),
    "integer": frozenset({"format", "enum", "minimum", "maximum"}),
    "boolean": frozenset({"enum"}),
    "array": frozenset({"enum", "items", "prefixItems", "minItems", "maxItems"}),
    "object": frozenset(
        {"enum", "properties", "required", "additionalProperties", "propertyOrdering"}
    ),
    "null": frozenset({"enum"}),
}
_TYPED_KEYWORDS: frozenset[str] = frozenset().union(*_TYPE_KEYWORDS.values())
_STRING_FORMATS: frozenset[str] = frozenset({"date-time", "date", "time", "enum"})

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")  # whole string: fullmatch


class _TooLarge(Exception):
    """Raised internally when inlining exceeds MAX_SUBSCHEMAS."""


@dataclass
class _Context:
    root: object
    root_path: str
    depth: int
    count: int = 0


def to_native_json_schema(schema: object, param: str) -> JsonSchema:
    """Clean an OpenAI/JSON Schema (as produced by pydantic, zod, instructor) into one
    Gemini accepts in responseJsonSchema / parametersJsonSchema.

    `param` is the OpenAI JSON path of the schema (e.g.
    `response_format.json_schema.schema`); every 400 names the precise
    offending field below it (`...properties.home.$ref`).  The input is never
    mutated and the result shares no objects with it.

    - Output keywords are limited to `ALLOWED_KEYWORDS`; names inside
      `properties` are kept exactly as given.
    - `$ref` (local JSON pointers such as `#/$defs/X`, `#/definitions/X`,
      `#/properties/a`, `#` for the root, and `#name` anchors) is inlined;
      `$defs`/`definitions` are dropped.  Keywords next to a `$ref` are merged
      over the target (pydantic puts `description`/`default` there).
    - Recursion: a definition may be re-entered `RECURSION_DEPTH` times on one
      path; the next occurrence becomes a permissive stub, `{"type":
      "object"}` when the definition is an object (the usual tree node) and
      `{}` otherwise, so that the stub never contradicts the definition's
      type.  If the result would exceed `MAX_SUBSCHEMAS`, recursion is
      unrolled less deeply; a schema still too large is a 400.  A cycle of
      pure aliases (`A -> B -> A` with no property/item in between) can never
      be expanded into anything and is a 400.
    - Rewrites: `const` -> `enum: [v]` (`const: null` -> `type: "null"`);
      `allOf` members are merged (properties/required united, bounds
      tightened); `type: [X, "null"]` (and any type list) becomes `anyOf` with
      one branch per type carrying that type's constraints; numeric
      `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` (exact
      for integers, noted in the description for numbers); tuple-style
      `items: [...]` becomes `prefixItems`.
    - Dropped but kept as a short note in `description` because it guides
      the model: `pattern`, `minLength`/`maxLength`, unsupported `format`,
      `multipleOf`, `uniqueItems`, `minProperties`/`maxProperties`, non-null
      `default`.  Dropped silently: `$schema`, `examples`, `discriminator`,
      `strict`, `readOnly`, `not`, `if`/`then`/`else`, and every other keyword.
    - `True` (or `{}`) is the any-schema `{}`.
    """
    if _is_plain(schema, 0):
        # Most tool schemas are already in the subset: the same result as the full walk
        # (a property test checks it) for a fraction of the cost, paid on every request.
        copied: dict[str, Any] = orjson.loads(orjson.dumps(schema))
        return copied
    return _clean_fully(schema, param)


# Keywords a schema may use to be sent as it is, and what each value must be.
_PLAIN_SCALARS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "description": (str,),
    "nullable": (bool,),
    "minimum": (int, float),
    "maximum": (int, float),
}
_PLAIN_MAX_DEPTH = 32
_NUMBER_FORMATS = frozenset({"int32", "int64", "float", "double"})


def _is_plain(node: object, depth: int) -> bool:
    """True for a schema the full cleaner would return unchanged: only kept keywords,
    single lower-case types, string enums, no references, bounds and formats it keeps."""
    if type(node) is not dict or depth > _PLAIN_MAX_DEPTH:
        return False
    kind = node.get("type")
    if kind is not None and (type(kind) is not str or kind not in JSON_TYPES):
        return False
    for key, value in node.items():
        if key == "type":
            continue
        if key in _PLAIN_SCALARS:
            if type(value) not in _PLAIN_SCALARS[key] or (
                key in ("minimum", "maximum") and kind not in ("number", "integer")
            ):
                return False
        elif key == "properties":
            if kind != "object" or type(value) is not dict:
                return False
            if not all(_is_plain(sub, depth + 1) for sub in value.values()):
                return False
        elif key == "required":
            props = node.get("properties")
            if kind != "object" or type(value) is not list or type(props) is not dict:
                return False
            if not all(type(name) is str and name in props for name in value):
                return False
            if len(set(value)) != len(value):
                return False
        elif key == "items":
            if kind != "array" or not _is_plain(value, depth + 1):
                return False
        elif key == "format":
            if not (
                (kind == "string" and value in _STRING_FORMATS)
                or (kind in ("number", "integer") and value in _NUMBER_FORMATS)
            ):
                return False
        elif key == "additionalProperties":
            if kind != "object" or type(value) is not bool:
                return False
        elif key == "anyOf":
            if kind is not None or type(value) is not list or not value:
                return False
            if not all(_is_plain(sub, depth + 1) for sub in value):
                return False
        elif key == "enum":
            if kind != "string" or type(value) is not list or not value:
                return False
            if not all(type(item) is str for item in value):
                return False
        else:
            return False  # anything else goes through the full cleaner
    return True


def _clean_fully(schema: object, param: str) -> JsonSchema:
    last_error: AdapterError | None = None
    for depth in range(RECURSION_DEPTH, -1, -1):
        ctx = _Context(root=schema, root_path=param, depth=depth)
        try:
            # The root is "being expanded" from the start, so that `$ref: "#"`
            # below counts as recursion into it.
            root = frozenset({id(schema)})
            return _clean(schema, param, ctx, stack=(id(schema),), aliases=root)
        except RecursionError:
            # Thousands of nested levels: no model output needs that, and the
            # alternative is a 500 from deep inside the walk.
            raise invalid_request("The schema is nested too deeply.", param=param) from None
        except _TooLarge:
            last_error = invalid_request(
                f"The schema expands to more than {MAX_SUBSCHEMAS} sub-schemas once its "
                "$ref are inlined; simplify it or reduce its recursion.",
                param=param,
            )
    assert last_error is not None
    raise last_error


def to_native_parameters(schema: object | None, param: str) -> JsonSchema | None:
    """Clean a function tool's `parameters` for `parametersJsonSchema`.

    `None` (a tool without parameters) gives `None`: no parametersJsonSchema
    is sent.  Function arguments are always a JSON object, so a top-level
    schema without `type` (and without a union) gets `type: "object"`, and an
    explicit non-object top-level type is a 400, as OpenAI itself answers.
    """
    if schema is None:
        return None
    cleaned = to_native_json_schema(schema, param)
    declared = cleaned.get("type")
    if declared is None:
        if "anyOf" not in cleaned and "oneOf" not in cleaned:
            cleaned = {"type": "object", **cleaned}
    elif declared != "object":
        raise invalid_request(
            f"Function parameters must be a JSON Schema of type 'object', got {declared!r}.",
            param=f"{param}.type",
        )
    return cleaned


# --------------------------------------------------------------------------- paths


def _key(path: str, key: str) -> str:
    """Extend an OpenAI-style path; odd property names are quoted so the path stays unambiguous."""
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _index(path: str, index: int) -> str:
    return f"{path}[{index}]"


# ------------------------------------------------------------------------ cleaning


def _clean(
    node: object,
    path: str,
    ctx: _Context,
    stack: tuple[int, ...],
    aliases: frozenset[int],
) -> JsonSchema:
    """Clean one sub-schema.

    `stack` holds the ids of the definitions being expanded on this path (for
    bounded recursion); `aliases` the ones reached without descending into a
    property/item since, i.e. the ones this node would merely be another name
    for (for detecting cycles that never produce a schema).
    """
    if node is True:
        return {}
    if node is False:
        raise invalid_request("A schema of `false` accepts no value at all.", param=path)
    if not isinstance(node, dict):
        raise invalid_request(
            f"Expected a JSON Schema object, got {_json_type_name(node)}.", param=path
        )
    ctx.count += 1
    if ctx.count > MAX_SUBSCHEMAS:
        raise _TooLarge

    parts: list[JsonSchema] = []
    if "$ref" in node:
        parts.append(_expand_ref(node["$ref"], _key(path, "$ref"), ctx, stack, aliases))
    if "allOf" in node:
        members = _schema_list(node["allOf"], _key(path, "allOf"))
        for i, member in enumerate(members):
            parts.append(_clean(member, _index(_key(path, "allOf"), i), ctx, stack, aliases))

    own, hints = _clean_own(node, path, ctx, stack, aliases)
    result: JsonSchema = {}
    for part in parts:
        result = _merge(result, part)
    # The node's own keywords win over what it references: pydantic writes a
    # field's description next to the `$ref` of its model.
    result = _merge(result, own)
    if hints:
        description = result.get("description")
        note = "; ".join(hints)
        result["description"] = f"{description} ({note})" if description else note
    return _split_type_list(result)


def _clean_own(
    node: dict[str, Any],
    path: str,
    ctx: _Context,
    stack: tuple[int, ...],
    aliases: frozenset[int],
) -> tuple[JsonSchema, list[str]]:
    """The node's own keywords, minus `$ref`/`allOf`, plus description hints for what is lost."""
    out: JsonSchema = {}
    hints: list[str] = []

    def sub(value: object, sub_path: str) -> JsonSchema:
        # Descending into a property or an item produces a new value, so an
        # alias chain stops here: reaching the same definition again is
        # recursion (expandable), not a cycle of names.
        return _clean(value, sub_path, ctx, stack, frozenset())

    declared = _clean_type(node.get("type"), _key(path, "type")) if "type" in node else None
    if declared is not None:
        out["type"] = declared
    types = [declared] if isinstance(declared, str) else list(declared or [])

    for word in ("title", "description"):
        if word in node:
            value = node[word]
            if not isinstance(value, str):
                raise invalid_request(f"`{word}` must be a string.", param=_key(path, word))
            out[word] = value

    if "format" in node:
        fmt = node["format"]
        if fmt in KEPT_FORMATS:
            out["format"] = fmt
        elif isinstance(fmt, str):
            hints.append(f"format: {fmt}")

    if "enum" in node:
        values = node["enum"]
        if not isinstance(values, list):
            raise invalid_request("`enum` must be an array.", param=_key(path, "enum"))
        out["enum"] = copy.deepcopy(values)

    if "const" in node:
        const = node["const"]
        if const is None:
            # `enum` is documented for strings and numbers only; `null` has its
            # own type, which is accepted.
            out.pop("enum", None)
            out["type"] = "null"
        elif "enum" in out:
            out["enum"] = [v for v in out["enum"] if _same_value(v, const)]
        else:
            out["enum"] = [copy.deepcopy(const)]

    for word in ("minimum", "maximum"):
        if word in node:
            out[word] = _number(node[word], _key(path, word))
    _apply_exclusive_bounds(node, path, types, out, hints)

    for word in ("minItems", "maxItems"):
        if word in node:
            out[word] = _count(node[word], _key(path, word))

    no_extra_items = False
    tuple_form = False
    if "items" in node:
        items = node["items"]
        items_path = _key(path, "items")
        if isinstance(items, list):
            # Draft 4-7 tuple form; 2020-12 (and Gemini) spell it prefixItems.
            tuple_form = True
            out["prefixItems"] = [sub(item, _index(items_path, i)) for i, item in enumerate(items)]
        elif items is False:
            no_extra_items = True
        else:
            out["items"] = sub(items, items_path)
    if "prefixItems" in node:
        prefix_path = _key(path, "prefixItems")
        out["prefixItems"] = [
            sub(item, _index(prefix_path, i))
            for i, item in enumerate(_schema_list(node["prefixItems"], prefix_path))
        ]
    if tuple_form and "additionalItems" in node:
        extra = node["additionalItems"]
        if extra is False:
            no_extra_items = True
        else:
            out["items"] = sub(extra, _key(path, "additionalItems"))
    if no_extra_items and "prefixItems" in out:
        # "Nothing after the tuple" is expressible as a length bound.
        limit = len(out["prefixItems"])
        out["maxItems"] = min(out.get("maxItems", limit), limit)

    for word in ("anyOf", "oneOf"):
        if word in node:
            list_path = _key(path, word)
            branches = _schema_list(node[word], list_path)
            # A union branch is the same value as the node, so an alias chain
            # continues through it; a `false` branch contributes nothing.
            out[word] = [
                _clean(branch, _index(list_path, i), ctx, stack, aliases)
                for i, branch in enumerate(branches)
                if branch is not False
            ]
            if not out[word]:
                raise invalid_request(f"No branch of `{word}` accepts any value.", param=list_path)

    forbidden: set[str] = set()
    if "properties" in node:
        props = node["properties"]
        props_path = _key(path, "properties")
        if not isinstance(props, dict):
            raise invalid_request("`properties` must be an object.", param=props_path)
        cleaned_props: JsonSchema = {}
        for name, prop in props.items():
            if prop is False:
                # `"x": false` forbids the property: leave it out entirely.
                forbidden.add(name)
                continue
            cleaned_props[name] = sub(prop, _key(props_path, name))
        out["properties"] = cleaned_props

    if "required" in node:
        required = node["required"]
        if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
            raise invalid_request(
                "`required` must be an array of property names.", param=_key(path, "required")
            )
        out["required"] = [n for n in dict.fromkeys(required) if n not in forbidden]

    if "additionalProperties" in node:
        extra = node["additionalProperties"]
        if isinstance(extra, bool):
            out["additionalProperties"] = extra
        else:
            out["additionalProperties"] = sub(extra, _key(path, "additionalProperties"))

    if "propertyOrdering" in node:
        order = node["propertyOrdering"]
        if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
            raise invalid_request(
                "`propertyOrdering` must be an array of property names.",
                param=_key(path, "propertyOrdering"),
            )
        out["propertyOrdering"] = [n for n in order if n not in forbidden]

    if isinstance(node.get("nullable"), bool):
        out["nullable"] = node["nullable"]

    hints.extend(_constraint_hints(node))
    return out, hints


def _clean_type(value: object, path: str) -> str | list[str] | None:
    """Validate `type`; uppercase OpenAPI spellings (`STRING`) are accepted and lowered."""
    names = value if isinstance(value, list) else [value]
    cleaned: list[str] = []
    for name in names:
        if not isinstance(name, str) or name.lower() not in JSON_TYPES:
            raise invalid_request(f"{name!r} is not a JSON Schema type.", param=path)
        if name.lower() not in cleaned:
            cleaned.append(name.lower())
    if not isinstance(value, list):
        return cleaned[0]
    if not cleaned:
        return None
    return cleaned[0] if len(cleaned) == 1 else cleaned


def _apply_exclusive_bounds(
    node: dict[str, Any], path: str, types: list[str], out: JsonSchema, hints: list[str]
) -> None:
    """Turn exclusive bounds into the inclusive ones Gemini knows.

    For integers the conversion is exact (`> 0` is `>= 1`); for numbers the
    inclusive bound is the closest expressible and the strictness goes into
    the description.
    """
    integer_only = bool(types) and all(t in ("integer", "null") for t in types)
    for exclusive, inclusive, sign in (
        ("exclusiveMinimum", "minimum", ">"),
        ("exclusiveMaximum", "maximum", "<"),
    ):
        if exclusive not in node:
            continue
        raw = node[exclusive]
        if isinstance(raw, bool):
            # Draft 4: a flag that makes the sibling bound exclusive.
            if not raw or inclusive not in out:
                continue
            bound = out[inclusive]
        else:
            bound = _number(raw, _key(path, exclusive))
        current = out.get(inclusive)
        if integer_only:
            exact = math.floor(bound) + 1 if sign == ">" else math.ceil(bound) - 1
            if current is None or isinstance(raw, bool):
                out[inclusive] = exact
            else:
                out[inclusive] = max(current, exact) if sign == ">" else min(current, exact)
            continue
        tighter = current is None or isinstance(raw, bool)
        if not tighter:
            tighter = bound >= current if sign == ">" else bound <= current
        if tighter:
            out[inclusive] = bound
            hints.append(f"must be {sign} {_fmt(bound)}")


def _constraint_hints(node: dict[str, Any]) -> list[str]:
    """Short notes for constraints Gemini cannot enforce but the model can follow."""
    hints: list[str] = []
    if "pattern" in node:
        hints.append(f"pattern: {node['pattern']}")
    low, high = node.get("minLength"), node.get("maxLength")
    if low is not None and high is not None:
        hints.append(f"length: {_fmt(low)}..{_fmt(high)}")
    elif low is not None:
        hints.append(f"min length: {_fmt(low)}")
    elif high is not None:
        hints.append(f"max length: {_fmt(high)}")
    if "multipleOf" in node:
        hints.append(f"multiple of {_fmt(node['multipleOf'])}")
    if node.get("uniqueItems") is True:
        hints.append("items must be unique")
    if "minProperties" in node:
        hints.append(f"min properties: {_fmt(node['minProperties'])}")
    if "maxProperties" in node:
        hints.append(f"max properties: {_fmt(node['maxProperties'])}")
    # `default: null` is what pydantic writes on every Optional field; saying
    # so on each of them would only add noise.
    if node.get("default") is not None:
        text = _fmt(node["default"])
        if len(text) <= _MAX_DEFAULT_HINT:
            hints.append(f"default: {text}")
    return hints


def _fmt(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def _number(value: object, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_request("Expected a number.", param=path)
    return value


def _count(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise invalid_request("Expected a non-negative integer.", param=path)
    if isinstance(value, float) and not value.is_integer():
        raise invalid_request("Expected a non-negative integer.", param=path)
    return int(value)


def _schema_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise invalid_request("Expected a non-empty array of schemas.", param=path)
    return value


def _json_type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _same_value(a: object, b: object) -> bool:
    """JSON equality: `True` is not `1`, unlike Python's."""
    if type(a) is type(b):
        return a == b
    return (
        isinstance(a, int | float)
        and isinstance(b, int | float)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


# ------------------------------------------------------------------------- $ref


def _expand_ref(
    ref: object,
    path: str,
    ctx: _Context,
    stack: tuple[int, ...],
    aliases: frozenset[int],
) -> JsonSchema:
    if not isinstance(ref, str):
        raise invalid_request("`$ref` must be a string.", param=path)
    target, target_path = _resolve(ref, path, ctx)
    key = id(target)
    if key in aliases:
        raise invalid_request(
            f"`$ref` {ref!r} is part of a reference cycle that never reaches a property or "
            "item, so it cannot be expanded into a schema.",
            param=path,
        )
    if stack.count(key) > ctx.depth:
        return _recursion_stub(target)
    return _clean(target, target_path, ctx, stack + (key,), aliases | {key})


def _recursion_stub(target: object) -> JsonSchema:
    """What the innermost recursion becomes: permissive, but not of a contradicting type."""
    if isinstance(target, dict) and (target.get("type") == "object" or "properties" in target):
        return {"type": "object"}
    return {}


def _resolve(ref: str, path: str, ctx: _Context) -> tuple[object, str]:
    """Find what a local `$ref` points at, and the request path of that place."""
    pointer = ref
    root = ctx.root
    root_id = root.get("$id") if isinstance(root, dict) else None
    if isinstance(root_id, str) and root_id and pointer.startswith(root_id.split("#")[0]):
        pointer = pointer[len(root_id.split("#")[0]) :] or "#"
    if not pointer.startswith("#"):
        raise invalid_request(
            f"`$ref` {ref!r} is not a local reference; only references into this schema "
            "(such as '#/$defs/Name') can be resolved.",
            param=path,
        )
    fragment = unquote(pointer[1:])
    if fragment == "" or fragment == "/":
        return root, ctx.root_path
    if not fragment.startswith("/"):
        found = _find_anchor(root, fragment, ctx.root_path)
        if found is None:
            raise invalid_request(f"`$ref` {ref!r} names no `$anchor` in this schema.", param=path)
        return found
    node: object = root
    node_path = ctx.root_path
    for token in fragment[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
            node_path = _key(node_path, token)
        elif (
            isinstance(node, list)
            and token.isascii()
            and token.isdigit()
            and int(token) < len(node)
        ):
            node = node[int(token)]
            node_path = _index(node_path, int(token))
        else:
            raise invalid_request(
                f"`$ref` {ref!r} does not resolve to anything in this schema.", param=path
            )
    return node, node_path


# Values of these keywords are data, not schemas: an `$anchor` key inside an
# example is not an anchor.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "example"})


def _find_anchor(node: object, name: str, path: str) -> tuple[object, str] | None:
    if isinstance(node, dict):
        if node.get("$anchor") == name:
            return node, path
        for key, value in node.items():
            if key in _DATA_KEYWORDS:
                continue
            found = _find_anchor(value, name, _key(path, key))
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find_anchor(value, name, _index(path, i))
            if found is not None:
                return found
    return None


# ------------------------------------------------------------------------ merging


def _merge(base: JsonSchema, over: JsonSchema) -> JsonSchema:
    """Combine two cleaned schemas that must both hold (allOf, `$ref` + siblings).

    Object members are united (that is what `allOf` of models means in
    practice: inheritance), bounds are tightened, enums intersected; for
    annotations `over` wins.  Two different unions cannot be expressed
    without `allOf`, so the first one is kept.
    """
    out = dict(base)
    for key, value in over.items():
        if key not in out:
            out[key] = value
            continue
        current = out[key]
        if key == "properties":
            merged = dict(current)
            for name, prop in value.items():
                merged[name] = _merge(merged[name], prop) if name in merged else prop
            out[key] = merged
        elif key in ("required", "propertyOrdering"):
            out[key] = current + [n for n in value if n not in current]
        elif key in ("minimum", "minItems"):
            out[key] = max(current, value)
        elif key in ("maximum", "maxItems"):
            out[key] = min(current, value)
        elif key == "enum":
            common = [v for v in current if any(_same_value(v, w) for w in value)]
            out[key] = common if common else current
        elif key in ("items", "additionalProperties"):
            if current is False or value is False:
                out[key] = False
            elif current is True or current == {}:
                out[key] = value
            elif value is not True and value != {}:
                out[key] = _merge(current, value)
        elif key == "type":
            out[key] = _intersect_types(current, value)
        elif key in ("anyOf", "oneOf"):
            continue
        else:
            out[key] = value
    return out


def _intersect_types(a: str | list[str], b: str | list[str]) -> str | list[str]:
    left = [a] if isinstance(a, str) else a
    right = [b] if isinstance(b, str) else b
    common = [t for t in left if t in right]
    # An integer is a number: integer AND number is integer.
    if "integer" in left and "number" in right and "integer" not in common:
        common.append("integer")
    if "number" in left and "integer" in right and "integer" not in common:
        common.append("integer")
    if not common:
        return a  # contradictory; keep the first rather than invent a type
    return common[0] if len(common) == 1 else common


# --------------------------------------------------------------------- type lists


def _split_type_list(schema: JsonSchema) -> JsonSchema:
    """Rewrite `type: [A, B, ...]` as `anyOf: [{type: A, ...}, {type: B, ...}]`.

    Gemini's JSON Schema page shows `type: ["string", "null"]`, but the older
    proto-backed schema fields reject a list ("Proto field is not repeating"),
    and `anyOf` with `{"type": "null"}` is what pydantic emits for Optional and
    is accepted everywhere; one spelling for both target fields is safer.
    Each branch receives only the constraints that apply to its type, and an
    enum keeps in each branch only the values of that type (a branch left with
    none is dropped: `["string", "null"]` with `enum: ["a"]` cannot be null).
    """
    declared = schema.get("type")
    if not isinstance(declared, list):
        return schema
    if "anyOf" in schema or "oneOf" in schema:
        # Already a union: distributing two unions would need allOf, which the
        # target lacks.  A type list is valid JSON Schema for responseJsonSchema.
        return schema
    branches: list[JsonSchema] = []
    for name in declared:
        branch: JsonSchema = {"type": name}
        for word in _TYPE_KEYWORDS[name]:
            if word in schema:
                branch[word] = schema[word]
        if "enum" in branch:
            values = [v for v in branch["enum"] if _has_type(v, name)]
            if not values:
                continue
            if name == "null":
                del branch["enum"]
            else:
                branch["enum"] = values
        if "format" in branch and (name == "string") != (branch["format"] in _STRING_FORMATS):
            del branch["format"]
        branches.append(branch)
    rest = {k: v for k, v in schema.items() if k != "type" and k not in _TYPED_KEYWORDS}
    if len(branches) == 1:
        return {**rest, **branches[0]}
    if not branches:
        return schema  # no enum value fits any listed type; nothing better to say
    return {**rest, "anyOf": branches}


def _has_type(value: object, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return name == "number" or float(value).is_integer()
