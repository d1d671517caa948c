"""Unit tests of the embeddings translators: batches split to the native limit (Q4) and
merged back in input order."""

from __future__ import annotations

import pytest
from translate_helpers import regression

from adapter.errors import AdapterError
from adapter.translate.request.embeddings import split_batches, to_native_embeddings
from adapter.translate.response.embeddings import embeddings_from, merge_batches


def test_over_the_limit_is_split_and_merged_in_order() -> None:
    fx = regression("embeddings_batch_over_limit")
    texts = [f"text {i}" for i in range(fx["inputs"])]
    native = to_native_embeddings({"model": "e", "input": texts}, "text-embedding-004")
    batches = split_batches(native.body)
    assert [len(b["requests"]) for b in batches] == [100, 50]
    assert all(len(b["requests"]) <= fx["limit"] for b in batches)
    sent = [r["content"]["parts"][0]["text"] for b in batches for r in b["requests"]]
    assert sent == texts
    # each upstream reply answers its batch; values encode the input index
    replies = [
        {
            "embeddings": [
                {"values": [float(texts.index(r["content"]["parts"][0]["text"]))]}
                for r in b["requests"]
            ]
        }
        for b in batches
    ]
    result = embeddings_from(merge_batches(replies), "e", "float")
    assert [d["index"] for d in result["data"]] == list(range(150))
    assert [d["embedding"] for d in result["data"]] == [[float(i)] for i in range(150)]
    assert result["usage"] == {"prompt_tokens": 0, "total_tokens": 0}


def test_within_the_limit_is_one_call() -> None:
    native = to_native_embeddings({"model": "e", "input": ["a", "b"]}, "m")
    assert split_batches(native.body) == [native.body]
    assert merge_batches([{"embeddings": []}]) == {"embeddings": []}


@pytest.mark.parametrize(
    ("replies", "sizes"),
    [
        ([{"embeddings": []}, {"nope": 1}], None),
        ([["not", "an", "object"]], None),
        ([{"embeddings": [{"values": "x"}]}], None),
        ([{"embeddings": [{"values": [True]}]}], None),
        ([{"embeddings": [{"values": [1.0]}]}], [2]),  # fewer vectors than inputs
    ],
)
def test_malformed_batch_reply_is_a_502(replies: list, sizes: list[int] | None) -> None:
    with pytest.raises(AdapterError) as caught:
        merge_batches(replies, sizes)
    assert (caught.value.status, caught.value.code) == (502, "bad_upstream_response")


@pytest.mark.parametrize("dimensions", [0, 2**31])
def test_dimensions_outside_int32_are_refused(dimensions: int) -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_embeddings({"model": "e", "input": "a", "dimensions": dimensions}, "m")
    assert caught.value.param == "dimensions"
