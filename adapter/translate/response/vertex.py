"""Vertex AI replies -> OpenAI shapes: `:predict` embeddings and the publisher model list.

Shapes: PredictResponse `{"predictions": [{"embeddings": {"values": [...], "statistics":
{"token_count": n, "truncated": bool}}}]}` (text embedding models); ListPublisherModels
`{"publisherModels": [{"name": "publishers/google/models/gemini-2.5-flash", ...}],
"nextPageToken": ...}` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/publishers.models/list).
"""

from __future__ import annotations

from typing import Any

from adapter.translate.response.embeddings import embeddings_from

PUBLISHER_PREFIX = "publishers/google/models/"


def embeddings_from_predict(
    replies: list[dict[str, Any]], model: str, encoding: str
) -> dict[str, Any]:
    """The replies of the `:predict` calls of one request, in call order."""
    embeddings = []
    tokens = 0
    for reply in replies:
        for prediction in reply.get("predictions") or ():
            embedding = prediction.get("embeddings") if isinstance(prediction, dict) else None
            embedding = embedding if isinstance(embedding, dict) else {}
            embeddings.append({"values": embedding.get("values") or []})
            statistics = embedding.get("statistics")
            if isinstance(statistics, dict) and isinstance(
                statistics.get("token_count"), int | float
            ):
                tokens += int(statistics["token_count"])
    out = embeddings_from({"embeddings": embeddings}, model, encoding)
    out["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return out


def embeddings_from_embed_content(
    replies: list[dict[str, Any]], model: str, encoding: str
) -> dict[str, Any]:
    """The replies of the `:embedContent` calls of one request (`{"embedding": {"values"},
    "usageMetadata": {"promptTokenCount"}}` each), in call order."""
    embeddings = []
    tokens = 0
    for reply in replies:
        embedding = reply.get("embedding")
        values = embedding.get("values") if isinstance(embedding, dict) else None
        embeddings.append({"values": values or []})
        usage = reply.get("usageMetadata")
        if isinstance(usage, dict) and isinstance(usage.get("promptTokenCount"), int):
            tokens += usage["promptTokenCount"]
    out = embeddings_from({"embeddings": embeddings}, model, encoding)
    out["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return out


def model_from_publisher(native: dict[str, Any]) -> dict[str, Any]:
    name = str(native.get("name", ""))
    return {
        "id": name.rpartition("/")[2] if name.startswith("publishers/") else name,
        "object": "model",
        "created": 0,  # Vertex does not say when a model was published
        "owned_by": "google",
    }


def model_list_from_publishers(pages: list[dict[str, Any]]) -> dict[str, Any]:
    models = [m for page in pages for m in page.get("publisherModels") or () if isinstance(m, dict)]
    return {"object": "list", "data": [model_from_publisher(m) for m in models]}
