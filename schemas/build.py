"""Derive the self-contained JSON Schemas in this directory from the official specs.

Run by hand when a spec is updated; the tests only read the committed output:

    python schemas/build.py --openai PATH/openai-openapi.yaml \
        --discovery PATH/gemini-v1beta-discovery.json

The same run rebuilds everything else derived from the discovery document: the emulator's
field table (`gemini_emulator/fields.json`) and the adapter's wire TypedDicts
(`adapter/wire/*.py`, by `typeddicts.py`).

The OpenAI OpenAPI 3.1 document is already (almost) JSON Schema; the Gemini
discovery document uses Google's own schema dialect. Both are rewritten into
draft 2020-12 documents that carry every referenced definition under `$defs`,
so a validator needs nothing but the one file.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

JSONSchema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
OUT_DIR = Path(__file__).resolve().parent

OPENAI_REF_PREFIX = "#/components/schemas/"

# output file stem -> OpenAPI component
OPENAI_TARGETS: dict[str, str] = {
    "openai.chat_request": "CreateChatCompletionRequest",
    "openai.chat_completion": "CreateChatCompletionResponse",
    "openai.chat_chunk": "CreateChatCompletionStreamResponse",
    "openai.error": "ErrorResponse",
    "openai.response": "Response",
    "openai.response_stream_event": "ResponseStreamEvent",
    # Not CreateResponse: its `input` items are a oneOf that valid messages match twice
    # (Item and EasyInputMessage), so a validator would refuse real requests.
    "openai.images_response": "ImagesResponse",
    "openai.transcription": "CreateTranscriptionResponseJson",
    "openai.transcription_verbose": "CreateTranscriptionResponseVerboseJson",
    "openai.translation_verbose": "CreateTranslationResponseVerboseJson",
}

# output file stem -> (discovery schema, strict?)  Strict = request side: the
# real API rejects unknown fields there, so the schema does too.  The response
# side stays open: the adapter (and newer API revisions) add fields.
GEMINI_TARGETS: dict[str, tuple[str, bool]] = {
    "gemini.generate_content_request": ("GenerateContentRequest", True),
    "gemini.generate_content_response": ("GenerateContentResponse", False),
}

# OpenAPI-only keywords that mean nothing (or something else) to a JSON Schema
# validator; dropped so the output is plain 2020-12.
OPENAPI_ONLY_KEYWORDS = {"discriminator", "example", "xml", "externalDocs"}

# Keywords whose value is a schema / a list of schemas / a map of schemas. We
# only rewrite inside these, so data-valued keywords (enum, const, default,
# examples) and property *names* are never mistaken for schema keywords.
SUBSCHEMA_KEYWORDS = {
    "items", "additionalProperties", "not", "if", "then", "else", "contains",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties",
}
SUBSCHEMA_LIST_KEYWORDS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SUBSCHEMA_MAP_KEYWORDS = {"properties", "patternProperties", "$defs", "dependentSchemas"}

# Discovery fields whose description says "Required." but which the REST API
# does not in fact require in the JSON body; enforcing them would reject real,
# accepted traffic.
GEMINI_NOT_REQUIRED: dict[str, set[str]] = {
    # The model is part of the URL path (models/{model}:generateContent).
    "GenerateContentRequest": {"model"},
    # Function declarations without a description are accepted (and common:
    # OpenAI tools make `description` optional).
    "FunctionDeclaration": {"description"},
    # A Schema that is only `anyOf` (or only `$ref`-like) carries no type.
    "Schema": {"type"},
}

# Free-form google.protobuf.Struct / Value fields: arbitrary user JSON, so no
# strictness and no snake_case aliasing may be applied inside them.  (They are
# `type: any` or `additionalProperties: {type: any}` in the discovery document,
# which the converter already leaves open; listed for the tests/docs.)
GEMINI_FREE_FORM = {"args", "response", "responseJsonSchema", "parametersJsonSchema",
                    "_responseJsonSchema"}

# Types the discovery document references but does not define.  Without a
# definition the schema would not be self-contained.  Shape taken from the
# google-genai SDKs' PartMediaResolution (level + numTokens), which is what the
# API accepts on Part.mediaResolution.
GEMINI_MISSING_TYPES: dict[str, dict[str, Any]] = {
    "MediaResolution": {
        "id": "MediaResolution",
        "description": "Per-part media resolution. NOT in the discovery document "
        "(dangling $ref there); shape from the google-genai SDK PartMediaResolution.",
        "type": "object",
        "properties": {
            "level": {
                "type": "string",
                "enum": [
                    "MEDIA_RESOLUTION_UNSPECIFIED",
                    "MEDIA_RESOLUTION_LOW",
                    "MEDIA_RESOLUTION_MEDIUM",
                    "MEDIA_RESOLUTION_HIGH",
                    "MEDIA_RESOLUTION_ULTRA_HIGH",
                ],
            },
            "numTokens": {"type": "integer", "format": "int32"},
        },
    },
}

INT64_PATTERN = r"^-?[0-9]+$"
# Standard and URL-safe alphabets: the API's base64 decoder accepts both.  The
# pattern catches e.g. a whole `data:` URL pasted into `inlineData.data`.
BASE64_PATTERN = r"^[A-Za-z0-9+/_-]*={0,2}$"
DURATION_PATTERN = r"^-?[0-9]+(\.[0-9]{1,9})?s$"


# ---------------------------------------------------------------- shared ----


def _walk_refs(node: Any, found: Callable[[str], None]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found(ref)
        for value in node.values():
            _walk_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk_refs(value, found)


def _closure(root: str, schemas: dict[str, Any], ref_name: Callable[[str], str]) -> list[str]:
    """Names reachable from `root` (root included), in a stable order."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in schemas:
            raise SystemExit(f"unresolvable reference to {name!r} (reached from {root})")
        seen.add(name)
        _walk_refs(schemas[name], lambda r: stack.append(ref_name(r)))
    return sorted(seen)


