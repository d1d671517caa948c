"""OpenAI content parts -> native parts (docs/behaviour.md R3)."""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from adapter.errors import invalid_request
from adapter.translate.media import ACCEPTED, head_of_base64, native_mime, normalise_mime
from adapter.translate.request.fields import expect

# input_audio.format -> the label; the bytes' own type wins when they say otherwise.
# pcm16 (OpenAI: raw 24 kHz 16-bit little-endian mono) has no type Gemini takes: it is
# wrapped in a WAV header, which is what it is.
AUDIO_MIME = {
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "aiff": "audio/aiff",
    "pcm16": "audio/wav",
}
PCM16_RATE = 24000

# URLs Gemini fetches itself: Cloud Storage, the Files API, and YouTube videos.
_NATIVE_URI_PREFIXES = (
    "gs://",
    "https://generativelanguage.googleapis.com/",
    "https://www.youtube.com/",
    "https://youtube.com/",
    "https://m.youtube.com/",
    "https://youtu.be/",
)

DETAIL_TO_RESOLUTION = {"low": "MEDIA_RESOLUTION_LOW", "high": "MEDIA_RESOLUTION_HIGH"}


@dataclass
class RemoteMedia:
    """An http(s) URL the adapter must fetch; `part` is filled in place once fetched."""

    url: str
    param: str
    part: dict[str, Any]


def fill_remote_media(item: RemoteMedia, mime: str | None, data: bytes) -> None:
    """Fill a fetched URL's part in place: the served type normalised and checked against
    the bytes, as for data: URLs; a type Gemini cannot take is a 400 naming the URL."""
    sent, refused = native_mime(mime, data[:32])
    if refused is not None:
        raise invalid_request(
            f"The URL serves media of type {refused!r}, which Gemini does not accept.",
            param=item.param,
            code="unsupported_media_type",
        )
    item.part["inlineData"] = {"mimeType": sent, "data": base64.b64encode(data).decode()}


@dataclass
class PartsContext:
    """What converting parts collects beside the parts themselves."""

    remote: list[RemoteMedia]
    details: set[str]


def to_native_parts(content: Any, param: str, ctx: PartsContext) -> list[dict[str, Any]]:
    """`content` of a user/assistant/system message (string or array of parts)."""
    if isinstance(content, str):
        return [{"text": content}] if content else []
    expect(content, (str, list), param)
    parts: list[dict[str, Any]] = []
    for j, item in enumerate(content):
        part = to_native_part(item, f"{param}[{j}]", ctx)
        if part is not None:
            parts.append(part)
    return parts


def to_native_part(item: Any, param: str, ctx: PartsContext) -> dict[str, Any] | None:
    expect(item, (dict,), param)
    kind = item.get("type")
    if kind == "text":
        text = expect(item.get("text"), (str,), f"{param}.text")
        return {"text": text} if text else None
    if kind == "image_url":
        return _image_part(item.get("image_url"), f"{param}.image_url", ctx)
    if kind == "input_audio":
        return _audio_part(item.get("input_audio"), f"{param}.input_audio")
    if kind == "file":
        return _file_part(item.get("file"), f"{param}.file")
    if kind == "refusal":
        refusal = expect(item.get("refusal"), (str,), f"{param}.refusal")
        return {"text": refusal} if refusal else None
    raise invalid_request(
        f"Unsupported content part type {kind!r}; expected one of text, image_url, "
        "input_audio, file.",
        param=f"{param}.type",
    )


def _image_part(image: Any, param: str, ctx: PartsContext) -> dict[str, Any]:
    if isinstance(image, str):  # some clients send the URL directly
        image = {"url": image}
    expect(image, (dict,), param)
    url = expect(image.get("url"), (str,), f"{param}.url")
    detail = image.get("detail")
    if detail is not None:
        expect(detail, (str,), f"{param}.detail")
        if detail not in ("auto", "low", "high"):
            raise invalid_request(
                f"Invalid value {detail!r}; expected auto, low or high.", param=f"{param}.detail"
            )
        if detail in DETAIL_TO_RESOLUTION:
            ctx.details.add(detail)
    return media_from_url(url, f"{param}.url", ctx)


def inline_part(mime: str | None, data: str, param: str) -> dict[str, Any]:
    """`inlineData` for base64 `data` labelled `mime`: the label normalised and checked
    against the bytes (adapter.translate.media); a type Gemini cannot take is a 400."""
    sent, refused = native_mime(mime, head_of_base64(data))
    if refused is not None:
        raise invalid_request(
            f"Gemini does not accept media of type {refused!r} (label {mime!r}); send one "
            "of the types listed in docs/translation.md (Media types).",
            param=param,
            code="unsupported_media_type",
        )
    return {"inlineData": {"mimeType": sent, "data": data}}


