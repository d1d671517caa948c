"""`GET /healthz` (liveness, no upstream call) and `GET /metrics` (Prometheus text)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import json_response
from adapter.observability import metrics as observed


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def metrics(request: Request) -> Response:
    """Every worker's values summed (docs/observability.md)."""
    body, content_type = observed.render()
    return Response(body, headers={"content-type": content_type})


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
