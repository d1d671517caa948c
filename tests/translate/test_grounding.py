"""Unit tests of adapter.translate.response.grounding."""

from __future__ import annotations

from typing import Any

from schema_check import assert_valid

from adapter.translate.response.grounding import annotations_from
from adapter.translate.response.reply import completion_from


def reply(native: dict[str, Any]) -> dict[str, Any]:
    result = completion_from(native, model="m", created=1, fallback_id="chatcmpl-x")
    assert_valid("openai.chat_completion", result)
    return result


def test_grounding_annotations() -> None:
    text = "Le café est bon. Paris est grand."
    start = len("Le café est bon. ".encode())
    grounding = {
        "groundingChunks": [
            {"web": {"uri": "https://a", "title": "A"}},
            {"web": {"uri": "https://b", "title": "B"}},
        ],
        "groundingSupports": [
            {
                "segment": {"startIndex": start, "endIndex": len(text.encode())},
                "groundingChunkIndices": [1, 0],
            },
            {
                "segment": {"endIndex": len("Le café est bon.".encode())},
                "groundingChunkIndices": [5],
            },
        ],
    }
    annotations = annotations_from(grounding, text)
    assert [a["url_citation"]["url"] for a in annotations] == ["https://b", "https://a"]
    first = annotations[0]["url_citation"]
    assert text[first["start_index"] : first["end_index"]] == "Paris est grand."
