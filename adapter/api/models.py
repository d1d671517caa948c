"""`GET /v1/models`, `GET /v1/models/{id}`: the upstream's model list in OpenAI form, with the
configured model aliases listed under their own names (docs/translation.md, "Models").

A google-genai client asks the same paths under `/v1` (its default API version); such calls
are told apart by `adapter.api.native.is_native_call` and passed through unchanged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api import native
from adapter.api.relay import RelayResponse
from adapter.api.replies import json_response
from adapter.keys import upstream_key
from adapter.services import services
from adapter.translate.request import native_model_name
from adapter.translate.response.model_list import model_from, model_list_from
from adapter.translate.response.vertex import model_from_publisher, model_list_from_publishers
from adapter.transport import UpstreamClient

# Vertex's Model Garden list comes in pages; follow at most this many.
MAX_MODEL_PAGES = 10


async def list_models(request: Request) -> Response | RelayResponse:
    if native.is_native_call(request):
        return await native.passthrough(request)
    svc = services(request)
    key = upstream_key(request, svc.config)
    listing = await _listing(svc.upstream, key)
    by_id = {model["id"]: model for model in listing["data"]}
    for alias, target in svc.config.model_aliases.items():
        if alias not in by_id:
            target_id = native_model_name(target, {})
            listing["data"].append({**by_id.get(target_id, model_from({})), "id": alias})
    return json_response(listing)


async def get_model(request: Request) -> Response | RelayResponse:
    if native.is_native_call(request):
        return await native.passthrough(request)
    svc = services(request)
    key = upstream_key(request, svc.config)
    requested = request.path_params["model"]
    model = native_model_name(requested, svc.config.model_aliases)
    endpoints = svc.upstream.endpoints
    reply = await svc.upstream.call_json("GET", endpoints.model_info(model), key)
    described = model_from_publisher(reply) if endpoints.is_vertex else model_from(reply)
    # Answered under the name asked for: an alias is a model of its own to the client.
    return json_response({**described, "id": requested.removeprefix("models/")})


async def _listing(upstream: UpstreamClient, key: str) -> dict[str, Any]:
    """The Gemini API's model list, or Vertex's Google publisher models (docs/vertex.md)."""
    path, query = upstream.endpoints.model_list()
    reply = await upstream.call_json("GET", path, key, query=query)
    if not upstream.endpoints.is_vertex:
        return model_list_from(reply)
    pages = [reply]
    while isinstance(reply, dict) and reply.get("nextPageToken") and len(pages) < MAX_MODEL_PAGES:
        token = urlencode({"pageToken": reply["nextPageToken"]})
        reply = await upstream.call_json("GET", path, key, query=f"{query}&{token}")
        pages.append(reply)
    return model_list_from_publishers(pages)


ROUTES = [
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/models", list_models, methods=["GET"]),
    Route("/v1/models/{model:path}", get_model, methods=["GET"]),
    Route("/models/{model:path}", get_model, methods=["GET"]),
]
