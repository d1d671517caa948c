"""OpenTelemetry spans with the GenAI semantic conventions, when OpenTelemetry is installed
(`pip install -e '.[otel]'`); without it every function here is a no-op.

Per request: a SERVER span for the HTTP request (joining the caller's trace when it sends
`traceparent`) and, for a model call, a CLIENT child span named `{operation} {model}` with
the `gen_ai.*` attributes (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/).
`configure()` installs an OTLP/HTTP exporter in each worker when
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the
exporter reads the other standard `OTEL_*` variables itself. Spans never carry message
content or keys.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from adapter.observability.context import Exchange

log = logging.getLogger("adapter")

try:
    from opentelemetry import propagate, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError:  # the [otel] extra is not installed: tracing is off
    trace = None  # type: ignore[assignment]

PROVIDER_GEMINI = "gcp.gemini"
PROVIDER_VERTEX = "gcp.vertex_ai"

# OpenAI request field -> GenAI attribute (numbers only: never content).
_REQUEST_FIELDS = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
    "n": "gen_ai.request.choice.count",
}

_provider_name = PROVIDER_GEMINI
_server: dict[str, Any] = {}  # server.address / server.port of the upstream


def available() -> bool:
    return trace is not None


_enabled = False


def enabled() -> bool:
    """True when spans are recorded: OpenTelemetry is installed and a real tracer provider
    was set when the app started (by `configure()`, or before it by the application
    embedding the adapter, or a test). Checked once per start-up, not per request."""
    return _enabled


def _refresh() -> None:
    global _enabled
    if trace is None:
        _enabled = False
        return
    provider = trace.get_tracer_provider()
    _enabled = not isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def configure(upstream: str, upstream_url: str = "") -> None:
    """In each worker at start-up: remember the provider name (`gcp.gemini` or
    `gcp.vertex_ai`) and the upstream's address, and, when an OTLP endpoint is configured,
    export spans there."""
    global _provider_name, _server
    _provider_name = PROVIDER_VERTEX if upstream == "vertex" else PROVIDER_GEMINI
    try:
        _setup_export()
    finally:
        _refresh()
    url = urlsplit(upstream_url)
    _server = {}
    if url.hostname:
        _server["server.address"] = url.hostname
        _server["server.port"] = url.port or (443 if url.scheme == "https" else 80)


def _setup_export() -> None:
    """An OTLP/HTTP exporter when an endpoint is configured and no provider is set yet."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    if not endpoint:
        return
    if trace is None:
        log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed "
            "(pip install -e '.[otel]'): no traces"
        )
        return
    _refresh()
    if enabled():
        return  # a provider is already installed (by the application embedding us)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", "gemini-adapter")}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def shutdown() -> None:
    """Flush spans still queued (worker shutdown)."""
    if trace is None:
        return
    provider = trace.get_tracer_provider()
    flush = getattr(provider, "shutdown", None)
    if flush is not None:
        flush()


def request_attributes(body: Any) -> dict[str, Any]:
    """The numeric GenAI request attributes of an OpenAI request body."""
    if not isinstance(body, dict):
        return {}
    attributes: dict[str, Any] = {}
    for name, attribute in _REQUEST_FIELDS.items():
        value = body.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            attributes[attribute] = value
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if isinstance(stop, list) and all(isinstance(s, str) for s in stop):
        attributes["gen_ai.request.stop_sequences"] = stop
    return attributes


class RequestSpan:
    """The spans of one request: started by the middleware, ended with the Exchange."""

    __slots__ = ("_server", "_start_ns")

    def __init__(self, scope: MutableMapping[str, Any], start_ns: int):
        assert trace is not None
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = propagate.extract(headers)
        method = scope["method"]
        self._start_ns = start_ns
        self._server = trace.get_tracer("adapter").start_span(
            f"{method} {scope['path']}",
            context=parent,
            kind=SpanKind.SERVER,
            start_time=start_ns,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        )

    def end(self, exchange: Exchange, end_ns: int, first_byte_s: float | None) -> None:
        server = self._server
        server.set_attribute("http.response.status_code", exchange.status)
        if exchange.route:
            server.set_attribute("http.route", exchange.route)
        server.set_attribute("adapter.request_id", exchange.request_id)
        if exchange.operation and exchange.model:
            self._model_span(exchange, end_ns, first_byte_s)
        if exchange.status >= 500:
            server.set_status(Status(StatusCode.ERROR))
        server.end(end_time=end_ns)

    def _model_span(self, exchange: Exchange, end_ns: int, first_byte_s: float | None) -> None:
        assert trace is not None
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": exchange.operation,
            "gen_ai.provider.name": _provider_name,
            "gen_ai.system": _provider_name,  # the attribute's older name, still read
            "gen_ai.request.model": exchange.model,
            "gen_ai.response.model": exchange.response_model or exchange.model,
            "gen_ai.request.stream": exchange.stream,
            **_server,
            **(exchange.request_attributes or {}),
        }
        tokens = exchange.tokens()
        if tokens:
            attributes["gen_ai.usage.input_tokens"] = tokens["prompt"]
            attributes["gen_ai.usage.output_tokens"] = tokens["completion"]
            attributes["gen_ai.usage.reasoning.output_tokens"] = tokens["reasoning"]
            attributes["gen_ai.usage.cache_read.input_tokens"] = tokens["cached"]
        if exchange.finish_reasons:
            attributes["gen_ai.response.finish_reasons"] = list(exchange.finish_reasons)
        if exchange.response_id:
            attributes["gen_ai.response.id"] = exchange.response_id
        if exchange.stream and first_byte_s is not None:
            attributes["gen_ai.response.time_to_first_chunk"] = first_byte_s
        if exchange.upstream_status is not None:
            attributes["adapter.upstream.status_code"] = exchange.upstream_status
        if exchange.retries:
            attributes["adapter.upstream.retries"] = exchange.retries
        failed = exchange.status >= 400
        if failed:
            attributes["error.type"] = exchange.error_code or str(exchange.status)
        span = trace.get_tracer("adapter").start_span(
            f"{exchange.operation} {exchange.model}",
            context=trace.set_span_in_context(self._server),
            kind=SpanKind.CLIENT,
            start_time=exchange.model_start_ns or self._start_ns,
            attributes=attributes,
        )
        if failed:
            span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=end_ns)
