"""Unit tests of adapter.translate.request.parts: content parts and media types."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import native, req

from adapter.translate.request import to_native_request

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
