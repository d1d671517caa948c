"""Structural checking of a JSON request against `fields.json`, like the service's parser.

`canonical()` rejects unknown field names, wrong JSON kinds, bad enum values and
bad base64 the way the real API does (400 with `BadRequest` field violations), and
returns a copy whose message keys are all camelCase, so later code never has to
care that callers may spell fields in snake_case.
"""

from __future__ import annotations

import binascii
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from gemini_emulator.errors import field_violations

TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1beta."
SCALAR_LABELS: dict[str, str] = {
    "string": "TYPE_STRING",
    "bool": "TYPE_BOOL",
    "int32": "TYPE_INT32",
    "int64": "TYPE_INT64",
    "number": "TYPE_FLOAT",
    "bytes": "TYPE_BYTES",
    "duration": "type.googleapis.com/google.protobuf.Duration",
    "timestamp": "type.googleapis.com/google.protobuf.Timestamp",
    "struct": "type.googleapis.com/google.protobuf.Struct",
}
SCALAR_KINDS = frozenset(
    {"string", "bool", "int32", "int64", "number", "bytes", "duration", "timestamp", "enum"}
)
BASE64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")
INTEGER = re.compile(r"-?\d+")
DURATION = re.compile(r"-?\d+(\.\d+)?s")
SNAKE_PART = re.compile(r"(?<=[a-z0-9])_([a-z0-9])")
CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@cache
def table() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        Path(__file__).with_name("fields.json").read_text(encoding="utf-8")
    )
    return loaded


def snake(name: str) -> str:
    """The proto field name the service uses in error paths."""
    return CAMEL_HUMP.sub(r"_\1", name).lower()


def camel(name: str) -> str:
    return SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def is_base64(text: str) -> bool:
    """True if the service's lenient decoder (standard or URL-safe alphabet) accepts it."""
    if not BASE64.fullmatch(text):
        return False
    body = text.rstrip("=")
    if len(body) % 4 == 1 or (text != body and len(text) % 4):
        return False
    try:
        binascii.a2b_base64(body.replace("-", "+").replace("_", "/") + "=" * (-len(body) % 4))
    except binascii.Error:
        return False
    return True


class _Walker:
    def __init__(self) -> None:
        self.messages: dict[str, dict[str, str]] = table()["messages"]
        self.enums: dict[str, list[str]] = table()["enums"]
        self.violations: list[tuple[str, str]] = []

    def bad_value(self, path: str, label: str, value: Any) -> None:
        self.violations.append((path, f"Invalid value at '{path}' ({label}), {json_text(value)}"))

    def bad_name(self, parent: str, key: str, problem: str) -> None:
        where = f" at '{parent}'" if parent else ""
        self.violations.append(
            (parent, f'Invalid JSON payload received. Unknown name "{key}"{where}: {problem}')
        )

    def message(self, value: Any, name: str, path: str) -> dict[str, Any]:
        fields = self.messages[name]
        out: dict[str, Any] = {}
        for key, item in value.items():
            field = key if key in fields else camel(key)
            if field not in fields:
                self.bad_name(path, key, "Cannot find field.")
                continue
            if item is None:
                continue  # JSON null means "not set" to the proto parser.
            kind = fields[field]
            child = f"{path}.{snake(field)}" if path else snake(field)
            if isinstance(item, list) and not kind.endswith("[]"):
                self.bad_name(path, key, "Proto field is not repeating, cannot start list.")
                continue
            if isinstance(item, dict) and kind in SCALAR_KINDS:
                self.bad_name(path, key, "Starting an object on a scalar field")
                continue
            out[field] = self.value(item, kind, child, f"{name}.{field}")
        return out

    def value(self, value: Any, kind: str, path: str, where: str) -> Any:
        if kind.endswith("[]"):
            if not isinstance(value, list):
                self.bad_value(path, self.label(kind[:-2], where), value)
                return []
            return [self.value(v, kind[:-2], f"{path}[{i}]", where) for i, v in enumerate(value)]
        if kind.startswith("map<"):
            if not isinstance(value, dict):
                self.bad_value(path, self.label("struct", where), value)
                return {}
            inner = kind[4:-1]
            return {
                k: self.value(v, inner, f"{path}[{i}].value", where)
                for i, (k, v) in enumerate(value.items())
            }
        if kind in self.messages:
            if not isinstance(value, dict):
                self.bad_value(path, TYPE_PREFIX + kind, value)
                return {}
            return self.message(value, kind, path)
        if not self.scalar_ok(value, kind, where):
            if kind == "bytes" and isinstance(value, str):
                self.violations.append(
                    (
                        path,
                        f"Invalid value at '{path}' (TYPE_BYTES),"
                        f" Base64 decoding failed for {json_text(value)}",
                    )
                )
            else:
                self.bad_value(path, self.label(kind, where), value)
        if kind == "enum" and isinstance(value, str):
            # The service matches enum names case-insensitively; later code wants one spelling.
            return self.enum_names(where).get(value.upper(), value)
        return value

    def enum_names(self, where: str) -> dict[str, str]:
        return {name.upper(): name for name in self.enums[where]}

    def label(self, kind: str, where: str) -> str:
        if kind == "enum":
            message, field = where.split(".", 1)
            return f"{TYPE_PREFIX}{message}.{field[0].upper()}{field[1:]}"
        return SCALAR_LABELS.get(kind, TYPE_PREFIX + kind)

    def scalar_ok(self, value: Any, kind: str, where: str) -> bool:
        if kind in ("any", "struct"):
            return kind == "any" or isinstance(value, dict)
        if isinstance(value, bool):
            return kind == "bool"
        if kind in ("string", "timestamp"):
            return isinstance(value, str)
        if kind == "bytes":
            return isinstance(value, str) and is_base64(value)
        if kind == "duration":
            return isinstance(value, str) and bool(DURATION.fullmatch(value))
        if kind in ("int32", "int64"):
            if isinstance(value, float):
                return value.is_integer()
            return isinstance(value, int) or (
                isinstance(value, str) and bool(INTEGER.fullmatch(value))
            )
        if kind == "number":
            return isinstance(value, int | float) or (isinstance(value, str) and _is_number(value))
        if kind == "enum":
            if isinstance(value, int):
                return 0 <= value < len(self.enums[where])
            return isinstance(value, str) and value.upper() in self.enum_names(where)
        return False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def canonical(body: dict[str, Any], root: str) -> dict[str, Any]:
    """Check `body` as message `root`; raise the service's 400 listing every problem."""
    walker = _Walker()
    out = walker.message(body, root, "")
    if walker.violations:
        raise field_violations(walker.violations)
    return out
