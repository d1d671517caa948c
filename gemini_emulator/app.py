"""The emulator's Starlette app: routes, auth, body parsing, faults and response framing.

Works standalone (`uvicorn.run(create_app())`) and mounted under a prefix
(`Mount("/emulator", app=create_app())`): routes are relative to the mount point.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gemini_emulator import count, embed, faults, media, models, render, reply, validate, vertex
from gemini_emulator.errors import (
    GoogleError,
    field_violations,
    invalid_key,
    missing_key,
    model_not_found,
)

JSON_TYPE = "application/json; charset=UTF-8"
SSE_TYPE = "text/event-stream"
MAX_NESTING = 100
# System parameters every Google API accepts on any method; anything else is a 400.
SYSTEM_PARAMS = frozenset(
    {
        "key",
        "alt",
        "$alt",
        "prettyPrint",
        "fields",
        "quotaUser",
        "$.xgafv",
        "access_token",
        "oauth_token",
        "callback",
        "upload_protocol",
        "uploadType",
        "userIp",
    }
)
LIST_PARAMS = SYSTEM_PARAMS | {"pageSize", "pageToken"}
GENERATE_METHODS = ("generateContent", "streamGenerateContent")
EMBED_METHOD = "batchEmbedContents"
COUNT_METHOD = "countTokens"
PREDICT_METHOD = "predict"


def create_app(
    *,
    slow_delay: float = 2.0,
    event_delay: float = 0.005,
    vertex_token_check: vertex.TokenCheck | None = None,
) -> Starlette:
    """Build the emulator: the Gemini API's paths and Vertex AI's (`vertex.py`).

    `slow_delay` is how long `fault-slow` holds back its first byte; `event_delay`
    is the pause between stream events, so clients really receive them one by one.
    `vertex_token_check` decides which OAuth bearer tokens the Vertex paths accept.
    """
    emulator = _Emulator(slow_delay=slow_delay, event_delay=event_delay)
    routes = []
    for version in ("v1beta", "v1"):  # the Gemini API serves both; google-genai 3.x uses v1
        routes += [
            Route(f"/{version}/models", emulator.list_models, methods=["GET"]),
            Route(f"/{version}/models/{{name}}", emulator.get_model, methods=["GET"]),
            Route(f"/{version}/models/{{name}}", emulator.call_model, methods=["POST"]),
        ]
    routes += vertex.routes(emulator, vertex_token_check)
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error})


def error_response(error: GoogleError) -> Response:
    return Response(orjson.dumps(error.body()), status_code=error.code, media_type=JSON_TYPE)


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    message = "Method not allowed." if code == 405 else "Requested entity was not found."
    return error_response(GoogleError(code, message))


def _check_key(request: Request) -> None:
    """Accept any key except the literal `invalid`; never store or echo it."""
    key = request.headers.get("x-goog-api-key")
    if not key:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else ""
    if not key:
        key = request.query_params.get("key", "")
    if not key:
        raise missing_key()
    if key == "invalid":
        raise invalid_key()


def _check_params(request: Request, allowed: frozenset[str]) -> None:
    unknown = [name for name in request.query_params if name not in allowed]
    if unknown:
        raise field_violations(
            [
                (
                    "",
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query'
                    f" parameter. Field '{name}' could not be found in request message.",
                )
                for name in unknown
            ]
        )


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}  # The service parses an empty body as an empty message.
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise field_violations([("", "Invalid JSON payload received. Unexpected token.")]) from None
    if not isinstance(body, dict):
        raise field_violations(
            [
                (
                    "",
                    'Invalid JSON payload received. Unknown name "":'
                    " Root element must be a message.",
                )
            ]
        )
    if _too_deep(body):
        raise field_violations([("", "Invalid JSON payload received. Message nested too deeply.")])
    return body


class _Emulator:
    def __init__(self, *, slow_delay: float, event_delay: float) -> None:
        self.slow_delay = slow_delay
        self.event_delay = event_delay

    async def list_models(self, request: Request) -> Response:
        try:
            _check_key(request)
            _check_params(request, LIST_PARAMS)
            size, offset = self._page(request)
        except GoogleError as error:
            return error_response(error)
        page = models.CATALOGUE[offset : offset + size]
        body: dict[str, Any] = {"models": [models.describe(info.name) for info in page]}
        if offset + size < len(models.CATALOGUE):
            body["nextPageToken"] = str(offset + size)
        return Response(orjson.dumps(body), media_type=JSON_TYPE)

    @staticmethod
    def _page(request: Request) -> tuple[int, int]:
        size_text = request.query_params.get("pageSize", "") or "50"
        token = request.query_params.get("pageToken", "") or "0"
        if not (size_text.isascii() and size_text.isdigit()):
            raise GoogleError(400, f"Invalid value at 'page_size' (TYPE_INT32), \"{size_text}\"")
        if not (token.isascii() and token.isdigit()):
            raise GoogleError(400, "Invalid page token.")
        # Like the service: 0 means the default page size, and large sizes are capped.
        return min(int(size_text) or 50, 1000), int(token)

    async def get_model(self, request: Request) -> Response:
        name = models.strip_prefix(request.path_params["name"])
        try:
            _check_key(request)
            _check_params(request, SYSTEM_PARAMS)
            if ":" in name or not models.is_known(name):
                raise GoogleError(404, f"models/{name} is not found for API version v1beta.")
        except GoogleError as error:
            return error_response(error)
        return Response(orjson.dumps(models.describe(name)), media_type=JSON_TYPE)

    async def call_model(self, request: Request) -> Response:
        model, _, method = request.path_params["name"].rpartition(":")
        try:
            _check_key(request)
            _check_params(request, SYSTEM_PARAMS)
            if method not in (*GENERATE_METHODS, EMBED_METHOD, COUNT_METHOD, PREDICT_METHOD):
                raise GoogleError(404, "Requested entity was not found.")
            if not model:
                raise GoogleError(404, "Requested entity was not found.")
            if not models.supports(model, method):
                raise model_not_found(model, method)
            body = await _json_body(request)
            if method == EMBED_METHOD:
                payload = embed.batch(validate.check_embed(body, model), model)
                self._raise_fault(model)
                return await self._send_json(model, payload)
            if method == COUNT_METHOD:
                payload = count.count_tokens(body, model)
                self._raise_fault(model)
                return await self._send_json(model, payload)
            if method == PREDICT_METHOD:
                return await self._send_json(model, media.predict(body, model))
        except GoogleError as error:
            return error_response(error)
        return await self.generate(
            body, model, method, sse=request.query_params.get("alt") == "sse"
        )

    async def generate(
        self, body: dict[str, Any], model: str, method: str, *, sse: bool
    ) -> Response:
        """generateContent / streamGenerateContent on a parsed body: the Gemini API's paths
        and Vertex's (`vertex.py`) answer alike."""
        try:
            native = validate.check_generate(body, model)
            media_events = media.reply_for(native, model)
            plan = reply.build(native, model) if media_events is None else None
            self._raise_fault(model)
        except GoogleError as error:
            return error_response(error)
        if media_events is not None:
            if method == "generateContent":
                return await self._send_json(model, media.merge(media_events))
            return await self._send_stream(model, media_events, sse=sse)
        assert plan is not None
        if method == "generateContent":
            return await self._send_json(model, render.response(plan))
        return await self._send_stream(model, render.events(plan), sse=sse)

    @staticmethod
    def _raise_fault(model: str) -> None:
        error = faults.error_for(model)
        if error is not None:
            raise error

    async def _send_json(self, model: str, payload: dict[str, Any]) -> Response:
        if model == faults.SLOW:
            await asyncio.sleep(self.slow_delay)
        body = faults.BAD_BODY if model == faults.BAD_JSON else orjson.dumps(payload)
        if model == faults.CUT:
            return StreamingResponse(
                faults.cut_after([body[: len(body) // 2]]),
                media_type=JSON_TYPE,
                headers={"content-length": str(len(body))},
            )
        return Response(body, media_type=JSON_TYPE)

    async def _send_stream(
        self, model: str, events: list[dict[str, Any]], *, sse: bool
    ) -> Response:
        if model == faults.SLOW:
            await asyncio.sleep(self.slow_delay)
        cut = model == faults.CUT
        if cut:
            events = events[: min(faults.CUT_AFTER_EVENTS, len(events) - 1)]
        if model == faults.BAD_JSON:
            events = [*events[:1], orjson.loads(faults.BAD_BODY)]
        if sse:
            chunks = [b"data: " + orjson.dumps(e) + b"\r\n\r\n" for e in events]
        else:
            # The JSON-array stream is one array written element by element.
            chunks = [
                (b"[" if i == 0 else b",\r\n") + orjson.dumps(e) for i, e in enumerate(events)
            ]
            if not cut:
                chunks.append(b"]" if chunks else b"[]")
        return StreamingResponse(
            self._paced(chunks, cut=cut), media_type=SSE_TYPE if sse else JSON_TYPE
        )

    async def _paced(self, chunks: list[bytes], *, cut: bool) -> AsyncIterator[bytes]:
        for i, chunk in enumerate(chunks):
            if i:
                await asyncio.sleep(self.event_delay)
            yield chunk
        if cut:
            async for chunk in faults.cut_after([]):
                yield chunk
