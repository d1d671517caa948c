"""OpenTelemetry spans with the GenAI semantic conventions, recorded with the SDK's
InMemorySpanExporter; and a no-op when OpenTelemetry is not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import httpx
import openai
import pytest
from obs_helpers import serve
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

SECRET = "tangerine submarine 5512"
_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    # The global provider can be set once per process; later tests then trace too (cheap).
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    yield _EXPORTER


def _model_spans(exporter: InMemorySpanExporter) -> list:
    return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CLIENT]


def test_chat_spans_carry_genai_attributes(
    spans: InMemorySpanExporter, adapter_factory: Callable[..., str]
) -> None:
    url = adapter_factory(upstream_url="emulator")
    client = openai.OpenAI(base_url=url, api_key="k-trace", max_retries=0)
    messages = [{"role": "user", "content": SECRET}]
    spans.clear()
    reply = client.chat.completions.create(
        model="gemini-2.5-flash", messages=messages, temperature=0.25, max_tokens=64, top_p=0.5
    )
    (span,) = _model_spans(spans)
    attributes = dict(span.attributes or {})
    assert span.name == "chat gemini-2.5-flash"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "gcp.gemini"
    assert attributes["gen_ai.system"] == "gcp.gemini"
    assert attributes["gen_ai.request.model"] == "gemini-2.5-flash"
    assert attributes["gen_ai.response.model"] == "gemini-2.5-flash"
    assert attributes["gen_ai.request.temperature"] == 0.25
    assert attributes["gen_ai.request.max_tokens"] == 64
    assert attributes["gen_ai.request.top_p"] == 0.5
    assert attributes["server.address"] == "127.0.0.1" and attributes["server.port"] > 0
    assert reply.usage is not None
    assert attributes["gen_ai.usage.input_tokens"] == reply.usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == reply.usage.completion_tokens
    assert attributes["gen_ai.response.finish_reasons"] == ("STOP",)
    assert reply.id == f"chatcmpl-{attributes['gen_ai.response.id']}"  # the native responseId
    (server,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]
    assert span.parent is not None and span.parent.span_id == server.context.span_id
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["http.route"] == "chat"

    spans.clear()
    list(client.chat.completions.create(model="gemini-2.5-flash", messages=messages, stream=True))
    (stream,) = _model_spans(spans)
    assert stream.attributes["gen_ai.request.stream"] is True
    assert stream.attributes["gen_ai.usage.output_tokens"] > 0
    assert 0 < stream.attributes["gen_ai.response.time_to_first_chunk"]
    for recorded in spans.get_finished_spans():
        assert SECRET not in str(dict(recorded.attributes or {}))
        assert "k-trace" not in str(dict(recorded.attributes or {}))


def test_errors_and_caller_trace(
    spans: InMemorySpanExporter, adapter_factory: Callable[..., str]
) -> None:
    url = adapter_factory(upstream_url="emulator", upstream_retries=0)
    spans.clear()
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    reply = httpx.post(
        f"{url}/chat/completions",
        json={"model": "fault-429", "messages": [{"role": "user", "content": "x"}]},
        headers={"traceparent": f"00-{trace_id}-b7ad6b7169203331-01"},
    )
    assert reply.status_code == 429
    (span,) = _model_spans(spans)
    assert format(span.context.trace_id, "032x") == trace_id  # joined the caller's trace
    assert span.attributes["error.type"]
    assert span.attributes["adapter.upstream.status_code"] == 429
    assert span.status.status_code == trace.StatusCode.ERROR


def test_embeddings_operation(
    spans: InMemorySpanExporter, adapter_factory: Callable[..., str]
) -> None:
    url = adapter_factory(upstream_url="emulator")
    spans.clear()
    client = openai.OpenAI(base_url=url, api_key="k", max_retries=0)
    client.embeddings.create(model="text-embedding-004", input=["a"])
    (span,) = _model_spans(spans)
    assert span.attributes["gen_ai.operation.name"] == "embeddings"
    assert span.name == "embeddings text-embedding-004"


BLOCK_OTEL = textwrap.dedent(
    """
    import importlib.abc, sys

    class _NoOpenTelemetry(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, _NoOpenTelemetry())
    """
)


def test_without_opentelemetry_installed() -> None:
    check = BLOCK_OTEL + textwrap.dedent(
        """
        from adapter.observability import tracing
        assert not tracing.available() and not tracing.enabled()
        import opentelemetry  # noqa
        """
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert "No module named 'opentelemetry'" in result.stderr, result.stderr
    assert "AssertionError" not in result.stderr

    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    with serve(env=env, python_prelude=BLOCK_OTEL) as (url, lines):
        reply = httpx.post(
            f"{url}/v1/chat/completions",
            json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]},
        )
        assert reply.status_code == 200 and reply.headers["x-request-id"]
    output = "\n".join(lines)
    assert lines[-1] == "exit 0", output
    assert "OpenTelemetry is not installed" in output


def test_spans_exported_over_otlp_when_the_endpoint_is_set() -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from servers import ServerThread
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    received: list[ExportTraceServiceRequest] = []

    async def collect(request: Request) -> Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.body())
        received.append(message)
        return Response(b"", media_type="application/x-protobuf")

    collector = ServerThread(Starlette(routes=[Route("/v1/traces", collect, methods=["POST"])]))
    collector.start()
    try:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_SERVICE_NAME": "adapter-test"}
        with serve(env=env) as (url, lines):
            reply = httpx.post(
                f"{url}/v1/chat/completions",
                json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]},
            )
            assert reply.status_code == 200
        assert lines[-1] == "exit 0", "\n".join(lines)  # shutdown flushed the batch
    finally:
        collector.stop()
    exported = [
        (resource.resource, span)
        for message in received
        for resource in message.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    names = {span.name for _, span in exported}
    assert "chat gemini-2.5-flash" in names and "POST /v1/chat/completions" in names
    resource = exported[0][0]
    service = {a.key: a.value.string_value for a in resource.attributes}["service.name"]
    assert service == "adapter-test"
