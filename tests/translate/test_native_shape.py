"""Unit tests of adapter.native_shape (the reply shape check)."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import regression

from adapter.errors import AdapterError
from adapter.native_shape import is_native_response
from adapter.translate.response.model_list import model_list_from


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


@pytest.mark.parametrize("reply", [[], "x", {"models": "x"}, {"models": [1]}])
def test_model_replies_of_the_wrong_shape_are_a_502(reply: Any) -> None:
    with pytest.raises(AdapterError) as caught:
        model_list_from(reply)
    assert (caught.value.status, caught.value.code) == (502, "bad_upstream_response")
    assert model_list_from({}) == {"object": "list", "data": []}
