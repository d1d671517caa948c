"""HTTP routes: the OpenAI-compatible surface and the native passthrough, in front of one
upstream client. Handlers parse, call the pure translators, and relay; nothing else."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import hmac
import itertools
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from adapter.api.responses import routes as responses_routes
from adapter.config import Config
from adapter.errors import AdapterError, invalid_request
from adapter.fetch import FetchPolicy, FetchRefused, fetch_media, new_fetch_session
from adapter.metrics import Metrics
from adapter.streaming import RelayResponse
from adapter.translate.request import NativeRequest, native_model_name, to_native_request
from adapter.translate.request.embeddings import to_native_embeddings
from adapter.translate.response.embeddings import embeddings_from
from adapter.translate.response.models import model_from, model_list_from
from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator, sse_event
from adapter.transport import UpstreamClient, UpstreamStream

log = logging.getLogger("adapter")

MAX_JSON_DEPTH = 64
EMULATOR_PREFIX = "/emulator"
# Stand-in key for the built-in emulator when the caller sends none.
EMULATOR_KEY = "emulator-key"
# Upstream response headers a passthrough client may see (SPEC E4); the rest stay here.
PASSTHROUGH_HEADERS = ("content-type", "retry-after")
INTERNAL_ERROR = AdapterError(500, "Internal error in the adapter.", code="internal_error")
SHUTDOWN_EVENT = sse_event(
    AdapterError(
        503, "The adapter is shutting down; the reply is incomplete.", code="shutting_down"
    ).body()
)
DONE_EVENT = b"data: [DONE]\n\n"


def error_response(error: AdapterError) -> Response:
    return Response(
        orjson.dumps(error.body()),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def json_response(payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json", headers=headers)


def upstream_base(config: Config) -> str:
    if config.uses_emulator:
        host = "127.0.0.1" if config.host in ("0.0.0.0", "", "localhost", "::") else config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{config.port}{EMULATOR_PREFIX}"
    return config.upstream_url


def caller_key(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-goog-api-key") or request.query_params.get("key") or None


class Service:
    """Per-process state: the config, the upstream client, metrics; no request state."""

    def __init__(self, config: Config):
        self.config = config
        self.upstream = UpstreamClient(config, upstream_base(config))
        self.metrics = Metrics()
        # Completion ids when the upstream gives no responseId: unique per process without a
        # system call per request.
        self.id_prefix = os.urandom(8).hex()
        self.id_counter = itertools.count()
        # Image fetches get their own session: it resolves and checks every address itself,
        # which the upstream session (with its DNS cache) must not do (SPEC E4).
        self.fetch_session: aiohttp.ClientSession | None = None
        self.fetch_policy = FetchPolicy(
            enabled=config.remote_fetch,
            allow_hosts=config.fetch_allow_hosts,
            allow_private=config.fetch_allow_private,
        )

    # --- shared steps ---------------------------------------------------------------------

    def upstream_key(self, request: Request) -> str:
        """The key sent upstream (SPEC 1): the server key in server-key mode, else the caller's."""
        key = caller_key(request)
        config = self.config
        if config.server_key:
            if config.client_keys and not any(
                key is not None and hmac.compare_digest(key.encode(), k.encode())
                for k in config.client_keys
            ):
                raise AdapterError(
                    401, "Invalid or missing API key for this adapter.", code="invalid_api_key"
                )
            return config.server_key
        if key is None:
            if config.uses_emulator:
                return EMULATOR_KEY
            raise AdapterError(
                401,
                "Missing API key: send your Gemini key as 'Authorization: Bearer <key>'.",
                code="missing_api_key",
            )
        return key

    async def read_body(self, request: Request) -> bytes:
        """The body, refused with 413 as soon as it passes the limit (never buffered past it)."""
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        # ASGI messages read directly: Request.stream()'s generator showed in profiles.
        receive = request.receive
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def read_json(self, request: Request) -> Any:
        raw = await self.read_body(request)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise invalid_request(
                f"The body is not valid JSON: {exc}.", code="invalid_json"
            ) from None
        # Counting brackets is C-speed; only a body with that many can nest that deep.
        if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _too_deep(body, MAX_JSON_DEPTH):
            raise invalid_request(
                f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", code="invalid_json"
            )
        return body

    async def fill_remote_media(self, native: NativeRequest) -> None:
        async def fetch_one(index: int) -> None:
            item = native.remote_media[index]
            try:
                media = await fetch_media(item.url, self.fetch_policy, self.fetch_session)
            except FetchRefused as exc:
                raise invalid_request(
                    f"Could not use the image URL: {exc}", param=item.param
                ) from None
            item.part["inlineData"] = {
                "mimeType": media.mime_type,
                "data": base64.b64encode(media.data).decode(),
            }

        await asyncio.gather(*(fetch_one(i) for i in range(len(native.remote_media))))

    def fail(self, route: str, error: AdapterError) -> Response:
        if error.status >= 500 or error.code in ("upstream_timeout", "upstream_unreachable"):
            self.metrics.upstream_errors[error.status] += 1
        self.metrics.response(route, error.status)
        return error_response(error)

    # --- routes ---------------------------------------------------------------------------

    async def chat_completions(self, request: Request) -> Response | RelayResponse:
        try:
            key = self.upstream_key(request)
            body = await self.read_json(request)
            native = to_native_request(body, self.config.model_aliases)
            if native.remote_media:
                await self.fill_remote_media(native)
            payload = orjson.dumps(native.body)
            headers = _adapter_headers(native)
            created = int(time.time())
            fallback_id = f"chatcmpl-{self.id_prefix}{next(self.id_counter):x}"  # if no responseId
            if native.stream:
                upstream = await self.upstream.open_stream(
                    native.model, payload, key, native.content_sources
                )
                translator = StreamTranslator(
                    model=native.requested_model,
                    created=created,
                    fallback_id=fallback_id,
                    include_usage=native.include_usage,
                )
                self.metrics.response("chat", 200)
                headers["content-type"] = "text/event-stream; charset=utf-8"
                headers["cache-control"] = "no-cache"
                return RelayResponse(
                    self._sse(upstream, translator), headers, on_cancel=SHUTDOWN_EVENT
                )
            reply = await self.upstream.generate(native.model, payload, key, native.content_sources)
            completion = completion_from(
                reply, model=native.requested_model, created=created, fallback_id=fallback_id
            )
            self.metrics.response("chat", 200)
            return json_response(completion, headers)
        except AdapterError as error:
            return self.fail("chat", error)

    async def _sse(
        self, upstream: UpstreamStream, translator: StreamTranslator
    ) -> AsyncIterator[bytes]:
        """Relay each upstream event as soon as it is translated (SPEC T1, T4)."""
        metrics = self.metrics
        metrics.active_streams += 1
        batches = upstream.batches()
        try:
            async for batch in batches:
                data = b"".join([translator.sse_for(event) for event in batch])
                if data:
                    metrics.stream_writes += 1
                    yield data
            yield b"".join([sse_event(chunk) for chunk in translator.finish()]) + DONE_EVENT
        except AdapterError as error:
            log.warning("stream failed: %s", error.code)
            metrics.upstream_errors[error.status] += 1
            yield sse_event(error.body())
        except Exception:  # a bug must still end the stream in the OpenAI error shape
            log.exception("stream translation failed")
            yield sse_event(INTERNAL_ERROR.body())
        finally:
            metrics.active_streams -= 1
            # A client that went away cancels us here; closing drops the upstream request.
            await batches.aclose()
            await upstream.aclose()

    async def embeddings(self, request: Request) -> Response:
        try:
            key = self.upstream_key(request)
            body = await self.read_json(request)
            if not isinstance(body, dict) or not isinstance(body.get("model"), str):
                raise invalid_request("You must provide a model parameter.", param="model")
            model = native_model_name(body["model"], self.config.model_aliases)
            native = to_native_embeddings(body, model)
            reply = await self.upstream.call_json(
                "POST",
                f"/v1beta/models/{model}:batchEmbedContents",
                key,
                orjson.dumps(native.body),
            )
            self.metrics.response("embeddings", 200)
            return json_response(embeddings_from(reply, native.requested_model, native.encoding))
        except AdapterError as error:
            return self.fail("embeddings", error)

    async def list_models(self, request: Request) -> Response:
        try:
            key = self.upstream_key(request)
            reply = await self.upstream.call_json(
                "GET", "/v1beta/models", key, query="pageSize=1000"
            )
            self.metrics.response("models", 200)
            return json_response(model_list_from(reply))
        except AdapterError as error:
            return self.fail("models", error)

    async def get_model(self, request: Request) -> Response:
        try:
            key = self.upstream_key(request)
            model = native_model_name(request.path_params["model"], self.config.model_aliases)
            reply = await self.upstream.call_json("GET", f"/v1beta/models/{model}", key)
            self.metrics.response("models", 200)
            return json_response(model_from(reply))
        except AdapterError as error:
            return self.fail("models", error)

    async def passthrough(self, request: Request) -> Response | RelayResponse:
        """`/v1beta/...` forwarded as is, so a google-genai client can share the adapter."""
        try:
            key = self.upstream_key(request)
            body = await self.read_body(request) if request.method != "GET" else None
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "key"])
            response = await self.upstream.call(request.method, request.url.path, key, body, query)
        except AdapterError as error:
            return self.fail("passthrough", error)
        headers = {k: v for k, v in response.headers.items() if k.lower() in PASSTHROUGH_HEADERS}
        self.metrics.response("passthrough", response.status)

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.content.iter_any():
                    yield chunk
            finally:
                response.release()

        return RelayResponse(relay(), headers, response.status)

    async def metrics_text(self, request: Request) -> Response:
        return PlainTextResponse(self.metrics.render(), media_type="text/plain; version=0.0.4")


