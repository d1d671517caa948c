"""`/v1/audio/transcriptions` and `/v1/audio/translations` -> a Gemini model with the audio
inline and an instruction; the reply -> json, text, srt, vtt or verbose_json (behaviour AU3).

`json` and `text` ask for plain text. `srt`, `vtt` and `verbose_json` need timestamps: the
request carries a response schema (`{language, segments: [{start, end, text}]}`, seconds) and
the files are built from those segments. The caller's `prompt` reaches the model as context
(names, spellings, the text before). docs/images-audio.md, "Transcription".
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import orjson

from adapter.errors import AdapterError, invalid_request
from adapter.translate.images_audio.common import (
    Upload,
    choice_field,
    google_options,
    number_field,
    text_field,
)
from adapter.translate.media import native_mime
from adapter.translate.request.extensions import merge_extension

RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
TIMED_FORMATS = ("srt", "vtt", "verbose_json")
# Gemini's audio input types (ai.google.dev/gemini-api/docs/audio), by file extension, for
# uploads whose label and first bytes say nothing.
AUDIO_BY_EXTENSION = {
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "mpga": "audio/mp3",
    "mpeg": "audio/mp3",
    "aiff": "audio/aiff",
    "aif": "audio/aiff",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
}
SEGMENT_SCHEMA = {
    "type": "object",
    "properties": {
        "language": {"type": "string", "description": "The spoken language, in English."},
        "segments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "start": {"type": "number", "description": "Start time in seconds."},
                    "end": {"type": "number", "description": "End time in seconds."},
                    "text": {"type": "string"},
                },
                "required": ["start", "end", "text"],
            },
        },
    },
    "required": ["language", "segments"],
}


@dataclass
class TranscriptionPlan:
    model: str
    body: dict[str, Any]
    response_format: str
    task: str  # "transcribe" or "translate"
    language: str | None
    adjusted: list[str] = field(default_factory=list)
    stream: bool = False  # transcript.text.delta / transcript.text.done events


def audio_mime(upload: Upload) -> str:
    """The type to send: the label or the first bytes (adapter.translate.media), else the file
    extension; 400 `file` for anything Gemini does not hear."""
    mime, refused = native_mime(upload.content_type, upload.data[:16])
    if refused is None and mime.startswith("audio/"):
        return mime
    extension = upload.filename.rpartition(".")[2].lower() if "." in upload.filename else ""
    if refused == "application/octet-stream" and extension in AUDIO_BY_EXTENSION:
        return AUDIO_BY_EXTENSION[extension]
    raise invalid_request(
        f"Unsupported audio file '{upload.filename}' ({refused or mime}); send wav, mp3, aiff,"
        " aac, ogg or flac.",
        param="file",
    )


def instruction(task: str, language: str | None, prompt: str | None, timed: bool) -> str:
    if task == "translate":
        lines = [
            "Translate the speech in this audio into English. Reply with the English text only."
        ]
    else:
        lines = [
            "Transcribe the speech in this audio verbatim, in the language it is spoken."
            " Reply with the transcript only."
        ]
        if language:
            lines.append(f"The audio is in the language with code '{language}'.")
    if timed:
        lines.append(
            "Split it into segments of one sentence or phrase, each with its start and end"
            " time in seconds from the beginning of the audio."
        )
    if prompt:
        lines.append(
            "Context from the caller (the text before this audio, names and spellings to"
            f" use): {prompt}"
        )
    return "\n".join(lines)


def to_transcription_plan(
    body: dict[str, Any], upload: Upload | None, model: str, task: str
) -> TranscriptionPlan:
    """Form fields plus the uploaded `file` -> the native request. 400s name the field."""
    if upload is None:
        raise invalid_request("Missing required parameter: 'file'.", param="file")
    if not upload.data:
        raise invalid_request("The uploaded 'file' is empty.", param="file")
    mime = audio_mime(upload)
    response_format = choice_field(body, "response_format", RESPONSE_FORMATS) or "json"
    language = text_field(body, "language") if task == "transcribe" else None
    prompt = text_field(body, "prompt")
    temperature = number_field(body, "temperature", 0, 2)
    adjusted = []
    granularities = body.get("timestamp_granularities")
    if granularities is not None and "word" in (
        granularities if isinstance(granularities, list) else [granularities]
    ):
        adjusted.append("timestamp_granularities")  # segments only
    if body.get("include") is not None:
        adjusted.append("include")
    timed = response_format in TIMED_FORMATS
    stream = task == "transcribe" and str(body.get("stream")).lower() == "true"
    if stream and timed:
        raise invalid_request(
            "A streamed transcription is text events; use response_format 'json' or 'text'"
            " with stream, or leave stream out.",
            param="stream",
        )
    generation: dict[str, Any] = {}
    if temperature is not None:
        generation["temperature"] = temperature
    if timed:
        generation["responseMimeType"] = "application/json"
        generation["responseJsonSchema"] = SEGMENT_SCHEMA
    native: dict[str, Any] = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": mime,
                            "data": base64.b64encode(upload.data).decode(),
                        }
                    },
                    {"text": instruction(task, language, prompt, timed)},
                ],
            }
        ]
    }
    if generation:
        native["generationConfig"] = generation
    google, param = google_options(body)
    if google:
        merge_extension(native, google, param)
    return TranscriptionPlan(model, native, response_format, task, language, adjusted, stream)


@dataclass
class Segment:
    start: float
    end: float
    text: str


def reply_text(reply: dict[str, Any]) -> str:
    texts = []
    for candidate in (reply.get("candidates") or ())[:1]:
        for part in (candidate.get("content") or {}).get("parts") or ():
            if isinstance(part, dict) and part.get("text") and not part.get("thought"):
                texts.append(part["text"])
    if not texts:
        feedback = reply.get("promptFeedback") or {}
        reason = feedback.get("blockReason") or next(
            (c.get("finishReason") for c in reply.get("candidates") or ()), None
        )
        raise AdapterError(
            502, f"The model returned no transcript (finish reason: {reason}).", code="no_text"
        )
    return "".join(texts)


def segments_from(text: str) -> tuple[str | None, list[Segment]]:
    """The JSON the response schema asked for -> (language, segments); 502 when it is not."""
    try:
        data = orjson.loads(text)
        segments = [
            Segment(float(s["start"]), float(s["end"]), str(s["text"]).strip())
            for s in data["segments"]
        ]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise AdapterError(
            502, "The model's timestamped transcript is not valid JSON.", code="bad_transcript"
        ) from None
    language = data.get("language")
    return (language if isinstance(language, str) else None), segments


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(segments: list[Segment]) -> str:
    blocks = [
        f"{i}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text}\n"
        for i, s in enumerate(segments, 1)
    ]
    return "\n".join(blocks)


def vtt(segments: list[Segment]) -> str:
    blocks = [f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text}\n" for s in segments]
    return "WEBVTT\n\n" + "\n".join(blocks)


def transcription_usage(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    if not meta:
        return None
    audio = sum(
        d.get("tokenCount", 0)
        for d in meta.get("promptTokensDetails") or ()
        if d.get("modality") == "AUDIO"
    )
    prompt = meta.get("promptTokenCount", 0)
    output = meta.get("candidatesTokenCount", 0) + meta.get("thoughtsTokenCount", 0)
    return {
        "type": "tokens",
        "input_tokens": prompt,
        "input_token_details": {"text_tokens": prompt - audio, "audio_tokens": audio},
        "output_tokens": output,
        "total_tokens": prompt + output,
    }


def transcription_reply(plan: TranscriptionPlan, reply: dict[str, Any]) -> tuple[Any, str]:
    """(body, content type): a JSON object for json/verbose_json, text for the others."""
    text = reply_text(reply)
    if plan.response_format not in TIMED_FORMATS:
        text = text.strip()
        if plan.response_format == "text":
            return text + "\n", "text/plain; charset=utf-8"
        out: dict[str, Any] = {"text": text}
        usage = transcription_usage(reply.get("usageMetadata"))
        if usage:
            out["usage"] = usage
        return out, "application/json"
    language, segments = segments_from(text)
    if plan.response_format == "srt":
        return srt(segments), "text/plain; charset=utf-8"
    if plan.response_format == "vtt":
        return vtt(segments), "text/vtt; charset=utf-8"
    duration = max((s.end for s in segments), default=0.0)
    verbose = {
        "task": plan.task,
        "language": "english" if plan.task == "translate" else (language or plan.language or ""),
        "duration": duration,
        "text": " ".join(s.text for s in segments),
        "segments": [
            {
                "id": i,
                "seek": 0,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "tokens": [],
                "temperature": float(plan.body.get("generationConfig", {}).get("temperature", 0)),
                "avg_logprob": 0.0,
                "compression_ratio": 0.0,
                "no_speech_prob": 0.0,
            }
            for i, s in enumerate(segments)
        ],
        "usage": {"type": "duration", "seconds": duration},
    }
    return verbose, "application/json"


def event_text(event: dict[str, Any]) -> str:
    """The transcript text in one stream event (the first candidate's non-thought text)."""
    return "".join(
        part["text"]
        for candidate in (event.get("candidates") or ())[:1]
        for part in (candidate.get("content") or {}).get("parts") or ()
        if isinstance(part, dict) and part.get("text") and not part.get("thought")
    )


def transcript_delta(text: str) -> dict[str, Any]:
    return {"type": "transcript.text.delta", "delta": text}


def transcript_done(text: str, usage_metadata: dict[str, Any] | None) -> dict[str, Any]:
    done: dict[str, Any] = {"type": "transcript.text.done", "text": text}
    usage = transcription_usage(usage_metadata)
    if usage:
        done["usage"] = usage
    return done
