"""OpenAI `/v1/embeddings` request -> native `batchEmbedContents` (docs/behaviour.md P1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.request.fields import expect, optional

# batchEmbedContents takes at most 100 requests per call ("at most 100 requests can be in a
# batch", the API's 400); larger inputs are split (docs/translation.md, "Embeddings").
BATCH_LIMIT = 100
INT32_MAX = 2**31 - 1


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
    if dimensions is not None and not 1 <= dimensions <= INT32_MAX:
        # Not clamped: a different length would change the vectors' shape silently.
        raise invalid_request(
            f"dimensions must be between 1 and {INT32_MAX} (the native field is int32).",
            param="dimensions",
        )
    optional(body, "user", (str,))
    requests = []
    for text in texts:
        item: dict[str, Any] = {"model": f"models/{model}", "content": {"parts": [{"text": text}]}}
        if dimensions is not None:
            item["outputDimensionality"] = dimensions
        requests.append(item)
    return EmbeddingRequest(model, str(body["model"]), encoding, {"requests": requests})


def split_batches(native: dict[str, Any], limit: int = BATCH_LIMIT) -> list[dict[str, Any]]:
    """A BatchEmbedContentsRequest -> the requests to send, each within the native limit,
    in input order (merge the replies with response.embeddings.merge_batches)."""
    requests = native.get("requests") or []
    if len(requests) <= limit:
        return [native]
    return [
        {**native, "requests": requests[start : start + limit]}
        for start in range(0, len(requests), limit)
    ]
