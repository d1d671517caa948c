"""Native `batchEmbedContents` reply -> OpenAI embeddings list."""

from __future__ import annotations

import base64
import struct
from typing import Any


def merge_batches(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """The replies to `split_batches`' requests, in that order -> one batch reply.

    Raises ValueError if a reply is not a BatchEmbedContentsResponse (the caller maps it to
    a 502)."""
    if len(replies) == 1:
        return replies[0]
    embeddings: list[Any] = []
    for reply in replies:
        items = reply.get("embeddings") if isinstance(reply, dict) else None
        if not isinstance(items, list):
            raise ValueError("not a BatchEmbedContentsResponse")
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
