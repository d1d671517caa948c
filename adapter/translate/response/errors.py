"""Native errors -> OpenAI errors: the field a native violation names, on the OpenAI path.

A native 400 names fields of the GenerateContentRequest (`contents[2].parts[0]`,
`tools[0].functionDeclarations[1]`); the client knows `messages[4].content[0]` and
`tools[1]`. `NativeRequest.content_sources` maps each native content back to its message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from adapter.errors import AdapterError, upstream_error

_CONTENT = re.compile(r"contents\[(\d+)\](?:\.parts\[(\d+)\])?")
_DECLARATION = re.compile(r"tools\[(\d+)\]\.function_?[dD]eclarations\[(\d+)\]")


def openai_param(native_field: str, content_sources: Sequence[int]) -> str | None:
    """`contents[2].parts[0]` -> `messages[4].content[0]` when the mapping is known.

    Part indexes are kept as given: a message's parts map one to one unless empty text
    parts were dropped, which the native API would not complain about."""
    match = _CONTENT.match(native_field)
    if match:
        index = int(match.group(1))
        if index < len(content_sources):
            path = f"messages[{content_sources[index]}]"
            if match.group(2) is not None:
                path += f".content[{match.group(2)}]"
            return path
        return None
    match = _DECLARATION.match(native_field)
    if match:
        return f"tools[{match.group(2)}]"
    return None


def with_openai_param(error: AdapterError, content_sources: Sequence[int]) -> AdapterError:
    """Set `param` from the first native field violation that maps (in place; returned)."""
    if error.param is None:
        for native_field in error.native_fields:
            param = openai_param(native_field, content_sources)
            if param:
                error.param = param
                break
    return error


def error_from_native(
    status: int,
    payload: Any,
    *,
    secrets: tuple[str, ...] = (),
    content_sources: Sequence[int] | None = None,
    upstream: str | None = None,
) -> AdapterError:
    """A native error reply -> the OpenAI error the client sees (docs/translation.md,
    "Errors"): adapter.errors.upstream_error, then `param` on the OpenAI path."""
    error = upstream_error(status, payload, secrets=secrets, upstream=upstream)
    return with_openai_param(error, content_sources or ())


def bad_upstream_reply(what: str) -> AdapterError:
    """A 2xx upstream reply that is not the shape `what` (docs/translation.md, "Errors")."""
    return AdapterError(502, f"The upstream reply is not a {what}.", code="bad_upstream_response")
