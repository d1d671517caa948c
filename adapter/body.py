"""Reading request bodies under the size limit, and parsing JSON bodies safely."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

from adapter.errors import AdapterError, invalid_request

MAX_JSON_DEPTH = 64


def too_large(limit: int) -> AdapterError:
    return AdapterError(413, f"Request body larger than {limit} bytes.", code="request_too_large")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body (bytes). Raises AdapterError 413 as soon as it passes `limit` bytes,
    without buffering past it; ClientDisconnect if the client goes away."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    # ASGI messages read directly: Request.stream()'s generator showed in profiles.
    receive = request.receive
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        more = message.get("more_body", False)
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON. Raises 400 `invalid_json` for bad JSON or nesting deeper than
    MAX_JSON_DEPTH levels, 413 past `limit` bytes."""
    raw = await read_body(request, limit)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid_request(f"The body is not valid JSON: {exc}.", code="invalid_json") from None
    # Counting brackets is C-speed; only a body with that many can nest that deep.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _too_deep(body, MAX_JSON_DEPTH):
        raise invalid_request(
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", code="invalid_json"
        )
    return body


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False
