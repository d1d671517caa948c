"""Unit tests of adapter.translate.response.usage."""

from __future__ import annotations

from typing import Any

import pytest
from schema_check import assert_valid

from adapter.translate.response.reply import completion_from
from adapter.translate.response.usage import usage_from


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, None),
        (
            {
                "promptTokenCount": 10,
                "candidatesTokenCount": 5,
                "thoughtsTokenCount": 7,
                "totalTokenCount": 22,
                "cachedContentTokenCount": 4,
                "toolUsePromptTokenCount": 3,
            },
            {
                "prompt_tokens": 13,
                "completion_tokens": 12,
                "total_tokens": 22,
                "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 7, "audio_tokens": 0},
            },
        ),
        (
            {
                "promptTokenCount": 8,
                "candidatesTokenCount": 2,
                "totalTokenCount": 10,
                "promptTokensDetails": [
                    {"modality": "AUDIO", "tokenCount": 6},
                    {"modality": "TEXT", "tokenCount": 2},
                ],
                "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 2}],
            },
            {
                "prompt_tokens": 8,
                "completion_tokens": 2,
                "total_tokens": 10,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 6},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 2},
            },
        ),
    ],
)
def test_usage(metadata: dict[str, Any] | None, expected: dict[str, Any] | None) -> None:
    assert usage_from(metadata) == expected
