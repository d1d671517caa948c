"""Media models of the emulator: image generation (Gemini image models and Imagen
`:predict`), speech (TTS models answer with PCM) and audio understanding (transcripts).

Deterministic like the rest: the PNG's colour and the tone's pitch follow the request, so
tests can tell replies apart; the tone's length follows the text, like real speech.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import struct
import wave
import zlib
from typing import Any

import orjson

from gemini_emulator.errors import invalid

PCM_RATE = 24000
PCM_MIME = f"audio/L16;codec=pcm;rate={PCM_RATE}"
SECONDS_PER_CHAR = 0.04
MAX_SECONDS = 12.0
AUDIO_TOKENS_PER_SECOND = 25
IMAGE_TOKENS = 1290
STREAM_CHUNK_SECONDS = 0.5
VOICES = frozenset(
    "Zephyr Puck Charon Kore Fenrir Leda Orus Aoede Callirrhoe Autonoe Enceladus Iapetus Umbriel"
    " Algieba Despina Erinome Algenib Rasalgethi Laomedeia Achernar Alnilam Schedar Gacrux"
    " Pulcherrima Achird Zubenelgenubi Vindemiatrix Sadachbia Sadaltager Sulafat".split()
)
RATIOS_10 = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
RATIOS_14 = (*RATIOS_10, "1:4", "4:1", "1:8", "8:1")
IMAGEN_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9")
TRANSCRIPT = "Hello from the emulator. This is a deterministic transcript of your audio."


def is_tts(model: str) -> bool:
    return "tts" in model


def is_image_model(model: str) -> bool:
    return "image" in model and model.startswith("gemini-")


def is_imagen(model: str) -> bool:
    return model.startswith("imagen-")


def _digest(*pieces: Any) -> bytes:
    return hashlib.sha256(orjson.dumps(pieces)).digest()


def _user_text(request: dict[str, Any]) -> str:
    return "\n".join(
        part["text"]
        for content in request.get("contents") or ()
        for part in content.get("parts") or ()
        if "text" in part
    )


def _inline(request: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [
        part["inlineData"]
        for content in request.get("contents") or ()
        for part in content.get("parts") or ()
        if "inlineData" in part and str(part["inlineData"].get("mimeType", "")).startswith(prefix)
    ]


# --- images -------------------------------------------------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG: a two-colour diagonal split, so it is not a flat fill."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            pixel = rgb if x * height >= y * width else (255 - rgb[0], 255 - rgb[1], 255 - rgb[2])
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _dimensions(ratio: str | None, size: str | None) -> tuple[int, int]:
    long_side = {"512": 16, "1K": 32, "2K": 48, "4K": 64}.get(size or "1K", 32)
    w, h = (int(v) for v in (ratio or "1:1").split(":"))
    if w >= h:
        return long_side, max(1, round(long_side * h / w))
    return max(1, round(long_side * w / h)), long_side


def image_b64(seed: bytes, ratio: str | None, size: str | None) -> str:
    width, height = _dimensions(ratio, size)
    return base64.b64encode(png(width, height, (seed[0], seed[1], seed[2]))).decode()


def _image_rules(model: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(accepted aspectRatio values, accepted imageSize values); () means refused."""
    if model.startswith("gemini-2.0"):
        return (), ()
    if model.startswith("gemini-3.1") or model.startswith("gemini-3.5"):
        return RATIOS_14, ("512", "1K", "2K", "4K")
    if model.startswith("gemini-3"):
        return RATIOS_10, ("1K", "2K", "4K")
    return RATIOS_10, ()


def check_image_config(config: dict[str, Any], model: str) -> None:
    image = config.get("imageConfig")
    if not image:
        return
    ratios, sizes = _image_rules(model)
    if not ratios:
        raise invalid("Image config is not supported for this model.")
    ratio = image.get("aspectRatio")
    if ratio is not None and ratio not in ratios:
        raise invalid(f"Unsupported aspect ratio: {ratio}. Supported: {', '.join(ratios)}.")
    size = image.get("imageSize")
    if size is not None and size not in sizes:
        raise invalid(
            f"Image size {size} is not supported for this model."
            if sizes
            else "Image size is not supported for this model."
        )


