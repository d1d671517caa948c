"""Chat audio output (behaviour AU2): `modalities: ["text", "audio"]` with `audio: {voice, format}`
(docs/images-audio.md, "Chat audio output").

Only Gemini's TTS models speak: on them the request gets `responseModalities: ["AUDIO"]` and
the voice (mapped like `/v1/audio/speech`); the reply's PCM becomes `message.audio`, whose
`transcript` is the text the model was given to say (the last user message). Any other model
-> 400 `modalities` with the reason. Streamed replies carry pcm16 pieces in `delta.audio`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.images_audio.voices import gemini_voice, is_tts_model, speech_config
from adapter.translate.request.fields import expect

AUDIO_FORMATS = ("wav", "aac", "mp3", "flac", "opus", "pcm16")


@dataclass(frozen=True)
class AudioOutput:
    voice: str  # the Gemini voice
    format: str  # one of AUDIO_FORMATS
    transcript: str


def audio_output(
    body: dict[str, Any], model: str, native: dict[str, Any], generation: dict[str, Any]
) -> AudioOutput | None:
    """None unless `modalities` asks for audio; else sets the speech fields in `generation`."""
    modalities = body.get("modalities")
    if not isinstance(modalities, list) or "audio" not in modalities:
        return None
    if not is_tts_model(model):
        raise invalid_request(
            f"The model '{model}' cannot produce audio: audio output needs a Gemini TTS model"
            " (such as gemini-2.5-flash-preview-tts).",
            param="modalities",
        )
    audio = body.get("audio")
    if audio is None:
        raise invalid_request("modalities includes 'audio', so 'audio' is required.", param="audio")
    expect(audio, (dict,), "audio")
    voice = gemini_voice(audio.get("voice"), "audio.voice")
    audio_format = audio.get("format")
    if audio_format not in AUDIO_FORMATS:
        raise invalid_request(
            f"Invalid audio.format {audio_format!r}; expected one of {', '.join(AUDIO_FORMATS)}.",
            param="audio.format",
        )
    if body.get("stream") and audio_format != "pcm16":
        raise invalid_request(
            "Streamed audio output is pcm16 (as in OpenAI); set audio.format to 'pcm16' or"
            " leave stream out.",
            param="audio.format",
        )
    generation["responseModalities"] = ["AUDIO"]
    generation["speechConfig"] = speech_config(voice)
    users = [c for c in native.get("contents") or () if c.get("role") == "user"]
    parts = users[-1].get("parts") or [] if users else []
    transcript = "".join(p["text"] for p in parts if "text" in p)
    return AudioOutput(voice=voice, format=audio_format, transcript=transcript)
