"""OpenAI `/v1/embeddings` request -> native `batchEmbedContents` (SPEC 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.request.fields import expect, optional


@dataclass
class EmbeddingRequest:
    model: str  # native id, alias resolved
    requested_model: str
    encoding: str  # "float" or "base64"
    body: dict[str, Any]  # BatchEmbedContentsRequest


def to_native_embeddings(body: Any, model: str) -> EmbeddingRequest:
    """`model` is the native id already resolved from `body["model"]` by the caller."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    texts = body.get("input")
    if texts is None:
        raise invalid_request("You must provide 'input'.", param="input")
    if isinstance(texts, str):
        texts = [texts]
    expect(texts, (list,), "input")
    if not texts:
        raise invalid_request("'input' must not be empty.", param="input")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise invalid_request(
                "Only text input is supported (token arrays are OpenAI-tokenizer specific).",
                param=f"input[{i}]",
            )
        if not text:
            raise invalid_request("'input' items must not be empty.", param=f"input[{i}]")
    encoding = optional(body, "encoding_format", (str,)) or "float"
    if encoding not in ("float", "base64"):
        raise invalid_request("encoding_format must be 'float' or 'base64'.", "encoding_format")
    dimensions = optional(body, "dimensions", (int,))
    if dimensions is not None and dimensions < 1:
        raise invalid_request("dimensions must be at least 1.", param="dimensions")
    optional(body, "user", (str,))
    requests = []
    for text in texts:
        item: dict[str, Any] = {"model": f"models/{model}", "content": {"parts": [{"text": text}]}}
        if dimensions is not None:
            item["outputDimensionality"] = dimensions
        requests.append(item)
    return EmbeddingRequest(model, str(body["model"]), encoding, {"requests": requests})
