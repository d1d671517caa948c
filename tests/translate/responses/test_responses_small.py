"""The small pieces: error paths, tool names, encrypted_content, usage."""

from __future__ import annotations

import pytest

from adapter.translate.responses.encrypted import decode_signature, encode_signature
from adapter.translate.responses.request import responses_param
from adapter.translate.responses.tools import native_name_for
from adapter.translate.responses.usage import responses_usage


@pytest.mark.parametrize(
    ("chat", "responses"),
    [
        ("messages[3].content[0]", "input[3].content[0]"),
        ("max_completion_tokens", "max_output_tokens"),
        ("response_format.json_schema.schema.properties", "text.format.schema.properties"),
        ("response_format.type", "text.format.type"),
        ("reasoning_effort", "reasoning.effort"),
        ("tools[2].name", "tools[2].name"),
        (None, None),
    ],
)
def test_param_paths(chat: str | None, responses: str | None) -> None:
    assert responses_param(chat) == responses


@pytest.mark.parametrize(
    ("name", "namespace", "expected"),
    [
        ("get_weather", None, "get_weather"),
        ("search", "mcp__docs", "mcp__docs.search"),
        ("a" * 64, None, "a" * 64),
    ],
)
def test_valid_names_are_kept(name: str, namespace: str | None, expected: str) -> None:
    assert native_name_for(name, namespace) == expected


@pytest.mark.parametrize("name", ["1st", "-x", "has space", "ü", "a" * 65, "x/y"])
def test_invalid_names_become_valid_and_distinct(name: str) -> None:
    native = native_name_for(name, None)
    assert native != name and len(native) <= 64
    assert native[0].isalpha() or native[0] == "_"
    assert all(c.isalnum() or c in "_.:-" for c in native)
    assert native_name_for(name + "2", None) != native


@pytest.mark.parametrize("signature", ["c2ln", "QUJD+/==", "not base64 at all", "é"])
def test_encrypted_content_round_trip(signature: str) -> None:
    assert decode_signature(encode_signature(signature)) == signature


@pytest.mark.parametrize(
    "foreign",
    [None, 1, "", "gAAAAABmOpenAIFernetToken", "gemini-adapter.v1.!!!", "gemini-adapter.v1."],
)
def test_foreign_encrypted_content_is_not_ours(foreign: object) -> None:
    assert decode_signature(foreign) is None


def test_usage_without_metadata() -> None:
    assert responses_usage(None) is None
    assert responses_usage({"promptTokenCount": 2})["total_tokens"] == 2  # type: ignore[index]
