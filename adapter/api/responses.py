"""`POST /v1/responses` and `POST /v1/responses/input_tokens` (docs/responses.md).

The handler: key -> body -> the full input item list (`input_items_for`, the one place a
store can prepend history) -> translate -> upstream -> reply or event stream ->
`finished` (the one place the final response and its input items are both at hand, for a
store to save them).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.errors import AdapterError
from adapter.streaming import RelayResponse
from adapter.translate.responses.output import ResponseContext
from adapter.translate.responses.reply import response_from
from adapter.translate.responses.request import (
    ResponsesRequest,
    input_items,
    responses_param,
    to_native_responses,
)
from adapter.translate.responses.stream import ResponsesStream
from adapter.transport import UpstreamStream

if TYPE_CHECKING:
    from adapter.app import Service

log = logging.getLogger("adapter")
ROUTE = "responses"


class ResponsesApi:
    def __init__(self, service: Service) -> None:
        self.service = service

    # --- extension points for the response store ------------------------------------------

    async def input_items_for(self, body: dict[str, Any], key: str) -> list[Any]:
        """The full input item list of this request (history first, then `input`)."""
        return input_items(body)

    async def finished(
        self, response: dict[str, Any], items: list[Any], body: dict[str, Any], key: str
    ) -> None:
        """Called once with the final response (completed, incomplete or failed)."""

    # --- routes ---------------------------------------------------------------------------

    def _fail(self, error: AdapterError) -> Response:
        error.param = responses_param(error.param)
        return self.service.fail(ROUTE, error)

    async def _translate(self, request: Request) -> tuple[str, dict, list, ResponsesRequest]:
        service = self.service
        key = service.upstream_key(request)
        body = await service.read_json(request)
        if not isinstance(body, dict):
            raise AdapterError(400, "The request body must be a JSON object.")
        items = await self.input_items_for(body, key) if body.get("input") is not None else []
        translated = to_native_responses(
            body, service.config.model_aliases, items if body.get("input") is not None else None
        )
        if translated.native.remote_media:
            await service.fill_remote_media(translated.native)
        return key, body, items, translated

    async def create(self, request: Request) -> Response | RelayResponse:
        service = self.service
        try:
            key, body, items, translated = await self._translate(request)
            native = translated.native
            payload = orjson.dumps(native.body)
            headers = _headers(native.adjusted, native.thinking)
            ctx = ResponseContext(
                response_id=f"resp_{service.id_prefix}{next(service.id_counter):x}",
                created_at=int(time.time()),
                model=native.requested_model,
                echo=translated.echo,
                tools=translated.tools.map,
                include_encrypted=translated.include_encrypted,
                include_logprobs=translated.include_logprobs,
            )
            if native.stream:
                upstream = await service.upstream.open_stream(
                    native.model, payload, key, native.content_sources
                )
                service.metrics.response(ROUTE, 200)
                headers["content-type"] = "text/event-stream; charset=utf-8"
                headers["cache-control"] = "no-cache"
                stream = ResponsesStream(ctx)
                return RelayResponse(self._sse(upstream, stream, items, body, key), headers)
            reply = await service.upstream.generate(
                native.model, payload, key, native.content_sources
            )
            response = response_from(reply, ctx)
            await self.finished(response, items, body, key)
            service.metrics.response(ROUTE, 200)
            return Response(orjson.dumps(response), media_type="application/json", headers=headers)
        except AdapterError as error:
            return self._fail(error)

    async def _sse(
        self,
        upstream: UpstreamStream,
        stream: ResponsesStream,
        items: list[Any],
        body: dict[str, Any],
        key: str,
    ) -> AsyncIterator[bytes]:
        """Relay each upstream event as soon as it is translated; no [DONE]."""
        metrics = self.service.metrics
        metrics.active_streams += 1
        batches = upstream.batches()
        try:
            yield stream.start()
            async for batch in batches:
                data = b"".join([stream.sse_for(event) for event in batch])
                if data:
                    metrics.stream_writes += 1
                    yield data
            yield stream.finish()
        except AdapterError as error:
            log.warning("responses stream failed: %s", error.code)
            metrics.upstream_errors[error.status] += 1
            yield stream.fail(error.status, error.message)
        except Exception:  # a bug must still end the stream with response.failed
            log.exception("responses stream translation failed")
            yield stream.fail(500, "Internal error in the adapter.")
        finally:
            metrics.active_streams -= 1
            await batches.aclose()
            await upstream.aclose()
        await self.finished(stream.response, items, body, key)

    async def input_tokens(self, request: Request) -> Response:
        """The request's input tokens, counted by native `countTokens` on the translated
        request -> `{"object": "response.input_tokens", "input_tokens": N}`."""
        service = self.service
        try:
            key, _, _, translated = await self._translate(request)
            native = translated.native
            count_body = {
                "generateContentRequest": {"model": f"models/{native.model}", **native.body}
            }
            reply = await service.upstream.call_json(
                "POST",
                f"/v1beta/models/{native.model}:countTokens",
                key,
                orjson.dumps(count_body),
            )
            total = reply.get("totalTokens", 0) if isinstance(reply, dict) else 0
            service.metrics.response(ROUTE, 200)
            return Response(
                orjson.dumps({"object": "response.input_tokens", "input_tokens": total}),
                media_type="application/json",
                headers=_headers(native.adjusted, native.thinking),
            )
        except AdapterError as error:
            return self._fail(error)


def _headers(adjusted: list[str], thinking: str | None) -> dict[str, str]:
    headers = {}
    if adjusted:
        headers["x-adapter-adjusted"] = ", ".join(adjusted)
    if thinking:
        headers["x-gemini-thinking"] = thinking
    return headers


def routes(service: Service) -> list[Route]:
    api = ResponsesApi(service)
    return [
        Route(f"{prefix}/responses", api.create, methods=["POST"]) for prefix in ("/v1", "")
    ] + [
        Route(f"{prefix}/responses/input_tokens", api.input_tokens, methods=["POST"])
        for prefix in ("/v1", "")
    ]
