"""Unit tests of adapter.native_shape (the reply shape check)."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import regression

from adapter.native_shape import is_native_response


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
        (regression("reply_parts_not_a_list")["native_reply"], False),
        ({"candidates": [{"content": "x"}]}, False),
        ({"candidates": [{"content": {"parts": [1]}}]}, False),
        ({"candidates": [{"content": {"parts": None}}]}, True),
        ({"candidates": [{"finishReason": "SAFETY"}]}, True),
        ({"candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}}]}, True),
    ],
)
def test_is_native_response(obj: Any, ok: bool) -> None:
    assert is_native_response(obj) is ok
