"""Native `batchEmbedContents` reply -> OpenAI embeddings list."""

from __future__ import annotations

import base64
import struct
from typing import Any

from adapter.translate.response.errors import bad_upstream_reply


def merge_batches(replies: list[Any], sizes: list[int] | None = None) -> dict[str, Any]:
    """The replies to `split_batches`' requests, in that order -> one batch reply.

    Each reply must be a BatchEmbedContentsResponse (with `sizes[i]` embeddings when sizes
    are given), each embedding an object with a list of numbers, else a 502
    `bad_upstream_response`."""
    embeddings: list[Any] = []
    for i, reply in enumerate(replies):
        items = reply.get("embeddings") if isinstance(reply, dict) else None
        if not isinstance(items, list) or (sizes is not None and len(items) != sizes[i]):
            raise bad_upstream_reply("BatchEmbedContentsResponse")
        for item in items:
            values = item.get("values") if isinstance(item, dict) else None
            if not isinstance(values, list) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                raise bad_upstream_reply("BatchEmbedContentsResponse")
        embeddings.extend(items)
    return {"embeddings": embeddings}


def embeddings_from(native: dict[str, Any], model: str, encoding: str) -> dict[str, Any]:
    data = []
    for index, embedding in enumerate(native.get("embeddings") or ()):
        values = embedding.get("values") or []
        vector: Any = values
        if encoding == "base64":  # OpenAI's base64 form: little-endian float32
            vector = base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    # batchEmbedContents reports no token counts.
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": 0, "total_tokens": 0},
    }
