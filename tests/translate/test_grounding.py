"""Unit tests of adapter.translate.response.grounding."""

from __future__ import annotations

from typing import Any

from schema_check import assert_valid
from translate_helpers import regression

from adapter.translate.response.grounding import annotations_from, byte_to_char_offsets
from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator


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


def test_byte_offsets_become_code_point_offsets() -> None:
    text = "café ☕ ok"
    table = byte_to_char_offsets(text)
    assert table[len("caf")] == 3
    assert table[len("café ".encode())] == 5
    assert table[len("café ☕ ".encode())] == 7
    assert table[-1] == len(text)


# --- positions relative to a part (Q7) ----------------------------------------------------


def cited(message_text: str, annotation: dict[str, Any]) -> str:
    citation = annotation["url_citation"]
    return message_text[citation["start_index"] : citation["end_index"]]


def test_part_index_offsets_count_from_their_part() -> None:
    fx = regression("grounding_part_index")
    message = reply(fx["native_reply"])["choices"][0]["message"]
    assert [cited(message["content"], a) for a in message["annotations"]] == [fx["expected_cited"]]


def stream_annotations(events: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    translator = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=False)
    text = ""
    for event in events:
        for chunk in translator.chunks_for(event):
            for choice in chunk["choices"]:
                text += choice["delta"].get("content") or ""
    final = translator.finish()[0]["choices"][0]["delta"]
    return text, final.get("annotations", [])


def test_part_index_in_streams_counts_parts_across_events() -> None:
    fx = regression("grounding_part_index")
    candidate = fx["native_reply"]["candidates"][0]
    first, second = candidate["content"]["parts"]
    closing = {k: v for k, v in candidate.items() if k != "content"}
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [first]}}]},
        {"candidates": [{"content": {"role": "model", "parts": [second]}, **closing}]},
    ]
    text, annotations = stream_annotations(events)
    assert [cited(text, a) for a in annotations] == [fx["expected_cited"]]
    # the fast path for plain text events (after the first) keeps the same table
    fast = [
        events[0],
        {"candidates": [{"content": {"role": "model", "parts": [second]}}]},
        {"candidates": [closing]},
    ]
    text, annotations = stream_annotations(fast)
    assert cited(text, annotations[0]) == fx["expected_cited"]


def test_inserted_text_and_multibyte_parts_are_counted() -> None:
    native = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"text": "thinking", "thought": True},
                        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
                        {"text": "Café ☕ est servi."},
                    ]
                },
                "finishReason": "STOP",
                "groundingMetadata": {
                    "groundingChunks": [{"web": {"uri": "https://cafe.example", "title": "c"}}],
                    "groundingSupports": [
                        {
                            # "☕ est" in part 3: bytes 6..13 of "Café ☕ est servi."
                            "segment": {"partIndex": 3, "startIndex": 6, "endIndex": 13},
                            "groundingChunkIndices": [0],
                        }
                    ],
                },
            }
        ]
    }
    message = reply(native)["choices"][0]["message"]
    assert cited(message["content"], message["annotations"][0]) == "☕ est"