def image_reply(request: dict[str, Any], model: str) -> dict[str, Any]:
    config = request.get("generationConfig") or {}
    image = config.get("imageConfig") or {}
    inputs = [blob.get("data", "") for blob in _inline(request, "image/")]
    text = _user_text(request)
    seed = _digest("image", model, text, inputs, image)
    parts: list[dict[str, Any]] = []
    if "TEXT" in (config.get("responseModalities") or ()):
        parts.append({"text": "Here is your image."})
    parts.append(
        {
            "inlineData": {
                "mimeType": "image/png",
                "data": image_b64(seed, image.get("aspectRatio"), image.get("imageSize")),
            }
        }
    )
    prompt_tokens = max(1, len(text.split())) + 258 * len(inputs)
    details = [{"modality": "TEXT", "tokenCount": max(1, len(text.split()))}]
    if inputs:
        details.append({"modality": "IMAGE", "tokenCount": 258 * len(inputs)})
    return _response(model, seed, parts, prompt_tokens, details, IMAGE_TOKENS, "IMAGE")


def predict(body: dict[str, Any], model: str) -> dict[str, Any]:
    """Imagen's `:predict`."""
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise invalid("instances must be a non-empty list.")
    extra = [key for key in body if key not in ("instances", "parameters")]
    if extra:
        raise invalid(
            f'Invalid JSON payload received. Unknown name "{extra[0]}": Cannot find field.'
        )
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise invalid("parameters must be an object.")
    count = parameters.get("sampleCount", 4)
    if not isinstance(count, int) or not 1 <= count <= 4:
        raise invalid("sampleCount must be between 1 and 4.")
    ratio = parameters.get("aspectRatio")
    if ratio is not None and ratio not in IMAGEN_RATIOS:
        raise invalid(f"Unsupported aspect ratio: {ratio}.")
    size = parameters.get("sampleImageSize")
    if size is not None and (model.startswith("imagen-3") or "fast" in model):
        raise invalid("sampleImageSize is not supported for this model.")
    predictions = []
    for i, instance in enumerate(instances):
        prompt = instance.get("prompt") if isinstance(instance, dict) else None
        if not isinstance(prompt, str) or not prompt:
            raise invalid(f"instances[{i}].prompt is required.")
        for n in range(count):
            seed = _digest("imagen", model, prompt, n, parameters)
            # The emulator always draws PNGs; it labels them as what they are.
            predictions.append(
                {"bytesBase64Encoded": image_b64(seed, ratio, size), "mimeType": "image/png"}
            )
    return {"predictions": predictions}


# --- speech -------------------------------------------------------------------------------


def check_speech(config: dict[str, Any], model: str) -> str:
    """The voice a TTS request asks for; the API's refusals otherwise."""
    if config.get("responseModalities") != ["AUDIO"]:
        raise invalid(
            "The requested combination of response modalities is not supported by the model."
            " This model only supports AUDIO output."
        )
    speech = config.get("speechConfig") or {}
    voice = ((speech.get("voiceConfig") or {}).get("prebuiltVoiceConfig") or {}).get("voiceName")
    if voice is None:
        return "Kore"
    if voice not in VOICES:
        raise invalid(f"Voice {voice} is not supported. Please use a valid voice name.")
    return str(voice)


def tone(text: str, voice: str) -> bytes:
    """s16le mono 24 kHz: a sine whose length follows the text and pitch follows the voice."""
    seconds = min(MAX_SECONDS, max(0.2, len(text) * SECONDS_PER_CHAR))
    samples = int(seconds * PCM_RATE)
    pitch = 220 + _digest(voice)[0]
    step = 2 * math.pi * pitch / PCM_RATE
    return struct.pack(f"<{samples}h", *(int(9000 * math.sin(step * i)) for i in range(samples)))


