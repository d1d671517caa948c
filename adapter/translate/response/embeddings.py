"""Native `batchEmbedContents` reply -> OpenAI embeddings list."""

from __future__ import annotations

import base64
import struct
from typing import Any


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
