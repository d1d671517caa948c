"""`POST /v1/audio/speech` (Gemini TTS, the audio streamed as it is encoded) and
`POST /v1/audio/transcriptions` / `/v1/audio/translations` (multipart upload -> a Gemini
model with the audio inline). Mapping: docs/images-audio.md.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.relay import RelayResponse
from adapter.api.replies import SSE_HEADERS, adapter_headers, json_response
from adapter.audio_codec import Encoder, check_format, rate_from_mime
from adapter.body import read_form, read_json
from adapter.errors import AdapterError
from adapter.keys import upstream_key
from adapter.observability.context import current, record
from adapter.services import Services, services
from adapter.translate.images_audio.speech import (
    audio_chunks,
    speech_done,
    speech_event,
    to_speech_plan,
)
from adapter.translate.images_audio.transcription import (
    event_text,
    to_transcription_plan,
    transcript_delta,
    transcript_done,
    transcription_reply,
)
from adapter.translate.request import native_model_of
from adapter.translate.sse_frames import data_frame as sse_event
from adapter.transport import UpstreamStream

log = logging.getLogger("adapter")


def _model(body: Any, svc: Services) -> str:
    return native_model_of(body, svc.config.model_aliases)


async def speech(request: Request) -> RelayResponse:
    """The audio is encoded per upstream read and each piece written at once; the first
    audio is awaited before the reply starts, so an upstream failure is still an HTTP error."""
    svc = services(request)
    key = upstream_key(request, svc.config)
    body = await read_json(request, svc.config.max_body_bytes)
    plan = to_speech_plan(body, _model(body, svc))
    audio_format = check_format(plan.response_format, "response_format")
    record(operation="generate_content", model=plan.model)
    upstream = await svc.upstream.open_stream(
        plan.model, orjson.dumps(plan.body), key, retries=svc.upstream_retries(request)
    )
    batches = upstream.batches()
    first: list[tuple[bytes, str]] = []
    usage: list[dict[str, Any]] = []  # the last usageMetadata seen, for the sse done event
    try:
        async for batch in batches:
            for event in batch:
                first.extend(audio_chunks(event))
                if event.get("usageMetadata"):
                    usage[:] = [event["usageMetadata"]]
            if first:
                break
        if not first:
            raise AdapterError(502, "The model returned no audio.", code="no_audio")
    except BaseException:
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()
        raise
    encoder = Encoder(audio_format, rate_from_mime(first[0][1]))
    headers = adapter_headers(plan.adjusted, None)
    audio = _encoded(first, batches, upstream, encoder, usage)
    if plan.stream_format == "sse":
        return RelayResponse(_speech_events(audio, usage), headers | SSE_HEADERS)
    return RelayResponse(audio, headers | {"content-type": audio_format.content_type})


async def _encoded(
    first: list[tuple[bytes, str]],
    batches: AsyncIterator[list[dict[str, Any]]],
    upstream: UpstreamStream,
    encoder: Encoder,
    usage: list[dict[str, Any]],
) -> AsyncIterator[bytes]:
    try:
        data = b"".join(encoder.feed(pcm) for pcm, _ in first)
        if data:
            yield data
        async for batch in batches:
            pieces: list[bytes] = []
            for event in batch:
                pieces.extend(encoder.feed(pcm) for pcm, _ in audio_chunks(event))
                if event.get("usageMetadata"):
                    usage[:] = [event["usageMetadata"]]
            data = b"".join(pieces)
            if data:
                yield data
        tail = encoder.finish()
        if tail:
            yield tail
    except AdapterError as error:
        # Bytes are on their way: the audio ends here (an error body would corrupt it).
        log.warning("speech stream failed: %s", error.code)
    finally:
        exchange = current()
        if exchange is not None and usage:
            exchange.usage = usage[0]
        encoder.close()
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()


async def _speech_events(
    audio: AsyncIterator[bytes], usage: list[dict[str, Any]]
) -> AsyncIterator[bytes]:
    """stream_format sse: each encoded piece as a `speech.audio.delta` event, then done."""
    try:
        async for data in audio:
            yield sse_event(speech_event(data))
        yield sse_event(speech_done(usage[0] if usage else None))
    finally:
        await audio.aclose()  # type: ignore[attr-defined]


async def _transcribe(request: Request, task: str) -> Response | RelayResponse:
    svc = services(request)
    key = upstream_key(request, svc.config)
    form = await read_form(request, svc.config.max_body_bytes)
    plan = to_transcription_plan(form.fields, form.file("file"), _model(form.fields, svc), task)
    exchange = record(operation="generate_content", model=plan.model, stream=plan.stream)
    if plan.stream:
        upstream = await svc.upstream.open_stream(
            plan.model, orjson.dumps(plan.body), key, retries=svc.upstream_retries(request)
        )
        headers = adapter_headers(plan.adjusted, None) | SSE_HEADERS
        return RelayResponse(_transcript_events(upstream), headers)
    reply = await svc.upstream.generate(
        plan.model, orjson.dumps(plan.body), key, retries=svc.upstream_retries(request)
    )
    if exchange is not None:
        exchange.saw_reply(reply)
    out, content_type = transcription_reply(plan, reply)
    headers = adapter_headers(plan.adjusted, None)
    if isinstance(out, str):
        return Response(out, media_type=content_type, headers=headers)
    return json_response(out, headers)


async def _transcript_events(upstream: UpstreamStream) -> AsyncIterator[bytes]:
    """stream=true: each upstream event's text as `transcript.text.delta`, then
    `transcript.text.done` with the whole text and the usage."""
    batches = upstream.batches()
    texts: list[str] = []
    usage: dict[str, Any] | None = None
    try:
        async for batch in batches:
            out = []
            for event in batch:
                text = event_text(event)
                if text:
                    texts.append(text)
                    out.append(sse_event(transcript_delta(text)))
                usage = event.get("usageMetadata") or usage
            if out:
                yield b"".join(out)
        yield sse_event(transcript_done("".join(texts).strip(), usage))
    except AdapterError as error:
        log.warning("transcription stream failed: %s", error.code)
        yield sse_event(error.body())
    finally:
        exchange = current()
        if exchange is not None and usage:
            exchange.usage = usage
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()


async def transcriptions(request: Request) -> Response | RelayResponse:
    return await _transcribe(request, "transcribe")


async def translations(request: Request) -> Response | RelayResponse:
    return await _transcribe(request, "translate")


ROUTES = [
    Route("/v1/audio/speech", speech, methods=["POST"]),
    Route("/audio/speech", speech, methods=["POST"]),
    Route("/v1/audio/transcriptions", transcriptions, methods=["POST"]),
    Route("/audio/transcriptions", transcriptions, methods=["POST"]),
    Route("/v1/audio/translations", translations, methods=["POST"]),
    Route("/audio/translations", translations, methods=["POST"]),
]
