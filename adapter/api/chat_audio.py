"""Chat audio output (behaviour AU2, docs/images-audio.md): `modalities` with `audio` on a
TTS model. Called by adapter.api.chat: the encoder check before the upstream call, then
`message.audio` on a reply, or `delta.audio` chunks on a stream (pcm16)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from adapter.audio_codec import check_format, encode_all, rate_from_mime
from adapter.errors import AdapterError
from adapter.translate.request import NativeRequest
from adapter.translate.response.audio import (
    add_message_audio,
    audio_chunk,
    audio_pieces,
    pcm_from,
)
from adapter.translate.response.usage import usage_from
from adapter.translate.sse_frames import DONE
from adapter.translate.sse_frames import data_frame as sse_event
from adapter.transport import UpstreamStream
from adapter.wire.openai import CreateChatCompletionResponse

log = logging.getLogger("adapter")


AUDIO_LIFETIME_S = 3600


def check_chat_audio(native: NativeRequest) -> None:
    """Before the upstream call: 400 `audio.format` when its encoder is not installed."""
    if native.audio is not None:
        check_format(native.audio.format, "audio.format")


def with_chat_audio(
    completion: CreateChatCompletionResponse,
    reply: dict[str, Any],
    native: NativeRequest,
    audio_id: str,
) -> CreateChatCompletionResponse:
    """The reply's PCM encoded as asked, as `message.audio` (transcript: the text spoken)."""
    if native.audio is None:
        return completion
    pcm, mime = pcm_from(reply)
    data = encode_all(pcm, check_format(native.audio.format, "audio.format"), rate_from_mime(mime))
    expires = completion["created"] + AUDIO_LIFETIME_S
    return add_message_audio(completion, data, native.audio.transcript, audio_id, expires)


async def chat_audio_chunks(
    upstream: UpstreamStream, native: NativeRequest, completion_id: str, created: int, audio_id: str
) -> AsyncIterator[bytes]:
    """Streamed chat audio output: the transcript first, then each upstream event's pcm16 as
    `delta.audio.data`, then the finish chunk, the usage chunk when asked, and [DONE]."""
    assert native.audio is not None
    model = native.requested_model
    batches = upstream.batches()
    usage: dict[str, Any] | None = None
    opening = {
        "role": "assistant",
        "content": None,
        "audio": {
            "id": audio_id,
            "transcript": native.audio.transcript,
            "expires_at": created + AUDIO_LIFETIME_S,
        },
    }
    try:
        yield sse_event(audio_chunk(completion_id, created, model, opening))
        async for batch in batches:
            out = []
            for event in batch:
                for data in audio_pieces(event):
                    delta = {"audio": {"id": audio_id, "data": data}}
                    out.append(sse_event(audio_chunk(completion_id, created, model, delta)))
                usage = event.get("usageMetadata") or usage
            if out:
                yield b"".join(out)
        tail = [sse_event(audio_chunk(completion_id, created, model, {}, "stop"))]
        if native.include_usage:
            last = audio_chunk(completion_id, created, model, {})
            last["choices"] = []
            last["usage"] = usage_from(usage)
            tail.append(sse_event(last))
        yield b"".join(tail) + DONE
    except AdapterError as error:
        log.warning("chat audio stream failed: %s", error.code)
        yield sse_event(error.body())
    finally:
        await batches.aclose()  # type: ignore[attr-defined]
        await upstream.aclose()