def speech_events(request: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """The reply as stream events (PCM in pieces); a non-stream reply is their merge."""
    config = request.get("generationConfig") or {}
    voice = check_speech(config, model)
    text = _user_text(request)
    pcm = tone(text, voice)
    step = int(STREAM_CHUNK_SECONDS * PCM_RATE) * 2
    pieces = [pcm[i : i + step] for i in range(0, len(pcm), step)]
    seed = _digest("speech", model, text, voice)
    prompt_tokens = max(1, len(text.split()))
    audio_tokens = round(len(pcm) / 2 / PCM_RATE * AUDIO_TOKENS_PER_SECOND)
    events = []
    for i, piece in enumerate(pieces):
        part = {"inlineData": {"mimeType": PCM_MIME, "data": base64.b64encode(piece).decode()}}
        last = i == len(pieces) - 1
        events.append(
            _response(
                model,
                seed,
                [part],
                prompt_tokens,
                [{"modality": "TEXT", "tokenCount": prompt_tokens}],
                audio_tokens if last else 0,
                "AUDIO",
                finish=last,
            )
        )
    return events


# --- audio understanding ------------------------------------------------------------------


def audio_seconds(blob: dict[str, Any]) -> float:
    """The length of a WAV upload (other formats: a nominal 2 s)."""
    try:
        with wave.open(io.BytesIO(base64.b64decode(blob.get("data", "")))) as reader:
            return float(reader.getnframes() / reader.getframerate())
    except (wave.Error, EOFError, ValueError, ZeroDivisionError):
        return 2.0


def transcript_reply(request: dict[str, Any], model: str) -> dict[str, Any]:
    """A transcript of the audio: plain text, or `{language, segments}` under a schema."""
    config = request.get("generationConfig") or {}
    blobs = _inline(request, "audio/")
    seconds = sum(audio_seconds(b) for b in blobs)
    sentences = [s.strip() + "." for s in TRANSCRIPT.split(".") if s.strip()]
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    if schema is not None and "segments" in str(schema):
        span = seconds / len(sentences)
        segments = [
            {"start": round(i * span, 3), "end": round((i + 1) * span, 3), "text": s}
            for i, s in enumerate(sentences)
        ]
        text = orjson.dumps({"language": "english", "segments": segments}).decode()
    else:
        text = " ".join(sentences)
    audio_tokens = max(1, round(seconds * AUDIO_TOKENS_PER_SECOND))
    instruction_tokens = max(1, len(_user_text(request).split()))
    details = [
        {"modality": "TEXT", "tokenCount": instruction_tokens},
        {"modality": "AUDIO", "tokenCount": audio_tokens},
    ]
    seed = _digest("transcript", model, blobs)
    return _response(
        model,
        seed,
        [{"text": text}],
        instruction_tokens + audio_tokens,
        details,
        len(text.split()),
        "TEXT",
    )


def _response(
    model: str,
    seed: bytes,
    parts: list[dict[str, Any]],
    prompt_tokens: int,
    prompt_details: list[dict[str, Any]],
    output_tokens: int,
    modality: str,
    *,
    finish: bool = True,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = "STOP"
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "totalTokenCount": prompt_tokens + output_tokens,
        "promptTokensDetails": prompt_details,
    }
    if output_tokens:
        usage["candidatesTokenCount"] = output_tokens
        usage["candidatesTokensDetails"] = [{"modality": modality, "tokenCount": output_tokens}]
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": base64.urlsafe_b64encode(seed[:12]).decode(),
    }


def reply_for(request: dict[str, Any], model: str) -> list[dict[str, Any]] | None:
    """Stream events for a media request (one event for images and transcripts), or None
    when the ordinary text reply applies."""
    config = request.get("generationConfig") or {}
    if is_tts(model):
        return speech_events(request, model)
    if config.get("speechConfig") is not None or "AUDIO" in (
        config.get("responseModalities") or ()
    ):
        raise invalid("This model does not support AUDIO output.")
    modalities = config.get("responseModalities") or ()
    if is_image_model(model):
        check_image_config(config, model)
        if "IMAGE" in modalities and "TEXT" not in modalities:
            return [image_reply(request, model)]
    elif config.get("imageConfig") is not None:
        raise invalid("Image config is not supported for this model.")
    if _inline(request, "audio/"):
        return [transcript_reply(request, model)]
    return None


def merge(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The non-stream reply made of the stream events."""
    if len(events) == 1:
        return events[0]
    pcm = b"".join(
        base64.b64decode(e["candidates"][0]["content"]["parts"][0]["inlineData"]["data"])
        for e in events
    )
    merged: dict[str, Any] = orjson.loads(orjson.dumps(events[-1]))
    merged["candidates"][0]["content"]["parts"][0]["inlineData"]["data"] = base64.b64encode(
        pcm
    ).decode()
    return merged
