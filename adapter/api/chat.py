"""`POST /v1/chat/completions`: OpenAI chat -> native generateContent / streamGenerateContent.

Mapping: docs/translation.md. Streams are relayed event by event (docs/translation.md,
"Streaming"); an upstream error before the first event is a normal HTTP error.
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

from adapter.api.chat_audio import chat_audio_chunks, check_chat_audio, with_chat_audio
from adapter.api.errors import INTERNAL_ERROR
from adapter.api.relay import RelayResponse
from adapter.api.replies import DONE_EVENT, SSE_HEADERS, adapter_headers, json_response
from adapter.body import read_json
from adapter.errors import AdapterError
from adapter.keys import upstream_key
from adapter.observability.context import Exchange, record
from adapter.services import services
from adapter.translate.request import to_native_request
from adapter.translate.response.errors import with_openai_param
from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator
from adapter.translate.sse_frames import data_frame as sse_event
from adapter.transport import UpstreamStream

log = logging.getLogger("adapter")

SHUTDOWN_EVENT = sse_event(
    AdapterError(
        503, "The adapter is shutting down; the reply is incomplete.", code="shutting_down"
    ).body()
)


async def chat_completions(request: Request) -> Response | RelayResponse:
    svc = services(request)
    config = svc.config
    key = upstream_key(request, config)
    body = await read_json(request, config.max_body_bytes)
    native = to_native_request(body, config.model_aliases)
    svc.for_upstream(native)
    check_chat_audio(native)
    exchange = record(
        operation="chat",
        model=native.model,
        stream=native.stream,
        adjusted=native.adjusted,
        body=body,
    )
    if native.remote_media:
        await svc.fetch_remote_media(native.remote_media)
    payload = orjson.dumps(native.body)
    headers = adapter_headers(native.adjusted, native.thinking)
    created = int(time.time())
    fallback_id = svc.new_id("chatcmpl-")  # used if the upstream gives no responseId
    retries = svc.upstream_retries(request)
    try:
        if native.stream:
            upstream = await svc.upstream.open_stream(native.model, payload, key, retries=retries)
        else:
            reply = await svc.upstream.generate(native.model, payload, key, retries=retries)
    except AdapterError as error:
        with_openai_param(error, native.content_sources)  # native field -> messages[j]
        raise
    if native.stream:
        translator = StreamTranslator(
            model=native.requested_model,
            created=created,
            fallback_id=fallback_id,
            include_usage=native.include_usage,
            tool_names=native.tool_names,
        )
        chunks = (
            relay_chunks(upstream, translator, exchange)
            if native.audio is None
            else chat_audio_chunks(upstream, native, fallback_id, created, svc.new_id("audio_"))
        )
        return RelayResponse(
            chunks,
            headers | SSE_HEADERS,
            on_cancel=SHUTDOWN_EVENT,
        )
    if exchange is not None:
        exchange.saw_reply(reply)
    completion = completion_from(
        reply,
        model=native.requested_model,
        created=created,
        fallback_id=fallback_id,
        tool_names=native.tool_names,
    )
    completion = with_chat_audio(completion, reply, native, svc.new_id("audio_"))
    return json_response(completion, headers)


async def relay_chunks(
    upstream: UpstreamStream, translator: StreamTranslator, exchange: Exchange | None
) -> AsyncIterator[bytes]:
    """One write per upstream read, each read's events translated as soon as they arrive;
    a failure after the first event ends the stream with an error event and no [DONE].
    `exchange` (the request's observability record) gets the last event: its usage and
    finish reasons are the reply's (Gemini repeats the running usage on every event)."""
    batches = upstream.batches()
    last: dict[str, Any] | None = None
    try:
        async for batch in batches:
            data = b"".join([translator.sse_for(event) for event in batch])
            last = batch[-1]
            if data:
                yield data
        yield b"".join([sse_event(chunk) for chunk in translator.finish()]) + DONE_EVENT
    except AdapterError as error:
        log.warning("stream failed: %s", error.code)
        if exchange is not None:
            exchange.error_code = str(error.code)
        yield sse_event(error.body())
    except Exception:  # a bug must still end the stream in the OpenAI error shape
        log.exception("stream translation failed")
        yield sse_event(INTERNAL_ERROR.body())
    finally:
        if exchange is not None and last is not None:
            exchange.saw_reply(last)
        # A client that went away cancels us here; closing drops the upstream request.
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()


ROUTES = [
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/chat/completions", chat_completions, methods=["POST"]),
]