def _too_large(limit: int) -> AdapterError:
    return AdapterError(413, f"Request body larger than {limit} bytes.", code="request_too_large")


def _adapter_headers(native: NativeRequest) -> dict[str, str]:
    headers = {}
    if native.adjusted:
        headers["x-adapter-adjusted"] = ", ".join(native.adjusted)
    if native.thinking:
        headers["x-gemini-thinking"] = native.thinking
    return headers


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


def create_app(config: Config) -> Starlette:
    service = Service(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.upstream.start()
        service.fetch_session = new_fetch_session()
        # Move everything loaded so far out of the collector's reach: a full collection
        # over the import-time objects costs ~30 ms, which otherwise sets the p99.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await service.upstream.close()
            await service.fetch_session.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(
            AdapterError(404, f"No route for {request.url.path}.", code="unknown_url")
        )

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(
            AdapterError(
                405,
                f"{request.method} is not allowed here.",
                code="method_not_allowed",
                type="invalid_request_error",
            )
        )

    async def internal_error(request: Request, exc: Exception) -> Response:
        # Logged with its traceback here; the client gets the OpenAI error shape only.
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error_response(INTERNAL_ERROR)

    async def client_gone(request: Request, exc: Exception) -> Response:
        return Response(status_code=499)  # nobody is listening; nothing to log

    routes: list[Any] = [
        Route("/v1/chat/completions", service.chat_completions, methods=["POST"]),
        Route("/chat/completions", service.chat_completions, methods=["POST"]),
        Route("/v1/embeddings", service.embeddings, methods=["POST"]),
        Route("/embeddings", service.embeddings, methods=["POST"]),
        Route("/v1/models", service.list_models, methods=["GET"]),
        Route("/v1/models/{model:path}", service.get_model, methods=["GET"]),
        Route(
            "/v1beta/{path:path}", service.passthrough, methods=["GET", "POST", "PATCH", "DELETE"]
        ),
        *responses_routes(service),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", service.metrics_text, methods=["GET"]),
    ]
    if config.uses_emulator:
        from gemini_emulator.app import create_app as create_emulator

        routes.append(Mount(EMULATOR_PREFIX, app=create_emulator()))
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            404: not_found,
            405: method_not_allowed,
            ClientDisconnect: client_gone,
            Exception: internal_error,
        },
    )


CONFIG_ENV = "ADAPTER_CONFIG_JSON"


def app_from_environment() -> Starlette:
    """uvicorn factory for worker processes: the CLI serialises the Config it built once."""
    data = orjson.loads(os.environ[CONFIG_ENV])
    for key in ("client_keys", "fetch_allow_hosts"):
        data[key] = frozenset(data.get(key) or ())
    return create_app(Config(**data))
