"""Deterministic embedding vectors for batchEmbedContents.

Values come from SHAKE-256 of the model and text, so equal inputs give equal vectors.
A shorter `outputDimensionality` yields a prefix of the longer vector (renormalised),
which is how Matryoshka-style truncation behaves on the real models.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from gemini_emulator import models


def vector(model: str, text: str, size: int) -> list[float]:
    raw = hashlib.shake_256(f"{model}\x00{text}".encode()).digest(2 * size)
    values = [int.from_bytes(raw[i : i + 2], "big") / 32767.5 - 1.0 for i in range(0, 2 * size, 2)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 7) for v in values]


def batch(request: dict[str, Any], model: str) -> dict[str, Any]:
    """A BatchEmbedContentsResponse for a validated request."""
    default = models.embedding_size(model)
    embeddings = []
    for item in request["requests"]:
        parts = item["content"]["parts"]
        text = " ".join(p["text"] for p in parts if "text" in p)
        size = int(item.get("outputDimensionality") or 0) or default
        embeddings.append({"values": vector(model, text, size)})
    return {"embeddings": embeddings}
