"""Media types: what Gemini accepts, aliases normalised, wrong labels corrected from the
content's first bytes (docs/translation.md, "Media types"). Pure: bytes and strings in.

Accepted types, from Google's media guides (image, audio, video and document
understanding, https://ai.google.dev/gemini-api/docs/): images png, jpeg, webp, heic, heif;
audio wav, mp3, aiff, aac, ogg, flac; video mp4, mpeg, mov, avi, x-flv, mpg, webm, wmv,
3gpp; application/pdf and the text types Gemini reads as text.
"""

from __future__ import annotations

import base64
import binascii

ACCEPTED: frozenset[str] = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/heic",
        "image/heif",
        "audio/wav",
        "audio/mp3",
        "audio/aiff",
        "audio/aac",
        "audio/ogg",
        "audio/flac",
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/avi",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/3gpp",
        "application/pdf",
        "text/plain",
        "text/html",
        "text/css",
        "text/csv",
        "text/xml",
        "text/rtf",
        "text/javascript",
        "text/markdown",
        "text/x-python",
        "application/x-javascript",
        "application/x-python",
        "application/json",
    }
)

# Other spellings of accepted types (IANA names, x- forms, common mistakes).
ALIASES: dict[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heif",
    "audio/mpeg": "audio/mp3",
    "audio/mpeg3": "audio/mp3",
    "audio/x-mpeg": "audio/mp3",
    "audio/x-mp3": "audio/mp3",
    "audio/mpg": "audio/mp3",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-pn-wav": "audio/wav",
    "audio/x-aiff": "audio/aiff",
    "audio/aif": "audio/aiff",
    "audio/x-aac": "audio/aac",
    "audio/aacp": "audio/aac",
    "audio/vorbis": "audio/ogg",
    "audio/opus": "audio/ogg",
    "application/ogg": "audio/ogg",
    "audio/x-flac": "audio/flac",
    "video/quicktime": "video/mov",
    "video/x-msvideo": "video/avi",
    "video/msvideo": "video/avi",
    "video/x-ms-wmv": "video/wmv",
    "video/x-mpeg": "video/mpeg",
    "video/3gpp2": "video/3gpp",
    "application/x-pdf": "application/pdf",
    "application/javascript": "text/javascript",
    "application/xml": "text/xml",
    "application/rtf": "text/rtf",
    "text/x-markdown": "text/markdown",
    "text/md": "text/markdown",
    "text/x-script.python": "text/x-python",
}
_OPAQUE = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def normalise_mime(mime: str | None) -> str:
    """`Image/JPG; name=x` -> `image/jpeg`: lower case, parameters dropped, alias resolved.
    Unknown types are returned normalised but unmapped ("" for none)."""
    base = (mime or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def head_of_base64(data: str, size: int = 24) -> bytes:
    """The first `size` bytes of base64 `data`, decoding only what that takes."""
    chunk = data[: (size + 2) // 3 * 4].strip()
    try:
        return base64.b64decode(chunk + "=" * (-len(chunk) % 4))
    except (binascii.Error, ValueError):
        return b""


def native_mime(declared: str | None, head: bytes | None) -> tuple[str, str | None]:
    """(the type to send, the refused type or None).

    `declared` is the caller's label, `head` the content's first bytes when known. A label
    the bytes contradict is corrected from them; a missing or opaque label is read from
    them; an alias becomes the accepted spelling. When the result is not a type Gemini
    accepts, the second item names it (the caller raises a 400 naming the part).
    """
    label = normalise_mime(declared)
    sniffed = normalise_mime(sniff_mime(head)) if head else ""
    if sniffed in ACCEPTED and (label in _OPAQUE or label != sniffed):
        # Bytes win over a label: a PNG labelled image/jpeg is still a PNG. Text labels on
        # bytes that look like media are corrected too (the bytes cannot be both).
        return sniffed, None
    if sniffed and sniffed not in ACCEPTED and label != sniffed:
        return sniffed, sniffed  # a GIF labelled image/png is still a GIF
    if label in ACCEPTED:
        return label, None
    if label in _OPAQUE and sniffed:
        return sniffed, sniffed
    return label or "application/octet-stream", label or "application/octet-stream"


_ISO_BMFF_BRANDS: dict[bytes, str] = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3g2a": "video/3gpp2",
}


def sniff_mime(data: bytes) -> str | None:
    """The media type announced by the first bytes of `data`, if recognised."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # Raw audio frames without a container start with sync bits; JPEG's FF D8
    # lacks them, so it cannot match (and is tested above anyway).
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: 12 sync bits, layer 00
            return "audio/aac"
        version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
        # MPEG audio: 11 sync bits, version and layer not the reserved values
        if head[1] & 0xE0 == 0xE0 and version != 0x1 and layer != 0x0:
            return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return _ISO_BMFF_BRANDS.get(bytes(head[8:12]), "video/mp4")
    return None
