"""`POST /v1/embeddings` -> native `batchEmbedContents` (docs/translation.md, "Embeddings")."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import json_response
from adapter.body import read_json
from adapter.errors import invalid_request
from adapter.keys import upstream_key
from adapter.observability.context import record
from adapter.services import services
from adapter.translate.request import native_model_name
from adapter.translate.request.embeddings import split_batches, to_native_embeddings
from adapter.translate.response.embeddings import embeddings_from, merge_batches


async def embeddings(request: Request) -> Response:
    svc = services(request)
    key = upstream_key(request, svc.config)
    body = await read_json(request, svc.config.max_body_bytes)
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise invalid_request("You must provide a model parameter.", param="model")
    model = native_model_name(body["model"], svc.config.model_aliases)
    native = to_native_embeddings(body, model)
    record(operation="embeddings", model=model, body=body)
    # At most 100 inputs per native call: larger inputs go as several concurrent calls.
    batches = split_batches(native.body)
    replies = await svc.upstream.call_json_many(
        "POST",
        f"/v1beta/models/{model}:batchEmbedContents",
        key,
        [orjson.dumps(batch) for batch in batches],
    )
    reply = merge_batches(replies, [len(batch["requests"]) for batch in batches])
    return json_response(embeddings_from(reply, native.requested_model, native.encoding))


ROUTES = [
    Route("/v1/embeddings", embeddings, methods=["POST"]),
    Route("/embeddings", embeddings, methods=["POST"]),
]
