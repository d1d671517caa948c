"""Unit tests of adapter.translate.response.finish."""

from __future__ import annotations

from typing import Any

import pytest
from schema_check import assert_valid

from adapter.translate.response.finish import finish_reason_from
from adapter.translate.response.reply import completion_from


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


@pytest.mark.parametrize(
    ("native", "tools", "expected"),
    [
        ("STOP", False, "stop"),
        ("STOP", True, "tool_calls"),
        ("MAX_TOKENS", False, "length"),
        ("MAX_TOKENS", True, "length"),
        ("SAFETY", False, "content_filter"),
        ("RECITATION", False, "content_filter"),
        ("BLOCKLIST", False, "content_filter"),
        ("PROHIBITED_CONTENT", False, "content_filter"),
        ("SPII", False, "content_filter"),
        ("IMAGE_SAFETY", False, "content_filter"),
        ("MALFORMED_FUNCTION_CALL", False, "stop"),
        ("OTHER", False, "stop"),
        ("SOMETHING_NEW", False, "stop"),
        (None, False, None),
    ],
)
def test_finish_reason(native: str | None, tools: bool, expected: str | None) -> None:
    assert finish_reason_from(native, tools) == expected
