"""`/v1/audio/speech` -> a Gemini TTS model, and the audio parts of its reply (behaviour AU1).

Request: `contents` holds the text to speak (after the caller's `instructions` as a style
direction), `generationConfig.responseModalities: ["AUDIO"]` and
`speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName` (ai.google.dev/gemini-api/docs/
speech-generation). Gemini has no speaking-rate setting: `speed` becomes part of the style
direction and is reported in `x-adapter-adjusted`. Reply: `inlineData` parts with
`audio/L16;codec=pcm;rate=24000` (s16le mono) that the audio codec turns into the format asked.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.images_audio.common import (
    choice_field,
    google_options,
    number_field,
    text_field,
)
from adapter.translate.images_audio.voices import gemini_voice, is_tts_model, speech_config
from adapter.translate.request.extensions import merge_extension

SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MAX_INPUT = 4096


def require_tts_model(model: str, param: str = "model") -> None:
    if not is_tts_model(model):
        raise invalid_request(
            f"The model '{model}' cannot produce speech; use a Gemini TTS model such as"
            " gemini-2.5-flash-preview-tts.",
            param=param,
        )


def speed_direction(speed: float) -> str:
    if speed < 0.9:
        return f"Speak slowly, at about {speed:g} times the normal pace."
    return f"Speak quickly, at about {speed:g} times the normal pace."


def spoken_text(text: str, instructions: str | None, speed: float | None = None) -> str:
    """The text the TTS model gets: style directions first, then the words to say."""
    directions = [d.strip() for d in (instructions,) if d and d.strip()]
    if speed is not None and speed != 1:
        directions.append(speed_direction(speed))
    if not directions:
        return text
    style = " ".join(d if d.endswith((".", "!", "?")) else d + "." for d in directions)
    return f"{style} Say the following:\n{text}"


@dataclass
class SpeechPlan:
    model: str
    body: dict[str, Any]  # GenerateContentRequest
    response_format: str
    adjusted: list[str] = field(default_factory=list)
    stream_format: str = "audio"  # "sse": speech.audio.delta / speech.audio.done events


def to_speech_plan(body: Any, model: str) -> SpeechPlan:
    """A CreateSpeechRequest -> the native request. Checks, in order: input, model, voice,
    format (so a bad voice is reported before a missing encoder), speed. 400s name the field."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    text = text_field(body, "input", required=True) or ""
    if len(text) > MAX_INPUT:
        raise invalid_request(
            f"'input' is longer than {MAX_INPUT} characters ({len(text)}).", param="input"
        )
    require_tts_model(model)
    voice = gemini_voice(body.get("voice"))
    response_format = choice_field(body, "response_format", SPEECH_FORMATS) or "mp3"
    speed = number_field(body, "speed", 0.25, 4.0)
    instructions = text_field(body, "instructions")
    stream_format = choice_field(body, "stream_format", ("audio", "sse")) or "audio"
    adjusted = ["speed"] if speed is not None and speed != 1 else []
    native: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": spoken_text(text, instructions, speed)}]}],
        "generationConfig": {"responseModalities": ["AUDIO"], "speechConfig": speech_config(voice)},
    }
    google, param = google_options(body)
    if google:
        merge_extension(native, google, param)
    return SpeechPlan(model, native, response_format, adjusted, stream_format)


def speech_event(audio: bytes) -> dict[str, Any]:
    """One `speech.audio.delta` event (stream_format sse): encoded bytes, base64."""
    return {"type": "speech.audio.delta", "audio": base64.b64encode(audio).decode()}


def speech_done(usage_metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The closing `speech.audio.done` event, usage from the last usageMetadata."""
    meta = usage_metadata or {}
    prompt = meta.get("promptTokenCount", 0)
    output = meta.get("candidatesTokenCount", 0)
    return {
        "type": "speech.audio.done",
        "usage": {"input_tokens": prompt, "output_tokens": output, "total_tokens": prompt + output},
    }


def audio_chunks(event: dict[str, Any]) -> list[tuple[bytes, str]]:
    """The audio parts of a response (or stream event): `[(pcm bytes, mimeType)]`."""
    out = []
    for candidate in event.get("candidates") or ():
        for part in (candidate.get("content") or {}).get("parts") or ():
            blob = part.get("inlineData") if isinstance(part, dict) else None
            if blob and str(blob.get("mimeType", "")).lower().startswith("audio/"):
                out.append((base64.b64decode(blob.get("data", "")), blob["mimeType"]))
    return out