def _document(root: str, title: str, source: str, defs: dict[str, JSONSchema],
              refers_to_root: bool) -> JSONSchema:
    body = copy.deepcopy(defs[root])
    doc: JSONSchema = {
        "$schema": DRAFT,
        "$comment": f"GENERATED by schemas/build.py from {source}; do not edit by hand.",
        "title": title,
    }
    doc.update(body)
    others = {k: v for k, v in defs.items() if k != root or refers_to_root}
    if others:
        doc["$defs"] = others
    return doc


def _refers_to(name: str, defs: dict[str, JSONSchema]) -> bool:
    target = f"#/$defs/{name}"
    hits: list[str] = []
    _walk_refs(defs, lambda r: hits.append(r) if r == target else None)
    return bool(hits)


# ---------------------------------------------------------------- OpenAI ----


def _openai_ref_name(ref: str) -> str:
    if not ref.startswith(OPENAI_REF_PREFIX):
        raise SystemExit(f"unsupported $ref {ref!r}")
    return ref[len(OPENAI_REF_PREFIX):]


def convert_openai(node: Any, owner: str = "") -> Any:
    """Rewrite one OpenAPI 3.1 schema node into plain JSON Schema 2020-12.

    `owner` is the component the node belongs to: the spec's draft 2019-09 recursion
    (`$recursiveAnchor: true` + `$recursiveRef: "#"`, in CompoundFilter) becomes a plain
    `$ref` to that component."""
    if not isinstance(node, dict):
        return node
    out: JSONSchema = {}
    for key, value in node.items():
        if key.startswith("x-") or key in OPENAPI_ONLY_KEYWORDS or key == "nullable":
            continue
        if key == "$recursiveAnchor":
            continue
        if key == "$recursiveRef" and value == "#" and owner:
            out["$ref"] = "#/$defs/" + owner
        elif key == "$ref":
            out[key] = "#/$defs/" + _openai_ref_name(value)
        elif key in SUBSCHEMA_KEYWORDS:
            out[key] = convert_openai(value, owner)
        elif key in SUBSCHEMA_LIST_KEYWORDS:
            out[key] = [convert_openai(v, owner) for v in value]
        elif key in SUBSCHEMA_MAP_KEYWORDS:
            out[key] = {k: convert_openai(v, owner) for k, v in value.items()}
        else:
            out[key] = copy.deepcopy(value)
    if node.get("nullable") is True:
        # `nullable` is an OpenAPI 3.0 keyword that 3.1 validators ignore, yet
        # this spec still uses it (e.g. chunk `usage`).  Honour its intent: the
        # value may be null.  Wrapping (rather than adding "null" to `type`)
        # also works for $ref and enum nodes.
        description = out.pop("description", None)
        wrapped: JSONSchema = {"anyOf": [out, {"type": "null"}]}
        if description is not None:
            wrapped = {"description": description, **wrapped}
        return wrapped
    return out


