"""OpenAI voice names -> Gemini prebuilt voices (docs/images-audio.md, "Voices").

Gemini's 30 prebuilt voices and their characters are listed at
ai.google.dev/gemini-api/docs/speech-generation#voices; each OpenAI voice maps to the Gemini
voice whose described character is closest. Gemini names pass through (any case).
"""

from __future__ import annotations

from typing import Any

from adapter.errors import invalid_request

GEMINI_VOICES = (
    "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe",
    "Autonoe", "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib",
    "Rasalgethi", "Laomedeia", "Achernar", "Alnilam", "Schedar", "Gacrux", "Pulcherrima",
    "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip

OPENAI_TO_GEMINI = {
    "alloy": "Schedar",  # neutral, even
    "ash": "Orus",  # firm
    "ballad": "Algieba",  # smooth
    "coral": "Aoede",  # breezy
    "echo": "Charon",  # informative
    "fable": "Iapetus",  # clear storyteller
    "onyx": "Algenib",  # deep, gravelly
    "nova": "Kore",  # firm, bright
    "sage": "Sulafat",  # warm
    "shimmer": "Achernar",  # soft
    "verse": "Puck",  # upbeat
    "marin": "Despina",  # smooth
    "cedar": "Gacrux",  # mature
}

_BY_LOWER = {name.lower(): name for name in GEMINI_VOICES}


def gemini_voice(voice: Any, param: str = "voice") -> str:
    """An OpenAI voice (a name, or `{"id": name}`) -> a Gemini voice name; 400 `param` when it
    is neither an OpenAI nor a Gemini voice."""
    if isinstance(voice, dict) and set(voice) == {"id"}:
        voice = voice["id"]
    if not isinstance(voice, str) or not voice:
        raise invalid_request(f"Missing or invalid '{param}': expected a voice name.", param=param)
    name = voice.strip().lower()
    if name in OPENAI_TO_GEMINI:
        return OPENAI_TO_GEMINI[name]
    if name in _BY_LOWER:
        return _BY_LOWER[name]
    raise invalid_request(
        f"Unknown voice {voice!r}: use an OpenAI voice ({', '.join(OPENAI_TO_GEMINI)}) or a"
        f" Gemini voice ({', '.join(GEMINI_VOICES)}).",
        param=param,
    )


def is_tts_model(model: str) -> bool:
    """Gemini's speech models carry `tts` in their names (gemini-2.5-flash-preview-tts)."""
    return "tts" in model.lower()


def speech_config(voice: str) -> dict[str, Any]:
    return {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}}
