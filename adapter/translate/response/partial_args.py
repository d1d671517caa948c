"""Vertex streamed function-call arguments (`functionCall.partialArgs`) -> the args object.

Each piece is `{"jsonPath": "$.a.b[0]", "stringValue"|"numberValue"|"boolValue"|
"nullValue": ..., "willContinue": bool}`. Paths are RFC 9535 normalized paths: member
names as `.name` or `['name']` / `["name"]` (any characters, with `\\` escapes), array
indexes as `[0]`. A string value whose piece had `willContinue` set goes on in the next
piece for the same path, which is appended; any other value replaces what the path held.
Source: Vertex AI `PartialArg` (FunctionCall.partial_args) reference, and the recording
tests/fixtures/gemini/vertex_gemini-3.1-pro-preview_stream_partial_function_args.json.
"""

from __future__ import annotations

from typing import Any

Key = str | int

_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\"}


def parse_path(path: str) -> list[Key] | None:
    """`$.a['b.c'][2]` -> ["a", "b.c", 2]; None for a path that is not understood."""
    if not path.startswith("$"):
        return None
    keys: list[Key] = []
    i, n = 1, len(path)
    while i < n:
        char = path[i]
        if char == ".":
            j = i + 1
            while j < n and path[j] not in ".[":
                j += 1
            if j == i + 1:
                return None
            keys.append(path[i + 1 : j])
            i = j
        elif char == "[":
            if i + 1 < n and path[i + 1] in "'\"":
                quote = path[i + 1]
                j = i + 2
                name = []
                while j < n and path[j] != quote:
                    if path[j] == "\\" and j + 1 < n:
                        escaped = path[j + 1]
                        if escaped == "u" and j + 5 < n:
                            name.append(chr(int(path[j + 2 : j + 6], 16)))
                            j += 6
                            continue
                        name.append(_ESCAPES.get(escaped, escaped))
                        j += 2
                        continue
                    name.append(path[j])
                    j += 1
                if j + 1 >= n or path[j + 1] != "]":
                    return None
                keys.append("".join(name))
                i = j + 2
            else:
                j = path.find("]", i)
                if j < 0 or not (path[i + 1 : j].isascii() and path[i + 1 : j].isdigit()):
                    return None
                keys.append(int(path[i + 1 : j]))
                i = j + 1
        else:
            return None
    return keys


def _container_for(key: Key) -> Any:
    return [] if isinstance(key, int) else {}


def _step(target: Any, key: Key, next_key: Key) -> Any:
    """The child of `target` at `key`, created to hold `next_key` if missing."""
    if isinstance(key, int):
        while len(target) <= key:
            target.append(None)
        if not isinstance(target[key], list | dict):
            target[key] = _container_for(next_key)
        return target[key]
    child = target.get(key)
    if not isinstance(child, list | dict):
        child = target[key] = _container_for(next_key)
    return child


def apply_partial_args(args: dict[str, Any], partials: Any, continuing: set[str]) -> None:
    """Apply the pieces to `args` in place. `continuing` holds the paths whose last string
    piece had `willContinue` (kept by the caller between events)."""
    for partial in partials if isinstance(partials, list) else ():
        if not isinstance(partial, dict):
            continue
        path = str(partial.get("jsonPath", "$"))
        keys = parse_path(path)
        if not keys:
            continue
        target: Any = args
        for key, next_key in zip(keys, keys[1:], strict=False):
            if isinstance(key, int) != isinstance(target, list):
                break
            target = _step(target, key, next_key)
        else:
            last = keys[-1]
            if isinstance(last, int) != isinstance(target, list):
                continue
            if isinstance(last, int):
                while len(target) <= last:
                    target.append(None)
            if "stringValue" in partial:
                piece = str(partial["stringValue"])
                if path in continuing:
                    current = target[last]
                    piece = (current if isinstance(current, str) else "") + piece
                target[last] = piece
                if partial.get("willContinue"):
                    continuing.add(path)
                else:
                    continuing.discard(path)
                continue
            continuing.discard(path)
            if "numberValue" in partial:
                target[last] = partial["numberValue"]
            elif "boolValue" in partial:
                target[last] = partial["boolValue"]
            elif "nullValue" in partial:
                target[last] = None
