"""Chat audio output, reply side: the reply's PCM, and `message.audio` (docs/images-audio.md)."""

from __future__ import annotations

import base64
from typing import Any

from adapter.errors import AdapterError
from adapter.wire.openai import CreateChatCompletionResponse

DEFAULT_RATE = 24000


def pcm_from(reply: dict[str, Any]) -> tuple[bytes, str]:
    """The first candidate's audio parts joined, and their mimeType; 502 when there is none."""
    pieces = []
    mime = ""
    for candidate in (reply.get("candidates") or ())[:1]:
        for part in (candidate.get("content") or {}).get("parts") or ():
            blob = part.get("inlineData") if isinstance(part, dict) else None
            if blob and str(blob.get("mimeType", "")).lower().startswith("audio/"):
                pieces.append(base64.b64decode(blob.get("data", "")))
                mime = mime or blob["mimeType"]
    if not pieces:
        raise AdapterError(502, "The model returned no audio.", code="no_audio")
    return b"".join(pieces), mime


def add_message_audio(
    completion: CreateChatCompletionResponse,
    data: bytes,
    transcript: str,
    audio_id: str,
    expires_at: int,
) -> CreateChatCompletionResponse:
    """`choices[0].message.audio = {id, data (base64), transcript, expires_at}`."""
    message = completion["choices"][0]["message"]
    message["audio"] = {
        "id": audio_id,
        "data": base64.b64encode(data).decode(),
        "transcript": transcript,
        "expires_at": expires_at,
    }
    return completion


def audio_chunk(
    completion_id: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    """A `chat.completion.chunk` carrying `delta` (streamed audio output)."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def audio_pieces(event: dict[str, Any]) -> list[str]:
    """The base64 audio data of one stream event's first candidate, as sent."""
    return [
        part["inlineData"].get("data", "")
        for candidate in (event.get("candidates") or ())[:1]
        for part in (candidate.get("content") or {}).get("parts") or ()
        if isinstance(part, dict)
        and str((part.get("inlineData") or {}).get("mimeType", "")).lower().startswith("audio/")
    ]
