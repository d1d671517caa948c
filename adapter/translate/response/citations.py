"""groundingMetadata -> OpenAI `url_citation` annotations (SPEC S7).

Native segment offsets count UTF-8 bytes; OpenAI's count code points (Python indices).
"""

from __future__ import annotations

from typing import Any


def byte_to_char_offsets(text: str) -> list[int]:
    """For each UTF-8 byte offset (0..len(bytes)), the code point index it falls in."""
    table = []
    for index, char in enumerate(text):
        table.extend([index] * len(char.encode()))
    table.append(len(text))
    return table


def annotations_from(grounding: dict[str, Any] | None, text: str) -> list[dict[str, Any]]:
    if not grounding:
        return []
    chunks = grounding.get("groundingChunks") or []
    supports = grounding.get("groundingSupports") or []
    if not chunks or not supports:
        return []
    offsets = byte_to_char_offsets(text)
    last = len(offsets) - 1

    def char_at(byte_offset: Any) -> int:
        if not isinstance(byte_offset, int) or byte_offset < 0:
            return 0
        return offsets[min(byte_offset, last)]

    annotations = []
    for support in supports:
        segment = support.get("segment") or {}
        start = char_at(segment.get("startIndex", 0))
        end = char_at(segment.get("endIndex", 0))
        for index in support.get("groundingChunkIndices") or []:
            if not isinstance(index, int) or not 0 <= index < len(chunks):
                continue
            source = (
                chunks[index].get("web")
                or chunks[index].get("retrievedContext")
                or chunks[index].get("maps")
                or {}
            )
            url = source.get("uri")
            if not url:
                continue
            annotations.append(
                {
                    "type": "url_citation",
                    "url_citation": {
                        "url": url,
                        "title": source.get("title", ""),
                        "start_index": start,
                        "end_index": end,
                    },
                }
            )
    return annotations
