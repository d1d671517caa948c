"""The per-request record that routes fill and the middleware reports (docs/observability.md).

The middleware (`adapter.observability.middleware`) creates one `Exchange` per HTTP request
and makes it the task's current one; a route adds what only it knows (model, tokens,
adjustments, finish reasons) with `current()`. The upstream client reports each upstream
status and retry through `upstream_status` / `upstream_retry` without knowing the request.
Nothing here holds keys or message content: only names, numbers and status codes.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from adapter.observability import metrics, tracing
from adapter.translate.response.usage import token_counts


@dataclass(slots=True)
class Exchange:
    """What is known about one request so far. Times are `time.perf_counter()` seconds."""

    request_id: str
    started: float
    method: str = ""
    path: str = ""
    route: str = ""  # the API surface (`chat`, `embeddings`, ...); set by the middleware
    operation: str = ""  # GenAI operation name: chat, embeddings, generate_content
    model: str = ""  # the native model the request went to
    status: int = 0  # the status the client got
    upstream_status: int | None = None  # the last upstream status seen
    retries: int = 0
    stream: bool = False
    traced: bool = False  # spans are recorded for this request
    first_byte: float | None = None
    adjusted: str = ""  # the x-adapter-adjusted header, as sent
    error_code: str = ""
    response_id: str = ""
    response_model: str = ""  # the upstream's modelVersion
    # Native usageMetadata of the reply (the last one seen for a stream).
    usage: dict[str, Any] | None = None
    finish_reasons: tuple[str, ...] = ()
    # GenAI request attributes for the trace (temperature, max_tokens, ...), filled only
    # when tracing is on.
    request_attributes: dict[str, Any] | None = None
    model_start_ns: int = 0  # when the route called `record` (epoch ns), tracing only

    def saw_reply(self, native: dict[str, Any]) -> None:
        """Take usage, finish reasons and the response id from a native
        GenerateContentResponse (the whole reply, or a stream event: later events win)."""
        usage = native.get("usageMetadata")
        if usage:
            self.usage = usage
        candidates = native.get("candidates")
        if candidates:
            reasons = tuple(c["finishReason"] for c in candidates if c.get("finishReason"))
            if reasons:
                self.finish_reasons = reasons
        if not self.response_id and native.get("responseId"):
            self.response_id = native["responseId"]
            self.response_model = native.get("modelVersion") or ""

    def saw_replies(self, natives: list[dict[str, Any]]) -> None:
        """Several replies for one request (e.g. n image calls): usage summed."""
        total: dict[str, int] = {}
        for native in natives:
            self.saw_reply(native)
            for name, value in (native.get("usageMetadata") or {}).items():
                if isinstance(value, int):
                    total[name] = total.get(name, 0) + value
        if total:
            self.usage = total

    def tokens(self) -> dict[str, int]:
        """Token counts by kind in the OpenAI sense the adapter reports to clients:
        `completion` includes `reasoning` (thoughts), `prompt` includes `cached`."""
        usage = self.usage
        if not usage:
            return {}
        counts = token_counts(usage)
        return {
            "prompt": counts.prompt,
            "completion": counts.output,
            "reasoning": counts.reasoning,
            "cached": counts.cached,
        }


_CURRENT: ContextVar[Exchange | None] = ContextVar("adapter_exchange", default=None)


def current() -> Exchange | None:
    """The request being served by this task, if any (None outside the middleware)."""
    return _CURRENT.get()


def bind(exchange: Exchange) -> Any:
    """Make `exchange` the current one; returns the token for `unbind`."""
    return _CURRENT.set(exchange)


def unbind(token: Any) -> None:
    _CURRENT.reset(token)


def record(
    *,
    operation: str,
    model: str,
    stream: bool = False,
    adjusted: list[str] | None = None,
    body: Any = None,
) -> Exchange | None:
    """One call for a route: what it is about to ask the upstream. `body` (the client's
    request) gives the GenAI request attributes of the trace when tracing is on."""
    exchange = _CURRENT.get()
    if exchange is None:
        return None
    exchange.operation = operation
    exchange.model = model
    exchange.stream = stream
    if adjusted:
        exchange.adjusted = ", ".join(adjusted)
    if exchange.traced:
        exchange.model_start_ns = time.time_ns()
        if body is not None:
            exchange.request_attributes = tracing.request_attributes(body)
    return exchange


def upstream_status(status: int) -> None:
    """Called by the upstream client for every upstream response (2xx and errors alike)."""
    metrics.child(metrics.UPSTREAM_RESPONSES, str(status)).inc()
    exchange = _CURRENT.get()
    if exchange is not None:
        exchange.upstream_status = status


def upstream_retry(status: int) -> None:
    """Called by the upstream client each time it retries after `status` (429/503)."""
    metrics.child(metrics.UPSTREAM_RETRIES, str(status)).inc()
    exchange = _CURRENT.get()
    if exchange is not None:
        exchange.retries += 1
