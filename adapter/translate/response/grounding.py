"""groundingMetadata -> OpenAI `url_citation` annotations (docs/translation.md, "Grounding").

Native segment offsets count UTF-8 bytes; OpenAI's count code points (Python indices).
A segment with `partIndex` counts from the start of that part of the candidate's content;
the reply joins parts into one `content` (and inserts text of its own, e.g. fenced code
blocks), so each part's position in the joined text comes from `PartsOut.spans`. A segment
without `partIndex` counts in the joined text.
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


def annotations_from(
    grounding: dict[str, Any] | None,
    text: str,
    spans: list[tuple[int, str]] | None = None,
) -> list[dict[str, Any]]:
    """`spans[i]`: (code point offset in `text` where part i's contribution starts, that
    contribution), for every part of the content in order (see candidate.parts_out)."""
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

    part_tables: dict[int, list[int]] = {}

    def char_in_part(index: int, byte_offset: Any) -> int:
        base, part_text = spans[index]  # type: ignore[index]
        table = part_tables.get(index)
        if table is None:
            table = part_tables[index] = byte_to_char_offsets(part_text)
        if not isinstance(byte_offset, int) or byte_offset < 0:
            return base
        return base + table[min(byte_offset, len(table) - 1)]

    annotations = []
    for support in supports:
        segment = support.get("segment") or {}
        part = segment.get("partIndex")
        if spans and isinstance(part, int) and 0 <= part < len(spans):
            start = char_in_part(part, segment.get("startIndex", 0))
            end = char_in_part(part, segment.get("endIndex", 0))
        else:
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
