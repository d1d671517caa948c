"""`POST /v1/responses` and `POST /v1/responses/input_tokens` (docs/responses.md).

The handler: key -> body -> the store's plan (`adapter.api.response_store.plan_for`:
`store`, `previous_response_id`, `conversation`, `background`, and the history they
prepend; docs/store.md) -> translate -> upstream -> reply, or the event stream relayed as
upstream events arrive -> `save` of the final response. `background: true` answers
`queued` at once and runs the same call inside the service. An upstream error before the
first event is a normal HTTP error; after it, `response.failed`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.relay import RelayResponse
from adapter.api.replies import SSE_HEADERS, adapter_headers, json_response
from adapter.api.response_store import (
    StorePlan,
    plan_for,
    queued_response,
    save,
    start_background,
    translator_body,
)
from adapter.body import read_json
from adapter.errors import AdapterError, invalid_request
from adapter.keys import upstream_key
from adapter.observability.context import current, record
from adapter.services import Services, services
from adapter.translate.request.vertex import count_tokens_body
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

log = logging.getLogger("adapter")


# --- routes -------------------------------------------------------------------------------


class _Prepared:
    def __init__(self, key: str, body: dict[str, Any], plan: StorePlan, tr: ResponsesRequest):
        self.key = key
        self.body = body
        self.plan = plan
        self.translated = tr


async def _prepare(request: Request, svc: Services) -> _Prepared:
    config = svc.config
    key = upstream_key(request, config)
    body = await read_json(request, config.max_body_bytes)
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    plan = await plan_for(request, body, input_items(body))
    translated = to_native_responses(translator_body(body), config.model_aliases, plan.items)
    translated.echo.update(plan.echo())
    svc.for_upstream(translated.native)
    if translated.native.remote_media:
        await svc.fetch_remote_media(translated.native.remote_media)
    return _Prepared(key, body, plan, translated)


async def create_response(request: Request) -> Response | RelayResponse:
    svc = services(request)
    try:
        prepared = await _prepare(request, svc)
        native = prepared.translated.native
        payload = orjson.dumps(native.body)
        headers = adapter_headers(native.adjusted, native.thinking)
        ctx = ResponseContext(
            response_id=svc.new_id("resp_"),
            created_at=int(time.time()),
            model=native.requested_model,
            echo=prepared.translated.echo,
            tools=prepared.translated.tools.map,
            include_encrypted=prepared.translated.include_encrypted,
            include_logprobs=prepared.translated.include_logprobs,
        )
        retries = svc.upstream_retries(request)
        exchange = record(
            operation="chat",
            model=native.model,
            stream=native.stream,
            adjusted=native.adjusted,
            body=prepared.body,
        )
        if prepared.plan.background:
            key = prepared.key

            async def produce() -> dict[str, Any]:
                reply = await svc.upstream.generate(native.model, payload, key, retries=retries)
                return response_from(reply, ctx)

            queued = queued_response(ctx.response_id, ctx.created_at, ctx.model, ctx.echo)
            await start_background(svc, prepared.plan, queued, produce)
            return json_response(queued, headers)
        if native.stream:
            upstream = await svc.upstream.open_stream(
                native.model, payload, prepared.key, retries=retries
            )
            stream = ResponsesStream(ctx)
            events = relay_events(request, upstream, stream, prepared, svc)
            return RelayResponse(
                events, headers | SSE_HEADERS, on_cancel=lambda: _shutting_down(stream)
            )
        reply = await svc.upstream.generate(native.model, payload, prepared.key, retries=retries)
    except AdapterError as error:
        error.param = responses_param(error.param)  # `messages[2]` from native errors
        raise
    if exchange is not None:
        exchange.saw_reply(reply)
    response = response_from(reply, ctx)
    await save(prepared.plan, response)
    return json_response(response, headers)


async def relay_events(
    request: Request,
    upstream: UpstreamStream,
    stream: ResponsesStream,
    prepared: _Prepared,
    svc: Services,
) -> AsyncIterator[bytes]:
    """One write per upstream read; `response.failed` for a failure after the first event;
    no `[DONE]` (the Responses stream ends with its terminal event). The final state is
    stored before the terminal event is sent, so a client acting on it finds it stored."""
    batches = upstream.batches()
    last_event: dict[str, Any] | None = None  # its usage is the reply's (docs/observability.md)
    try:
        yield stream.start()  # at once: the client sees the response begin before any token
        async for batch in batches:
            data = b"".join([stream.sse_for(event) for event in batch])
            last_event = batch[-1]
            if data:
                yield data
        last = stream.finish()
    except AdapterError as error:
        log.warning("responses stream failed: %s", error.code)
        exchange = current()
        if exchange is not None:
            exchange.error_code = str(error.code)
        last = stream.fail(error.status, error.message)
    except Exception:  # a bug must still end the stream with response.failed
        log.exception("responses stream translation failed")
        last = stream.fail(500, "Internal error in the adapter.")
    finally:
        exchange = current()
        if exchange is not None and last_event is not None:
            exchange.saw_reply(last_event)
        # A client that went away cancels us here; closing drops the upstream request.
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()
        # The final state, whatever ended the stream (a client that left: `cancelled`).
        await save(prepared.plan, stream.response)
    yield last


def _shutting_down(stream: ResponsesStream) -> bytes:
    """The last frame when the server's shutdown grace ends a running stream."""
    if stream.finished:
        return b""
    return stream.fail(503, "The adapter is shutting down; the response is incomplete.")


async def input_tokens(request: Request) -> Response:
    """Native `countTokens` on the translated request ->
    `{"object": "response.input_tokens", "input_tokens": N}`."""
    svc = services(request)
    try:
        prepared = await _prepare(request, svc)
        native = prepared.translated.native
        endpoints = svc.upstream.endpoints
        count = count_tokens_body(native.body, native.model, vertex=endpoints.is_vertex)
        reply = await svc.upstream.call_json(
            "POST", endpoints.model(native.model, "countTokens"), prepared.key, orjson.dumps(count)
        )
    except AdapterError as error:
        error.param = responses_param(error.param)
        raise
    total = reply.get("totalTokens", 0) if isinstance(reply, dict) else 0
    return json_response(
        {"object": "response.input_tokens", "input_tokens": total},
        adapter_headers(native.adjusted, native.thinking),
    )


ROUTES = [
    Route("/v1/responses", create_response, methods=["POST"]),
    Route("/responses", create_response, methods=["POST"]),
    Route("/v1/responses/input_tokens", input_tokens, methods=["POST"]),
    Route("/responses/input_tokens", input_tokens, methods=["POST"]),
]
