"""Build `fields.json`, the emulator's compact table of request message types.

Run once (the output is committed) with the Gemini v1beta discovery document:

    python -m gemini_emulator.build_fields path/to/gemini-v1beta-discovery.json

The table maps each request message to its fields and a type string:
scalar kinds (`string`, `bool`, `int32`, `int64`, `number`, `bytes`, `duration`,
`timestamp`, `enum`), `any` (any JSON value), `struct` (a free-form object whose
keys are never checked), `map<T>`, a message name, and a `[]` suffix for repeated
fields. Enum values live under `enums["Message.field"]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOTS: dict[str, str] = {
    "generateContent": "GenerateContentRequest",
    "batchEmbedContents": "BatchEmbedContentsRequest",
}

# Fields the discovery doc lacks but real traffic carries: Vertex AI accepts these on
# the same request shape, and the adapter may target a Vertex-compatible proxy, so a
# recorded Vertex request must not be rejected as having unknown fields.
EXTRA_FIELDS: dict[str, dict[str, str]] = {
    "GenerateContentRequest": {"labels": "map<string>", "modelArmorConfig": "ModelArmorConfig"},
    "ModelArmorConfig": {"promptTemplateName": "string", "responseTemplateName": "string"},
}

STRING_FORMATS: dict[str, str] = {
    "byte": "bytes",
    "int64": "int64",
    "uint64": "int64",
    "google-duration": "duration",
    "google-datetime": "timestamp",
}


class _Builder:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.messages: dict[str, dict[str, str]] = {}
        self.enums: dict[str, list[str]] = {}
        self.unresolved: list[str] = []

    def add(self, name: str) -> None:
        if name in self.messages:
            return
        if name not in self.schemas:
            # The discovery doc references a few schemas it never defines; accepting
            # any object there is safer than rejecting valid requests.
            self.unresolved.append(name)
            return
        fields: dict[str, str] = {}
        self.messages[name] = fields
        for field, spec in sorted(self.schemas[name].get("properties", {}).items()):
            fields[field] = self.type_of(spec, f"{name}.{field}")

    def type_of(self, spec: dict[str, Any], where: str) -> str:
        if "$ref" in spec:
            ref = spec["$ref"]
            self.add(ref)
            return ref if ref in self.schemas else "struct"
        kind = spec.get("type")
        if kind == "array":
            return self.type_of(spec["items"], where) + "[]"
        if kind == "object":
            extra = spec.get("additionalProperties")
            if not isinstance(extra, dict) or extra.get("type") == "any":
                return "struct"
            return f"map<{self.type_of(extra, where)}>"
        if kind == "string":
            if "enum" in spec:
                self.enums[where] = list(spec["enum"])
                return "enum"
            return STRING_FORMATS.get(spec.get("format", ""), "string")
        if kind == "integer":
            return "int32"
        if kind == "number":
            return "number"
        if kind == "boolean":
            return "bool"
        if kind == "any":
            return "any"
        raise ValueError(f"unsupported discovery type {kind!r} at {where}")


def build(discovery: dict[str, Any]) -> dict[str, Any]:
    builder = _Builder(discovery["schemas"])
    for root in ROOTS.values():
        builder.add(root)
    for message, extra in EXTRA_FIELDS.items():
        builder.messages.setdefault(message, {}).update(extra)
    return {
        "source": {
            "id": discovery.get("id"),
            "revision": discovery.get("revision"),
            "extras": "Vertex-only fields added by build_fields.EXTRA_FIELDS",
        },
        "roots": ROOTS,
        "messages": {name: builder.messages[name] for name in sorted(builder.messages)},
        "enums": {name: builder.enums[name] for name in sorted(builder.enums)},
        "unresolved": sorted(set(builder.unresolved)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("discovery", type=Path, help="path to the v1beta discovery JSON")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(__file__).with_name("fields.json"),
        help="where to write the table (default: next to this script)",
    )
    args = parser.parse_args(argv)
    table = build(json.loads(args.discovery.read_text(encoding="utf-8")))
    args.output.write_text(json.dumps(table, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {len(table['messages'])} messages to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