def build_openai(spec_path: Path) -> dict[str, JSONSchema]:
    with spec_path.open(encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas: dict[str, Any] = spec["components"]["schemas"]
    version = spec.get("info", {}).get("version", "?")
    source = f"OpenAI OpenAPI {spec.get('openapi', '?')} spec, info.version {version}"
    out: dict[str, JSONSchema] = {}
    for stem, root in OPENAI_TARGETS.items():
        names = _closure(root, schemas, _openai_ref_name)
        defs = {name: convert_openai(schemas[name], name) for name in names}
        out[stem] = _document(root, root, f"{source}, components.schemas.{root}", defs,
                              _refers_to(root, defs))
    return out


# ---------------------------------------------------------------- Gemini ----


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _enum_spellings(values: Iterable[str]) -> list[str]:
    # The API parses enum names case-insensitively (SDKs send e.g. Schema
    # type "object" as well as "OBJECT"); accept the declared spelling plus its
    # upper- and lower-case forms, nothing fuzzier.
    out: list[str] = []
    for value in values:
        for spelling in (value, value.upper(), value.lower()):
            if spelling not in out:
                out.append(spelling)
    return out


def convert_gemini(node: dict[str, Any], *, strict: bool, owner: str | None = None) -> JSONSchema:
    """Rewrite one discovery-document schema node into JSON Schema 2020-12.

    `owner` is the discovery type name when `node` is a top-level type (it
    picks up that type's "Required." fields).
    """
    out: JSONSchema = {}
    if "description" in node:
        out["description"] = node["description"]
    if node.get("deprecated"):
        out["deprecated"] = True
    if node.get("readOnly"):
        out["readOnly"] = True

    if "$ref" in node:
        out["$ref"] = "#/$defs/" + node["$ref"]
        return out

    kind = node.get("type")
    fmt = node.get("format")
    if kind == "any":
        return out  # any JSON value
    if kind == "string" and fmt in ("int64", "uint64"):
        # proto3 JSON writes 64-bit integers as strings but parsers accept numbers.
        out["type"] = ["string", "integer"]
        out["pattern"] = INT64_PATTERN if fmt == "int64" else r"^[0-9]+$"
        if fmt == "uint64":
            out["minimum"] = 0
        return out
    if kind == "integer":
        out["type"] = "integer"
        if fmt == "uint32":
            out["minimum"] = 0
        return out
    if kind in ("number", "boolean"):
        out["type"] = kind
        return out
    if kind == "string":
        out["type"] = "string"
        if fmt == "byte":
            out["contentEncoding"] = "base64"
            out["pattern"] = BASE64_PATTERN
        elif fmt == "google-datetime":
            out["format"] = "date-time"
        elif fmt == "google-duration":
            out["pattern"] = DURATION_PATTERN
        if "enum" in node:
            out["enum"] = _enum_spellings(node["enum"]) if strict else list(node["enum"])
        return out
    if kind == "array":
        out["type"] = "array"
        out["items"] = convert_gemini(node.get("items", {"type": "any"}), strict=strict)
        return out
    if kind == "object":
        out["type"] = "object"
        if "additionalProperties" in node:
            # A map<string, V> (or a Struct when V is `any`): keys are user data.
            out["additionalProperties"] = convert_gemini(node["additionalProperties"],
                                                         strict=strict)
            return out
        props: dict[str, JSONSchema] = {}
        for name, sub in node.get("properties", {}).items():
            converted = convert_gemini(sub, strict=strict)
            props[name] = converted
            if strict and snake_case(name) != name:
                # Same field, proto spelling: the API accepts both.
                props[snake_case(name)] = {"$comment": f"snake_case alias of {name}",
                                           **converted}
        out["properties"] = props
        required = [
            name for name, sub in node.get("properties", {}).items()
            if str(sub.get("description", "")).startswith("Required.")
            and name not in GEMINI_NOT_REQUIRED.get(owner or "", set())
        ]
        if required and not strict:
            out["required"] = required
        elif required:
            # Either spelling satisfies the requirement.
            out["allOf"] = [
                {"anyOf": [{"required": [name]}, {"required": [snake_case(name)]}]}
                if snake_case(name) != name else {"required": [name]}
                for name in required
            ]
        if strict:
            out["additionalProperties"] = False
        return out
    raise SystemExit(f"unhandled discovery schema node: {json.dumps(node)[:200]}")


def build_gemini(doc_path: Path) -> dict[str, JSONSchema]:
    with doc_path.open(encoding="utf-8") as fh:
        discovery = json.load(fh)
    schemas: dict[str, Any] = dict(discovery["schemas"])
    for name, patch in GEMINI_MISSING_TYPES.items():
        if name in schemas:
            print(f"note: discovery now defines {name}; patch no longer needed",
                  file=sys.stderr)
        else:
            schemas[name] = patch
    source = (f"Gemini discovery document {discovery.get('id', '?')} "
              f"revision {discovery.get('revision', '?')}")
    out: dict[str, JSONSchema] = {}
    for stem, (root, strict) in GEMINI_TARGETS.items():
        names = _closure(root, schemas, lambda r: r)
        defs = {name: convert_gemini(schemas[name], strict=strict, owner=name)
                for name in names}
        out[stem] = _document(root, root, f"{source}, schemas.{root}", defs,
                              _refers_to(root, defs))
    return out


# ------------------------------------------------------------------ main ----


def _check(schema: JSONSchema, stem: str) -> None:
    try:
        from jsonschema import Draft202012Validator
    except ImportError:  # the generator itself does not need jsonschema
        return
    Draft202012Validator.check_schema(schema)
    # Every $ref must resolve inside the file (self-contained).
    defs = schema.get("$defs", {})
    missing: list[str] = []
    _walk_refs(schema, lambda r: missing.append(r)
               if not (r.startswith("#/$defs/") and r[len("#/$defs/"):] in defs) else None)
    if missing:
        raise SystemExit(f"{stem}: unresolved refs {sorted(set(missing))}")


def _allow_null_fingerprint(schema: Any) -> None:
    """Behaviour S1 has `system_fingerprint: null` (Gemini has no fingerprint); the OpenAI SDK
    types it Optional, but the OpenAPI spec says string: allow null, as the SDK does."""
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and props.get("system_fingerprint", {}).get("type") == "string":
            fingerprint = props["system_fingerprint"]
            fingerprint.pop("type")
            fingerprint["anyOf"] = [{"type": "string"}, {"type": "null"}]
        for value in schema.values():
            _allow_null_fingerprint(value)
    elif isinstance(schema, list):
        for value in schema:
            _allow_null_fingerprint(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openai", type=Path, required=True, help="OpenAI openapi.yaml")
    parser.add_argument("--discovery", type=Path, required=True,
                        help="Gemini v1beta discovery JSON")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)

    outputs = {**build_openai(args.openai), **build_gemini(args.discovery)}
    for stem in ("openai.chat_completion", "openai.chat_chunk"):
        _allow_null_fingerprint(outputs[stem])
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, schema in outputs.items():
        _check(schema, stem)
        path = args.out / f"{stem}.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        print(f"wrote {path} ({len(schema.get('$defs', {}))} $defs)")
    # One build step for everything derived from the discovery document: the emulator's
    # field table too, and then the adapter's TypedDicts from the schemas just written.
    sys.path.insert(0, str(OUT_DIR.parent))
    from gemini_emulator import build_fields

    build_fields.main([str(args.discovery)])
    import typeddicts

    return typeddicts.main([])


if __name__ == "__main__":
    raise SystemExit(main())
