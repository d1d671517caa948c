"""`POST /v1/embeddings` -> native `batchEmbedContents` (docs/translation.md, "Embeddings"); on
Vertex AI, which has no batchEmbedContents for publisher models, `:predict` (docs/vertex.md)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import json_response
from adapter.body import read_json
from adapter.keys import upstream_key
from adapter.observability.context import record
from adapter.services import services
from adapter.translate.request import native_model_of
from adapter.translate.request.embeddings import split_batches, to_native_embeddings
from adapter.translate.request.vertex import (
    embed_content_bodies,
    predict_bodies,
    uses_embed_content,
)
from adapter.translate.response.embeddings import embeddings_from, merge_batches
from adapter.translate.response.vertex import (
    embeddings_from_embed_content,
    embeddings_from_predict,
)


async def embeddings(request: Request) -> Response:
    svc = services(request)
    key = upstream_key(request, svc.config)
    body = await read_json(request, svc.config.max_body_bytes)
    model = native_model_of(body, svc.config.model_aliases)
    native = to_native_embeddings(body, model)
    record(operation="embeddings", model=model, body=body)
    endpoints = svc.upstream.endpoints
    if endpoints.is_vertex and uses_embed_content(model):
        bodies = embed_content_bodies(native.body)
        path = endpoints.model(model, "embedContent")
        replies = await svc.upstream.call_json_many(
            "POST", path, key, [orjson.dumps(b) for b in bodies]
        )
        result = embeddings_from_embed_content(replies, native.requested_model, native.encoding)
    elif endpoints.is_vertex:
        bodies = predict_bodies(native.body, model)
        path = endpoints.model(model, "predict")
        replies = await svc.upstream.call_json_many(
            "POST", path, key, [orjson.dumps(b) for b in bodies]
        )
        sizes = [len(b["instances"]) for b in bodies]
        result = embeddings_from_predict(replies, native.requested_model, native.encoding, sizes)
    else:
        # At most 100 inputs per native call: larger inputs go as several concurrent calls.
        batches = split_batches(native.body)
        replies = await svc.upstream.call_json_many(
            "POST",
            endpoints.model(model, "batchEmbedContents"),
            key,
            [orjson.dumps(batch) for batch in batches],
        )
        reply = merge_batches(replies, [len(batch["requests"]) for batch in batches])
        result = embeddings_from(reply, native.requested_model, native.encoding)
    return json_response(result)


ROUTES = [
    Route("/v1/embeddings", embeddings, methods=["POST"]),
    Route("/embeddings", embeddings, methods=["POST"]),
]
