"""Reading request bodies under the size limit: JSON bodies parsed safely, and
`multipart/form-data` bodies (images edits, audio uploads) parsed by python-multipart (the
parser Starlette uses) as the chunks arrive, under the same limit, never buffered past it.

Form field names follow the OpenAI SDKs' encoding: `image[]` is a list of files under
`image`; `google[image_config][aspect_ratio]` (what `extra_body` becomes in a form) is a
nested object; `timestamp_granularities[]` is a list of strings.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from adapter.errors import AdapterError, invalid_request
from adapter.translate.images_audio.common import Upload

MAX_JSON_DEPTH = 64
MAX_FORM_PARTS = 1000
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def too_large(limit: int) -> AdapterError:
    return AdapterError(413, f"Request body larger than {limit} bytes.", code="request_too_large")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body (bytes). Raises AdapterError 413 as soon as it passes `limit` bytes,
    without buffering past it; ClientDisconnect if the client goes away."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
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


async def body_chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's chunks as they arrive; 413 once past `limit` bytes (Content-Length first)."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    size = 0
    more = True
    while more:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        more = message.get("more_body", False)
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        if chunk:
            yield chunk


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    data: list[bytes] = field(default_factory=list)


@dataclass
class Form:
    fields: dict[str, Any]  # strings, lists of strings, nested objects
    files: dict[str, list[Upload]]  # by field name, `[]` removed

    def file(self, name: str) -> Upload | None:
        found = self.files.get(name)
        return found[0] if found else None


async def read_form(request: Request, limit: int) -> Form:
    """Parse a multipart body. 400 `invalid_multipart` for a malformed or non-multipart body,
    413 past `limit` bytes."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise invalid_request(
            "This endpoint takes a multipart/form-data body (with a boundary).",
            code="invalid_multipart",
        )
    parts: list[_Part] = []
    header_name: list[bytes] = []
    header_value: list[bytes] = []

    def on_part_begin() -> None:
        if len(parts) >= MAX_FORM_PARTS:
            raise invalid_request(
                f"More than {MAX_FORM_PARTS} form parts.", code="invalid_multipart"
            )
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.append(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.append(data[start:end])

    def on_header_end() -> None:
        parts[-1].headers[b"".join(header_name).decode("latin-1").lower()] = b"".join(header_value)
        header_name.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.append(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    try:
        async for chunk in body_chunks(request, limit):
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise invalid_request(
            f"The multipart body is malformed: {exc}", code="invalid_multipart"
        ) from None
    return _collect(parts)


def _collect(parts: list[_Part]) -> Form:
    fields: dict[str, Any] = {}
    files: dict[str, list[Upload]] = {}
    for part in parts:
        _, options = parse_options_header(part.headers.get("content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if not name:
            continue
        data = b"".join(part.data)
        if b"filename" in options:
            content_type = part.headers.get("content-type", b"").decode("latin-1")
            filename = options[b"filename"].decode("utf-8", "replace")
            files.setdefault(name.removesuffix("[]"), []).append(
                Upload(filename, content_type, data)
            )
            continue
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid_request(
                f"Form field '{name}' is not UTF-8 text.", param=name, code="invalid_multipart"
            ) from None
        _assign(fields, name, value)
    return Form(fields, files)


def _assign(fields: dict[str, Any], name: str, value: str) -> None:
    """`a[b][c]` -> fields["a"]["b"]["c"]; `a[]` appends to a list."""
    match = _FORM_KEY.match(name)
    if not match:
        fields[name] = value
        return
    keys = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    target: Any = fields
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if key == "":  # `[]`: a list item
            if isinstance(target, list):
                target.append(value if last else {})
                target = target[-1]
            continue
        if not isinstance(target, dict):
            return  # a shape clash (`a=1` then `a[b]=2`): keep the first
        if last:
            target[key] = value
        elif keys[i + 1] == "":
            existing = target.get(key)
            if not isinstance(existing, list):
                existing = target[key] = []
            target = existing
        else:
            existing = target.get(key)
            if not isinstance(existing, dict):
                existing = target[key] = {}
            target = existing
