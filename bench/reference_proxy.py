"""Reference: the fastest minimal Python pass-through we know how to write.

Starlette + uvicorn (uvloop, httptools, no access log) with one shared
``aiohttp.ClientSession`` created at startup. ``POST /v1/chat/completions``
(and ``POST /v1/responses``, for the Responses modes) forwards the body bytes unchanged
to the native upstream:

- non-stream: ``{base}/v1beta/models/{model}:generateContent``; the reply is
  read whole and returned (the adapter must buffer a non-stream reply to
  translate it, so the reference does the same; it is also the faster choice);
- ``"stream": true``: ``...:streamGenerateContent?alt=sse``; the bytes are
  relayed as they arrive (StreamingResponse over ``resp.content.iter_any()``).

No translation, no validation beyond reading ``model`` and ``stream``. The
caller's bearer key is sent upstream as ``x-goog-api-key`` (as the adapter
does). Used by bench/run.sh as the yardstick for the adapter.

``--client httpx`` runs the same proxy over ``httpx.AsyncClient`` (its own
transport) instead, to reproduce the client decision in docs/performance.md
(``bash bench/run.sh --targets reference,httpx``).

    python bench/reference_proxy.py --port 8090 --upstream-url http://127.0.0.1:8081 \
        [--workers N] [--client aiohttp|httpx]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys

import aiohttp
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

UPSTREAM = os.environ.get("REF_UPSTREAM_URL", "http://127.0.0.1:8081").rstrip("/")
CLIENT = os.environ.get("REF_CLIENT", "aiohttp")
_session: aiohttp.ClientSession | None = None
_httpx = None  # httpx.AsyncClient when CLIENT == "httpx"


@contextlib.asynccontextmanager
async def lifespan(app):
    global _session, _httpx
    if CLIENT == "httpx":
        import httpx

        _httpx = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
            timeout=httpx.Timeout(120, connect=10),
        )
    # limit=0: no cap on pooled connections (the default of 100 would cap the
    # number of concurrent streams at 100).
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None, keepalive_timeout=60)
    _session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=120),
        auto_decompress=False,
        skip_auto_headers=("User-Agent",),
    )
    if os.environ.get("REF_GC_FREEZE", "1") == "1":
        # Move everything allocated at import/startup out of the collector's
        # reach: a full collection then scans only request-time objects.
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        await _session.close()
        if _httpx is not None:
            await _httpx.aclose()


async def images_generations(request: Request) -> Response:
    """The images pass-through: the body to the model's generateContent, the reply back."""
    body = await request.body()
    try:
        model = orjson.loads(body).get("model") or "gemini-2.5-flash-image"
    except (orjson.JSONDecodeError, AttributeError):
        return Response(b'{"error":{"message":"bad json"}}', 400, media_type="application/json")
    headers = {"Content-Type": "application/json"}
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        headers["x-goog-api-key"] = auth[7:]
    if _httpx is not None:
        return await _via_httpx(model, False, body, headers)
    assert _session is not None
    url = f"{UPSTREAM}/v1beta/models/{model}:generateContent"
    async with _session.post(url, data=body, headers=headers) as resp:
        data = await resp.read()
        return Response(data, resp.status, media_type="application/json")


async def chat_completions(request: Request) -> Response:
    body = await request.body()
    try:
        doc = orjson.loads(body)
        model = doc.get("model") or "gemini-2.5-flash"
        stream = doc.get("stream") is True
    except (orjson.JSONDecodeError, AttributeError):
        return Response(b'{"error":{"message":"bad json"}}', 400, media_type="application/json")
    headers = {"Content-Type": "application/json"}
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        headers["x-goog-api-key"] = auth[7:]
    if _httpx is not None:
        return await _via_httpx(model, stream, body, headers)
    assert _session is not None
    if not stream:
        url = f"{UPSTREAM}/v1beta/models/{model}:generateContent"
        async with _session.post(url, data=body, headers=headers) as resp:
            data = await resp.read()
            return Response(data, resp.status, media_type="application/json")

    url = f"{UPSTREAM}/v1beta/models/{model}:streamGenerateContent?alt=sse"
    resp = await _session.post(url, data=body, headers=headers)

    async def relay():
        try:
            async for chunk in resp.content.iter_any():
                yield chunk
        finally:
            resp.release()

    return StreamingResponse(relay(), resp.status, media_type="text/event-stream")


async def _via_httpx(model: str, stream: bool, body: bytes, headers: dict) -> Response:
    if not stream:
        url = f"{UPSTREAM}/v1beta/models/{model}:generateContent"
        resp = await _httpx.post(url, content=body, headers=headers)
        return Response(resp.content, resp.status_code, media_type="application/json")
    url = f"{UPSTREAM}/v1beta/models/{model}:streamGenerateContent?alt=sse"
    resp = await _httpx.send(
        _httpx.build_request("POST", url, content=body, headers=headers), stream=True
    )

    async def relay():
        try:
            async for chunk in resp.aiter_raw():
                yield chunk
        finally:
            await resp.aclose()

    return StreamingResponse(relay(), resp.status_code, media_type="text/event-stream")


app = Starlette(
    routes=[
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        # the Responses modes: the same pass-through (it reads only `model` and `stream`)
        Route("/v1/responses", chat_completions, methods=["POST"]),
        Route("/v1/images/generations", images_generations, methods=["POST"]),
    ],
    lifespan=lifespan,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--upstream-url", default=UPSTREAM)
    ap.add_argument("--client", choices=["aiohttp", "httpx"], default=CLIENT)
    args = ap.parse_args()
    os.environ["REF_CLIENT"] = args.client
    # Workers (spawned processes) re-import this module: pass the URL by env.
    os.environ["REF_UPSTREAM_URL"] = args.upstream_url.rstrip("/")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run(
        "reference_proxy:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        backlog=4096,
    )


if __name__ == "__main__":
    main()
