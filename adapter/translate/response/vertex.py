"""Vertex AI replies -> OpenAI shapes: `:predict` and `:embedContent` embeddings, and the
publisher model list. A reply of the wrong shape is a 502 `bad_upstream_response`.

Shapes: PredictResponse `{"predictions": [{"embeddings": {"values": [...], "statistics":
{"token_count": n, "truncated": bool}}}]}` (text embedding models); EmbedContentResponse
`{"embedding": {"values": [...]}, "usageMetadata": {"promptTokenCount": n}}`;
ListPublisherModels `{"publisherModels": [{"name": "publishers/google/models/gemini-2.5-flash",
...}], "nextPageToken": ...}`
(https://cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/publishers.models/list).
"""

from __future__ import annotations

from typing import Any

from adapter.translate.response.embeddings import embeddings_from, merge_batches
from adapter.translate.response.errors import bad_upstream_reply


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def embeddings_from_predict(
    replies: list[Any], model: str, encoding: str, sizes: list[int] | None = None
) -> dict[str, Any]:
    """The replies of the `:predict` calls of one request, in call order (`sizes[i]`
    predictions expected from call i when given)."""
    batches = []
    tokens = 0
    for reply in replies:
        predictions = reply.get("predictions") if isinstance(reply, dict) else None
        if not isinstance(predictions, list):
            raise bad_upstream_reply("PredictResponse")
        embeddings = []
        for prediction in predictions:
            embedding = prediction.get("embeddings") if isinstance(prediction, dict) else None
            if not isinstance(embedding, dict):
                raise bad_upstream_reply("PredictResponse")
            embeddings.append(embedding)
            statistics = embedding.get("statistics")
            if isinstance(statistics, dict) and _number(statistics.get("token_count")):
                tokens += int(statistics["token_count"])
        batches.append({"embeddings": embeddings})
    merged = merge_batches(batches, sizes)  # checks every vector
    out = embeddings_from(merged, model, encoding)
    out["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return out


def embeddings_from_embed_content(replies: list[Any], model: str, encoding: str) -> dict[str, Any]:
    """The replies of the `:embedContent` calls of one request (one text each), in order."""
    batches = []
    tokens = 0
    for reply in replies:
        embedding = reply.get("embedding") if isinstance(reply, dict) else None
        if not isinstance(embedding, dict):
            raise bad_upstream_reply("EmbedContentResponse")
        batches.append({"embeddings": [embedding]})
        usage = reply.get("usageMetadata")
        if isinstance(usage, dict) and _number(usage.get("promptTokenCount")):
            tokens += int(usage["promptTokenCount"])
    out = embeddings_from(merge_batches(batches), model, encoding)
    out["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return out


def model_from_publisher(native: Any) -> dict[str, Any]:
    """A PublisherModel -> an OpenAI model object (id: the name after `.../models/`)."""
    if not isinstance(native, dict):
        raise bad_upstream_reply("PublisherModel")
    name = str(native.get("name", ""))
    return {
        "id": name.rpartition("/")[2] if name.startswith("publishers/") else name,
        "object": "model",
        "created": 0,  # Vertex does not say when a model was published
        "owned_by": "google",
    }


def model_list_from_publishers(pages: list[Any]) -> dict[str, Any]:
    """The pages of a ListPublisherModels call -> the OpenAI list."""
    data: list[dict[str, Any]] = []
    for page in pages:
        models = page.get("publisherModels", []) if isinstance(page, dict) else None
        if not isinstance(models, list):
            raise bad_upstream_reply("ListPublisherModelsResponse")
        data.extend(model_from_publisher(m) for m in models)
    return {"object": "list", "data": data}
