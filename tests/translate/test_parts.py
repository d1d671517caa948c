"""Unit tests of adapter.translate.request.parts: content parts and media types."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from translate_helpers import native, regression, req

from adapter.errors import AdapterError
from adapter.translate.media import head_of_base64, native_mime, normalise_mime, sniff_mime
from adapter.translate.request import to_native_request
from adapter.translate.request.parts import PartsContext, RemoteMedia, fill_remote_media

# --- parts (R3) ---------------------------------------------------------------------------

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
    "rkJggg=="
)

PART_CASES = [
    (
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
    ),
    (
        {"type": "image_url", "image_url": {"url": "gs://bucket/cat.jpg"}},
        {"fileData": {"fileUri": "gs://bucket/cat.jpg", "mimeType": "image/jpeg"}},
    ),
    (
        {
            "type": "image_url",
            "image_url": {"url": "https://generativelanguage.googleapis.com/v1beta/files/abc"},
        },
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
    ),
    (
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
    ),
    (
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"},
        },
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
    ),
    (
        {"type": "file", "file": {"file_id": "files/xyz", "filename": "a.pdf"}},
        {
            "fileData": {
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/xyz",
                "mimeType": "application/pdf",
            }
        },
    ),
]


@pytest.mark.parametrize(("part", "expected"), PART_CASES)
def test_parts(part: dict[str, Any], expected: dict[str, Any]) -> None:
    body = native(messages=[{"role": "user", "content": [{"type": "text", "text": "see"}, part]}])
    assert body["contents"][0]["parts"] == [{"text": "see"}, expected]


def test_remote_image_is_left_for_the_fetcher_and_detail_maps() -> None:
    result = to_native_request(
        req(
            messages=[
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://example.com/a.png", "detail": "high"},
                        }
                    ],
                }
            ]
        )
    )
    (item,) = result.remote_media
    assert item.url == "https://example.com/a.png"
    assert item.param == "messages[0].content[0].image_url.url"
    assert item.part is result.body["contents"][0]["parts"][0]
    assert result.body["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_HIGH"


# --- media types (Q2) ---------------------------------------------------------------------

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
WAV_BYTES = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(20)
MP3_BYTES = b"ID3\x04\x00" + bytes(20)
PDF_BYTES = b"%PDF-1.7\n" + bytes(20)
GIF_BYTES = b"GIF89a" + bytes(20)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def first_inline(body: dict[str, Any]) -> dict[str, Any]:
    parts = body["contents"][0]["parts"]
    return next(p["inlineData"] for p in parts if "inlineData" in p)


def test_image_jpg_label_becomes_image_jpeg() -> None:
    fx = regression("media_type_image_jpg")
    assert first_inline(to_native_request(fx["request"]).body)["mimeType"] == fx["expected_mime"]


def test_wrong_label_is_corrected_and_unsupported_type_names_the_part() -> None:
    fx = regression("media_type_wrong_label")
    assert first_inline(to_native_request(fx["request"]).body)["mimeType"] == fx["expected_mime"]
    with pytest.raises(AdapterError) as caught:
        to_native_request(fx["unsupported_request"])
    assert caught.value.param == fx["unsupported_param"]
    assert caught.value.code == "unsupported_media_type"


@pytest.mark.parametrize(
    ("part", "mime"),
    [
        (
            {"type": "input_audio", "input_audio": {"data": b64(MP3_BYTES), "format": "mp3"}},
            "audio/mp3",
        ),
        # the bytes are WAV whatever the format says
        (
            {"type": "input_audio", "input_audio": {"data": b64(WAV_BYTES), "format": "mp3"}},
            "audio/wav",
        ),
        (
            {"type": "file", "file": {"file_data": b64(PDF_BYTES), "filename": "a.bin"}},
            "application/pdf",
        ),
        (
            {
                "type": "file",
                "file": {"file_data": "data:application/x-pdf;base64," + b64(PDF_BYTES)},
            },
            "application/pdf",
        ),
        (
            {"type": "file", "file": {"file_data": "data:audio/mpeg;base64," + b64(MP3_BYTES)}},
            "audio/mp3",
        ),
        (
            {"type": "file", "file": {"file_data": "data:text/plain;base64," + b64(b"hello")}},
            "text/plain",
        ),
        (
            {
                "type": "image_url",
                "image_url": {"url": "data:IMAGE/JPEG; charset=x;base64," + b64(JPEG_BYTES)},
            },
            "image/jpeg",
        ),
    ],
)
def test_media_types_normalised_everywhere(part: dict[str, Any], mime: str) -> None:
    assert first_inline(native(messages=[{"role": "user", "content": [part]}]))["mimeType"] == mime


@pytest.mark.parametrize(
    ("part", "param"),
    [
        (
            {"type": "image_url", "image_url": {"url": "data:image/gif;base64," + b64(GIF_BYTES)}},
            "messages[0].content[0].image_url.url",
        ),
        (
            {
                "type": "file",
                "file": {"file_data": "data:application/zip;base64," + b64(b"PK\x03\x04")},
            },
            "messages[0].content[0].file",
        ),
        (
            {"type": "input_audio", "input_audio": {"data": b64(GIF_BYTES), "format": "wav"}},
            "messages[0].content[0].input_audio",
        ),
    ],
)
def test_unsupported_media_is_a_400_naming_the_part(part: dict[str, Any], param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(messages=[{"role": "user", "content": [part]}]))
    assert caught.value.param == param


def test_pcm16_is_wrapped_as_wav() -> None:
    pcm = bytes(range(16))
    part = {"type": "input_audio", "input_audio": {"data": b64(pcm), "format": "pcm16"}}
    inline = first_inline(native(messages=[{"role": "user", "content": [part]}]))
    wav = base64.b64decode(inline["data"])
    assert inline["mimeType"] == "audio/wav"
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and wav.endswith(pcm)
    assert int.from_bytes(wav[24:28], "little") == 24000  # OpenAI's pcm16 rate


def test_fetched_media_is_checked_like_inline_media() -> None:
    item = RemoteMedia(url="https://x/a.jpg", param="messages[0].content[0].image_url.url", part={})
    fill_remote_media(item, "image/jpg", JPEG_BYTES)
    assert item.part["inlineData"]["mimeType"] == "image/jpeg"
    with pytest.raises(AdapterError) as caught:
        fill_remote_media(item, "image/gif", GIF_BYTES)
    assert caught.value.param == item.param


@pytest.mark.parametrize(
    ("declared", "head", "expected"),
    [
        ("image/jpg", None, ("image/jpeg", None)),
        ("audio/x-wav", None, ("audio/wav", None)),
        ("video/quicktime", None, ("video/mov", None)),
        ("application/octet-stream", JPEG_BYTES, ("image/jpeg", None)),
        (None, PDF_BYTES, ("application/pdf", None)),
        ("image/png", GIF_BYTES, ("image/gif", "image/gif")),
        (
            "application/octet-stream",
            b"????",
            ("application/octet-stream", "application/octet-stream"),
        ),
    ],
)
def test_native_mime(declared: str | None, head: bytes | None, expected: tuple) -> None:
    assert native_mime(declared, head) == expected


def test_sniffer_lives_in_the_pure_core() -> None:
    assert sniff_mime(JPEG_BYTES) == "image/jpeg"
    assert head_of_base64(b64(JPEG_BYTES))[:3] == b"\xff\xd8\xff"
    assert normalise_mime(" Image/JPG ; q=1") == "image/jpeg"
    ctx = PartsContext(remote=[], details=set())
    assert ctx.remote == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("gs://bucket/photo.JPG", {"fileUri": "gs://bucket/photo.JPG", "mimeType": "image/jpeg"}),
        ("gs://bucket/clip.mov", {"fileUri": "gs://bucket/clip.mov", "mimeType": "video/mov"}),
        ("gs://bucket/blob", {"fileUri": "gs://bucket/blob"}),
    ],
)
def test_file_uris_get_a_normalised_type_or_none(url: str, expected: dict[str, Any]) -> None:
    part = {"type": "image_url", "image_url": {"url": url}}
    body = native(messages=[{"role": "user", "content": [part]}])
    assert body["contents"][0]["parts"][0] == {"fileData": expected}


def test_file_uri_of_a_refused_type_names_the_part() -> None:
    part = {"type": "image_url", "image_url": {"url": "gs://bucket/anim.gif"}}
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(messages=[{"role": "user", "content": [part]}]))
    assert caught.value.param == "messages[0].content[0].image_url.url"
