"""Native requests reshaped for Vertex, and Vertex replies read back (docs/vertex.md)."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from adapter.errors import AdapterError
from adapter.translate.request.vertex import (
    count_tokens_body,
    embed_content_bodies,
    for_vertex,
    predict_bodies,
    uses_embed_content,
)
from adapter.translate.response.vertex import (
    embeddings_from_embed_content,
    embeddings_from_predict,
    model_from_publisher,
    model_list_from_publishers,
)

USER = {"role": "user", "parts": [{"text": "hi"}]}


@pytest.mark.parametrize(
    ("body", "expected", "adjusted"),
    [
        ({"contents": [USER]}, {"contents": [USER]}, []),
        (
            {"contents": [USER], "labels": {"team": "a"}, "modelArmorConfig": {"x": "y"}},
            {"contents": [USER], "labels": {"team": "a"}, "modelArmorConfig": {"x": "y"}},
            [],
        ),
        ({"contents": [USER], "store": True}, {"contents": [USER]}, ["store=dropped"]),
        (
            {
                "contents": [USER],
                "generationConfig": {"temperature": 1, "enableEnhancedCivicAnswers": True},
            },
            {"contents": [USER], "generationConfig": {"temperature": 1}},
            ["generationConfig.enableEnhancedCivicAnswers=dropped"],
        ),
        (
            {"contents": [USER], "tools": [{"googleSearch": {}}, {"fileSearch": {"a": 1}}]},
            {"contents": [USER], "tools": [{"googleSearch": {}}]},
            ["tools[1].fileSearch=dropped"],
        ),
        (
            {"contents": [USER], "tools": [{"fileSearch": {}}]},
            {"contents": [USER]},
            ["tools[0].fileSearch=dropped"],
        ),
        (
            {
                "contents": [
                    USER,
                    {"role": "model", "parts": [{"toolCall": {"id": "1"}}, {"text": "ok"}]},
                ]
            },
            {"contents": [USER, {"role": "model", "parts": [{"text": "ok"}]}]},
            ["contents[1].parts[0].toolCall=dropped"],
        ),
    ],
)
def test_for_vertex(body: dict[str, Any], expected: dict[str, Any], adjusted: list[str]) -> None:
    before = repr(body)
    assert for_vertex(body) == (expected, adjusted)
    assert repr(body) == before  # the input is not changed


def _batch(texts: list[str], dimensions: int | None = None) -> dict[str, Any]:
    requests = []
    for text in texts:
        item: dict[str, Any] = {"model": "models/m", "content": {"parts": [{"text": text}]}}
        if dimensions:
            item["outputDimensionality"] = dimensions
        requests.append(item)
    return {"requests": requests}


def test_predict_bodies() -> None:
    assert predict_bodies(_batch(["a", "b"], 8), "text-embedding-005") == [
        {
            "instances": [{"content": "a"}, {"content": "b"}],
            "parameters": {"outputDimensionality": 8},
        }
    ]
    # gemini-embedding-001 takes one instance a call
    assert predict_bodies(_batch(["a", "b"]), "gemini-embedding-001") == [
        {"instances": [{"content": "a"}]},
        {"instances": [{"content": "b"}]},
    ]
    many = predict_bodies(_batch([str(i) for i in range(251)]), "text-embedding-005")
    assert [len(b["instances"]) for b in many] == [250, 1]


def test_embeddings_from_predict() -> None:
    replies = [
        {
            "predictions": [
                {"embeddings": {"values": [0.5, -1.0], "statistics": {"token_count": 3}}}
            ]
        },
        {
            "predictions": [
                {"embeddings": {"values": [1.0, 0.0], "statistics": {"token_count": 2.0}}}
            ]
        },
    ]
    out = embeddings_from_predict(replies, "my-embed", "float")
    assert [d["embedding"] for d in out["data"]] == [[0.5, -1.0], [1.0, 0.0]]
    assert [d["index"] for d in out["data"]] == [0, 1]
    assert out["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    assert out["model"] == "my-embed"
    encoded = embeddings_from_predict(replies[:1], "m", "base64")["data"][0]["embedding"]
    assert struct.unpack("<2f", base64.b64decode(encoded)) == (0.5, -1.0)


def test_publisher_models() -> None:
    pages = [
        {"publisherModels": [{"name": "publishers/google/models/gemini-2.5-flash"}]},
        {"publisherModels": [{"name": "publishers/google/models/imagen-4.0-generate-001"}]},
    ]
    listed = model_list_from_publishers(pages)
    assert [m["id"] for m in listed["data"]] == ["gemini-2.5-flash", "imagen-4.0-generate-001"]
    assert model_from_publisher({"name": "publishers/google/models/x"})["owned_by"] == "google"


def test_embed_content_for_later_gemini_embedding_models() -> None:
    assert uses_embed_content("gemini-embedding-2-preview")
    assert not uses_embed_content("gemini-embedding-001")
    assert not uses_embed_content("text-embedding-005")
    assert embed_content_bodies(_batch(["a", "b"], 16)) == [
        {"content": {"parts": [{"text": "a"}]}, "embedContentConfig": {"outputDimensionality": 16}},
        {"content": {"parts": [{"text": "b"}]}, "embedContentConfig": {"outputDimensionality": 16}},
    ]
    replies = [
        {"embedding": {"values": [1.0]}, "usageMetadata": {"promptTokenCount": 2}},
        {"embedding": {"values": [0.0]}, "usageMetadata": {"promptTokenCount": 3}},
    ]
    out = embeddings_from_embed_content(replies, "g", "float")
    assert [d["embedding"] for d in out["data"]] == [[1.0], [0.0]]
    assert out["usage"]["prompt_tokens"] == 5


@pytest.mark.parametrize(
    "replies",
    [
        [None],
        [{"predictions": "x"}],
        [{"predictions": [{"embeddings": {"values": ["a"]}}]}],
        [{"predictions": [{"nope": 1}]}],
    ],
)
def test_bad_predict_replies_are_502(replies: list[Any]) -> None:
    with pytest.raises(AdapterError) as caught:
        embeddings_from_predict(replies, "m", "float")
    assert (caught.value.status, caught.value.code) == (502, "bad_upstream_response")


def test_bad_vertex_replies_are_502() -> None:
    for call in (
        lambda: embeddings_from_embed_content([{"embedding": 3}], "m", "float"),
        lambda: embeddings_from_predict(
            [{"predictions": [{"embeddings": {"values": [1.0]}}]}], "m", "float", [2]
        ),
        lambda: model_list_from_publishers([{"publisherModels": {}}]),
        lambda: model_from_publisher([]),
    ):
        with pytest.raises(AdapterError) as caught:
            call()
        assert caught.value.status == 502
    assert model_list_from_publishers([{}]) == {"object": "list", "data": []}


def test_count_tokens_body() -> None:
    body = {
        "contents": [USER],
        "systemInstruction": {"parts": [{"text": "s"}]},
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "labels": {"a": "b"},
    }
    assert count_tokens_body(body, "m", vertex=True) == {
        "contents": [USER],
        "systemInstruction": {"parts": [{"text": "s"}]},
    }
    assert count_tokens_body(body, "m", vertex=False) == {
        "generateContentRequest": {"model": "models/m", **body}
    }