def file_data_part(uri: str, mime: str | None, param: str | None = None) -> dict[str, Any]:
    """`fileData`; the type normalised, and left out when unknown (it is optional: the
    Files API and Cloud Storage know the type of what they hold). A known type Gemini does
    not take is a 400 naming the part, as for inline media."""
    label = normalise_mime(mime)
    file_data: dict[str, Any] = {"fileUri": uri}
    if label and label != "application/octet-stream":
        if label not in ACCEPTED:
            raise invalid_request(
                f"Gemini does not accept media of type {label!r} ({uri}); send one of the "
                "types listed in docs/translation.md (Media types).",
                param=param,
                code="unsupported_media_type",
            )
        file_data["mimeType"] = label
    return {"fileData": file_data}


def media_from_url(url: str, param: str, ctx: PartsContext) -> dict[str, Any]:
    if url.startswith("data:"):
        mime, data = parse_data_url(url, param)
        return inline_part(mime, data, param)
    if url.startswith(_NATIVE_URI_PREFIXES):
        return file_data_part(url, guess_mime(url), param)
    if url.startswith(("http://", "https://")):
        part: dict[str, Any] = {}
        ctx.remote.append(RemoteMedia(url=url, param=param, part=part))
        return part
    raise invalid_request(
        "Unsupported URL: expected a data: URL, an http(s) URL, a gs:// URI or a Files API URI.",
        param=param,
    )


def guess_mime(url: str) -> str:
    if "youtube.com/" in url or "youtu.be/" in url:
        return "video/mp4"
    mime, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return mime or "application/octet-stream"


def parse_data_url(url: str, param: str) -> tuple[str, str]:
    """`data:<mime>[;base64],<data>` -> (mime, base64 data)."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise invalid_request("Malformed data: URL (no comma).", param=param)
    fields = header.split(";")
    mime = fields[0] or "text/plain"
    if "base64" in fields[1:]:
        payload = payload.strip()
        try:
            base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_request("The data: URL holds invalid base64.", param=param) from None
        return mime, payload
    return mime, base64.b64encode(unquote_to_bytes(payload)).decode()


def _audio_part(audio: Any, param: str) -> dict[str, Any]:
    expect(audio, (dict,), param)
    data = expect(audio.get("data"), (str,), f"{param}.data")
    fmt = expect(audio.get("format"), (str,), f"{param}.format")
    mime = AUDIO_MIME.get(fmt.lower())
    if mime is None:
        raise invalid_request(
            f"Unsupported audio format {fmt!r}; expected one of {', '.join(AUDIO_MIME)}.",
            param=f"{param}.format",
        )
    if data.startswith("data:"):
        _, data = parse_data_url(data, f"{param}.data")
    if fmt.lower() == "pcm16":
        data = pcm16_to_wav(data, f"{param}.data")
    return inline_part(mime, data, param)


def pcm16_to_wav(data: str, param: str) -> str:
    """Raw 24 kHz 16-bit little-endian mono PCM (base64) -> a WAV file (base64)."""
    try:
        pcm = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_request("input_audio.data is not valid base64.", param=param) from None
    rate, channels, width = PCM16_RATE, 1, 2
    header = b"".join(
        [
            b"RIFF",
            (36 + len(pcm)).to_bytes(4, "little"),
            b"WAVEfmt ",
            (16).to_bytes(4, "little"),
            (1).to_bytes(2, "little"),  # PCM
            channels.to_bytes(2, "little"),
            rate.to_bytes(4, "little"),
            (rate * channels * width).to_bytes(4, "little"),
            (channels * width).to_bytes(2, "little"),
            (8 * width).to_bytes(2, "little"),
            b"data",
            len(pcm).to_bytes(4, "little"),
        ]
    )
    return base64.b64encode(header + pcm).decode()


def _file_part(file: Any, param: str) -> dict[str, Any]:
    expect(file, (dict,), param)
    filename = file.get("filename")
    if filename is not None:
        expect(filename, (str,), f"{param}.filename")
    file_id = file.get("file_id")
    file_data = file.get("file_data")
    if file_data is not None:
        expect(file_data, (str,), f"{param}.file_data")
        if file_data.startswith("data:"):
            mime, data = parse_data_url(file_data, f"{param}.file_data")
        else:
            data = file_data
            mime = guess_mime(filename) if filename else "application/pdf"
        return inline_part(mime, data, param)
    if file_id is not None:
        expect(file_id, (str,), f"{param}.file_id")
        uri = file_id
        if file_id.startswith("files/"):
            uri = f"https://generativelanguage.googleapis.com/v1beta/{file_id}"
        mime = guess_mime(filename) if filename else guess_mime(uri)
        return file_data_part(uri, mime, param)
    raise invalid_request("A file part needs file_data or file_id.", param=param)
