"""One ASGI middleware for every route: request id, metrics, the request log line, spans.

It wraps the whole app (outside Starlette's error middleware), so every reply gets its
`x-request-id` and every request is counted, whatever route serves it, new surfaces
included. A route adds what only it knows with one call, `context.record(...)`
(model, operation, adjustments), and `Exchange.saw_reply(...)` for tokens and finish
reasons. First byte is the first non-empty body write (a stream's first event); the
total is when the reply's last byte is written (a stream's end).
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapter.observability import metrics, tracing
from adapter.observability.context import Exchange, bind, unbind

access_log = logging.getLogger("adapter.access")

REQUEST_ID_HEADER = b"x-request-id"
# A client's id is echoed only when it is short and plain (it ends up in logs).
_CLIENT_ID = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")
_EVENT_STREAM = b"text/event-stream"


_ROUTE_NAMES: dict[Any, str] = {}


def route_name(scope: Scope) -> str:
    """The API surface a request hit, from its endpoint's module
    (`adapter.api.chat` -> `chat`); `unmatched` when no route took it."""
    endpoint = scope.get("endpoint")
    if endpoint is None:
        return "unmatched"
    name = _ROUTE_NAMES.get(endpoint)
    if name is None:
        module = getattr(endpoint, "__module__", "") or ""
        name = _ROUTE_NAMES[endpoint] = module.rpartition(".")[2] or "unmatched"
    return name


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _CLIENT_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return os.urandom(16).hex()


class Observability:
    """ASGI middleware. `skip_prefix`: paths not observed (the in-process emulator)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        skip_prefix: str = "",
        access_log: bool = False,
        json_logs: bool = False,
    ):
        self.app = app
        self.skip_prefix = skip_prefix
        self.access_log = access_log
        self.json_logs = json_logs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.skip_prefix and scope["path"].startswith(self.skip_prefix)
        ):
            await self.app(scope, receive, send)
            return
        exchange = Exchange(request_id_from(scope["headers"]), time.perf_counter())
        span = tracing.RequestSpan(scope, time.time_ns()) if tracing.enabled() else None
        exchange.traced = span is not None
        id_header = (REQUEST_ID_HEADER, exchange.request_id.encode("ascii"))
        streaming = False  # an event stream was started: counted in ACTIVE_STREAMS

        async def send_observed(message: Message) -> None:
            nonlocal streaming
            if exchange.first_byte is not None:  # the usual case: a stream's later events
                await send(message)
                return
            kind = message["type"]
            if kind == "http.response.body":
                if message.get("body"):
                    exchange.first_byte = time.perf_counter()
            elif kind == "http.response.start":
                exchange.status = message["status"]
                headers = message.get("headers") or []
                for name, value in headers:
                    if name == b"content-type" and value.startswith(_EVENT_STREAM):
                        exchange.stream = streaming = True
                        metrics.ACTIVE_STREAMS.inc()
                    elif name == b"x-adapter-adjusted" and not exchange.adjusted:
                        exchange.adjusted = value.decode("latin-1")
                # A new list: an app may send the same list object with every reply.
                message = {**message, "headers": [*headers, id_header]}
            await send(message)

        token = bind(exchange)
        try:
            await self.app(scope, receive, send_observed)
        except BaseException:
            if not exchange.status:
                exchange.status = 500
            raise
        finally:
            unbind(token)
            if streaming:
                metrics.ACTIVE_STREAMS.dec()
            self._finish(exchange, scope, span)

    def _finish(self, exchange: Exchange, scope: Scope, span: Any) -> None:
        now = time.perf_counter()
        if not exchange.route:
            exchange.route = route_name(scope)
        route = exchange.route
        model = metrics.model_label(exchange.model) if exchange.model else ""
        status = exchange.status or 500  # nothing was sent: the client went away
        exchange.status = status
        total = now - exchange.started
        first_byte = None if exchange.first_byte is None else exchange.first_byte - exchange.started
        child = metrics.child
        child(metrics.REQUESTS, route, model, str(status)).inc()
        child(metrics.REQUEST_SECONDS, route).observe(total)
        if first_byte is not None:
            child(metrics.FIRST_BYTE_SECONDS, route).observe(first_byte)
        tokens = exchange.tokens()
        for kind, count in tokens.items():
            if count:
                child(metrics.TOKENS, model, kind).inc(count)
        if self.access_log:
            self._log(exchange, scope, total, first_byte, tokens)
        if span is not None:
            span.end(exchange, time.time_ns(), first_byte)

    def _log(
        self,
        exchange: Exchange,
        scope: Scope,
        total: float,
        first_byte: float | None,
        tokens: dict[str, int],
    ) -> None:
        """One line per request: ids, names, numbers. Never the query string (a native
        client may put its key there), never a header value or body content."""
        fields: dict[str, Any] = {
            "request_id": exchange.request_id,
            "method": scope["method"],
            "path": scope["path"],
            "route": exchange.route,
            "model": exchange.model or None,
            "status": exchange.status,
            "duration_s": round(total, 6),
            "first_byte_s": None if first_byte is None else round(first_byte, 6),
            "stream": exchange.stream,
            "tokens": tokens or None,
            "upstream_status": exchange.upstream_status,
            "retries": exchange.retries,
            "adjusted": exchange.adjusted or None,
            "error": exchange.error_code or None,
        }
        if self.json_logs:
            access_log.info("request", extra=fields)
            return
        text = " ".join(
            f"{name}={value}"
            for name, value in fields.items()
            if value is not None and name not in ("method", "path")
        )
        access_log.info("%s %s %s", scope["method"], scope["path"], text)
