"""Unit tests of adapter.translate.request.extensions: the google extension."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import req

from adapter.translate.request import native_model_name, to_native_request
from adapter.translate.request.extensions import camel, camelize, merge_extension, split_thinking

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


# --- merge_extension and split_thinking, directly ------------------------------------------


@pytest.mark.parametrize(
    ("native", "google", "expected"),
    [
        (
            {"contents": []},
            {"cached_content": "cachedContents/1", "labels": {"team_name": "x"}},
            {"contents": [], "cachedContent": "cachedContents/1", "labels": {"team_name": "x"}},
        ),
        (
            {"contents": [], "tools": [{"functionDeclarations": [{"name": "f"}]}]},
            {"tools": ["google_search", {"url_context": {}}]},
            {
                "contents": [],
                "tools": [
                    {"functionDeclarations": [{"name": "f"}]},
                    {"googleSearch": {}},
                    {"urlContext": {}},
                ],
            },
        ),
        (
            {"contents": [], "generationConfig": {"temperature": 1}},
            {"generation_config": {"top_k": 3}, "response_modalities": ["TEXT"]},
            {
                "contents": [],
                "generationConfig": {"temperature": 1, "topK": 3, "responseModalities": ["TEXT"]},
            },
        ),
        (
            {"contents": [], "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}},
            {"tool_config": {"function_calling_config": {"allowed_function_names": ["f"]}}},
            {
                "contents": [],
                "toolConfig": {
                    "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}
                },
            },
        ),
        (
            {"contents": []},
            {"new_native_field": {"some_key": 1}},
            {"contents": [], "newNativeField": {"someKey": 1}},
        ),
    ],
)
def test_merge_extension(native: dict[str, Any], google: dict[str, Any], expected: dict) -> None:
    merge_extension(native, google, "google")
    assert native == expected


def test_split_thinking_takes_the_config_out_with_its_path() -> None:
    google = {"thinking_config": {"thinking_level": "low"}, "labels": {"a": "b"}}
    rest, explicit, where = split_thinking(google, "extra_body.google")
    assert rest == {"labels": {"a": "b"}}
    assert explicit == {"thinkingLevel": "low"}
    assert where == "extra_body.google.thinking_config"
    assert "thinking_config" in google  # the caller's object is not changed
    nested = {"generationConfig": {"thinkingConfig": {"thinkingBudget": 5}, "topK": 2}}
    rest, explicit, where = split_thinking(nested, "google")
    assert rest == {"generationConfig": {"topK": 2}}
    assert (explicit, where) == ({"thinkingBudget": 5}, "google.generationConfig.thinkingConfig")
    assert split_thinking({"labels": {}}, "google") == ({"labels": {}}, None, "")
