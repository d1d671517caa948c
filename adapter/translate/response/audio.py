"""Chat audio output, reply side: the reply's PCM, and `message.audio` (docs/images-audio.md)."""

from __future__ import annotations

import base64
from typing import Any

from adapter.errors import AdapterError

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
    completion: dict[str, Any], data: bytes, transcript: str, audio_id: str, expires_at: int
) -> dict[str, Any]:
    """`choices[0].message.audio = {id, data (base64), transcript, expires_at}`."""
    message = completion["choices"][0]["message"]
    message["audio"] = {
        "id": audio_id,
        "data": base64.b64encode(data).decode(),
        "transcript": transcript,
        "expires_at": expires_at,
    }
    return completion
