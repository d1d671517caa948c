"""Native passthrough: Gemini API calls forwarded unchanged, with the adapter's key rules, so
a google-genai client can share the adapter during a migration.

Served under `/v1beta/...` and `/v1/...` (google-genai 3.x defaults to `v1`), and for Vertex AI
under `/v1beta1/...`, `/v1/projects/...` and `/v1/publishers/...` (google-genai with
`vertexai=True`; an express-form model path gets the adapter's project, docs/vertex.md). Under `/v1`
a call is native when its path has a `:action` suffix (`models/x:generateContent`), or when
it carries a native client's marks: `x-goog-api-key`, `?key=` or `x-goog-api-client`.
Only `content-type` and `retry-after` come back from the upstream's headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.routing import Match, Route

from adapter.api.relay import RelayResponse
from adapter.body import read_body
from adapter.errors import AdapterError
from adapter.keys import upstream_key
from adapter.observability.context import current
from adapter.services import services

PASSTHROUGH_HEADERS = ("content-type", "retry-after")
# Native action -> GenAI operation name (docs/observability.md).
_OPERATIONS = {
    "generateContent": "generate_content",
    "streamGenerateContent": "generate_content",
    "embedContent": "embeddings",
    "batchEmbedContents": "embeddings",
}
METHODS = ["GET", "POST", "PATCH", "DELETE"]
# Query parameters that carry credentials: the adapter's own auth replaces them.
CREDENTIAL_PARAMS = frozenset({"key", "access_token", "oauth_token"})


def is_native_call(request: Request) -> bool:
    """True for a google-genai style call (see the module docstring)."""
    headers = request.headers
    return (
        ":" in request.url.path.rpartition("/")[2]
        or "x-goog-api-key" in headers
        or "x-goog-api-client" in headers
        or "key" in request.query_params
    )


async def passthrough(request: Request) -> RelayResponse:
    svc = services(request)
    key = upstream_key(request, svc.config)  # before anything is recorded about the call
    exchange = current()
    if exchange is not None:
        exchange.route = "native"
        model, _, action = request.url.path.partition("/models/")[2].partition(":")
        if action:  # a model call: models/{model}:{action}; tokens are not read here
            exchange.model = model
            exchange.operation = _OPERATIONS.get(action, "")
    body = await read_body(request, svc.config.max_body_bytes) if request.method != "GET" else None
    query = urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in CREDENTIAL_PARAMS]
    )
    path = svc.upstream.endpoints.passthrough(request.url.path)
    response = await svc.upstream.call(request.method, path, key, body, query)
    headers = {k: v for k, v in response.headers.items() if k.lower() in PASSTHROUGH_HEADERS}

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.content.iter_any():
                yield chunk
        finally:
            response.release()

    return RelayResponse(relay(), headers, response.status)


async def v1_native(request: Request) -> RelayResponse:
    """`/v1/...` paths no OpenAI route claimed: native if the call looks native; else 405
    for an OpenAI path asked with the wrong method (`GET /v1/chat/completions`), or 404."""
    if not is_native_call(request):
        for route in request.app.router.routes:
            own = getattr(route, "endpoint", None) is v1_native
            if not own and route.matches(request.scope)[0] == Match.PARTIAL:
                raise AdapterError(
                    405, f"{request.method} is not allowed here.", code="method_not_allowed"
                )
        raise AdapterError(404, f"No route for {request.url.path}.", code="unknown_url")
    return await passthrough(request)


# Registered after every OpenAI surface, so `/v1/<openai path>` always reaches its own route.
ROUTES = [
    Route("/v1beta/{path:path}", passthrough, methods=METHODS),
    Route("/v1beta1/{path:path}", passthrough, methods=METHODS),
    Route("/v1/projects/{path:path}", passthrough, methods=METHODS),
    Route("/v1/publishers/{path:path}", passthrough, methods=METHODS),
    Route("/v1/{path:path}", v1_native, methods=METHODS),
]
