"""Unit tests of adapter.native (the reply shape check)."""

from __future__ import annotations

from typing import Any

import pytest
from schema_check import assert_valid

from adapter.translate.response.reply import completion_from, is_native_response


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


@pytest.mark.parametrize(
    ("obj", "ok"),
    [
        ({"candidates": []}, True),
        ({"usageMetadata": {}}, True),
        ({"unexpected": 1}, False),
        ([], False),
        ({"candidates": "x"}, False),
        ({"candidates": [1]}, False),
        ({"usageMetadata": "x"}, False),
        ({"candidates": [], "promptFeedback": []}, False),
    ],
)
def test_is_native_response(obj: Any, ok: bool) -> None:
    assert is_native_response(obj) is ok
