"""Type checks for client input: each failure is a 400 naming the field (behaviour E2, E2b)."""

from __future__ import annotations

from typing import Any

from adapter.errors import invalid_request

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
}


def describe(types: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def is_type(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python but not in JSON: `"n": true` must not pass as an integer.
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def expect(value: Any, types: tuple[type, ...], param: str) -> Any:
    if not is_type(value, types):
        raise invalid_request(
            f"Invalid type for '{param}': expected {describe(types)}, but got {json_type(value)}.",
            param=param,
            code="invalid_type",
        )
    return value


def optional(body: dict[str, Any], key: str, types: tuple[type, ...], prefix: str = "") -> Any:
    """The value of `key`, or None when absent or null (null means not given, behaviour E2b)."""
    value = body.get(key)
    if value is None:
        return None
    return expect(value, types, prefix + key)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
