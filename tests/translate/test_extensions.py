"""Unit tests of adapter.translate.request.extensions: the google extension."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import req

from adapter.translate.request import native_model_name, to_native_request
from adapter.translate.request.extensions import camel, camelize

# --- extensions (R9) ----------------------------------------------------------------------


def test_google_extension_merged_in_camel_case_keeping_data_keys() -> None:
    google = {
        "cached_content": "cachedContents/abc",
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
        "tools": ["google_search", {"code_execution": {}}, {"url_context": {}}],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "generation_config": {"top_k": 5, "response_mime_type": "text/plain"},
        "response_modalities": ["TEXT", "IMAGE"],
        "image_config": {"aspect_ratio": "16:9"},
        "labels": {"my_team": "a_b"},
        "future_field": {"some_name": 1},
    }
    body = to_native_request(req(temperature=0.1, google=google)).body
    assert body["cachedContent"] == "cachedContents/abc"
    assert body["safetySettings"][0]["threshold"] == "BLOCK_NONE"
    assert body["tools"] == [{"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert body["generationConfig"] == {
        "temperature": 0.1,
        "topK": 5,
        "responseMimeType": "text/plain",
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "16:9"},
    }
    assert body["labels"] == {"my_team": "a_b"}
    assert body["futureField"] == {"someName": 1}


def test_extension_at_extra_body_and_web_search_options() -> None:
    body = to_native_request(
        req(web_search_options={}, extra_body={"google": {"tools": [{"googleSearch": {}}]}})
    ).body
    assert body["tools"] == [{"googleSearch": {}}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"thinking_config": {"include_thoughts": True}},
            {"thinkingConfig": {"includeThoughts": True}},
        ),
        ({"args": {"snake_key": 1}}, {"args": {"snake_key": 1}}),
        (
            {"response_json_schema": {"properties": {"a_b": {}}}},
            {"responseJsonSchema": {"properties": {"a_b": {}}}},
        ),
        ([{"a_b": 1}], [{"aB": 1}]),
    ],
)
def test_camelize(value: Any, expected: Any) -> None:
    assert camelize(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("thinking_config", "thinkingConfig"),
        ("topK", "topK"),
        ("_private", "_private"),
        ("a_b_c", "aBC"),
    ],
)
def test_camel(name: str, expected: str) -> None:
    assert camel(name) == expected


@pytest.mark.parametrize(
    ("model", "aliases", "expected"),
    [
        ("models/gemini-2.5-flash", {}, "gemini-2.5-flash"),
        ("google/gemini-2.5-pro", {}, "gemini-2.5-pro"),
        ("gpt-4o-mini", {"gpt-4o-mini": "gemini-2.5-flash"}, "gemini-2.5-flash"),
    ],
)
def test_model_names(model: str, aliases: dict[str, str], expected: str) -> None:
    assert native_model_name(model, aliases) == expected
