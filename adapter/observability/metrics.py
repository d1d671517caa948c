"""Prometheus metrics (prometheus_client), correct across `--workers N`.

With more than one worker the CLI points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory
before any worker starts (`adapter.observability.workers`); prometheus_client then keeps each
worker's values in a memory-mapped file there, and `/metrics`, whichever worker answers,
sums them with its `MultiProcessCollector`. With one worker the values live in memory.
Names and labels: docs/observability.md.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from adapter.observability.workers import MULTIPROC_ENV

# Latency buckets in seconds: a first byte in tens of milliseconds up to a long reasoning
# reply of minutes (the default upstream timeout is 120 s).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# No `*_created` series: one worker would show them and several would not (the
# multi-process collector has none), and they double the text.
disable_created_metrics()  # type: ignore[no-untyped-call]

# The adapter's own registry (not the library's global one): exactly these metrics.
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "adapter_requests",
    "Requests answered, by API surface, model and HTTP status.",
    ("route", "model", "status"),
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "adapter_request_seconds",
    "Time from the request to the end of the reply (a stream's last event), by route.",
    ("route",),
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
FIRST_BYTE_SECONDS = Histogram(
    "adapter_first_byte_seconds",
    "Time from the request to the first byte of the reply body (a stream's first event).",
    ("route",),
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
UPSTREAM_RESPONSES = Counter(
    "adapter_upstream_responses",
    "Upstream responses by HTTP status, every status (2xx, 429, retried ones) included.",
    ("status",),
    registry=REGISTRY,
)
UPSTREAM_RETRIES = Counter(
    "adapter_upstream_retries",
    "Upstream calls retried by the adapter, by the status that caused the retry.",
    ("status",),
    registry=REGISTRY,
)
TOKENS = Counter(
    "adapter_tokens",
    "Tokens from the upstream's usageMetadata, by model and kind (prompt, completion, "
    "reasoning, cached; reasoning is part of completion, cached part of prompt).",
    ("model", "kind"),
    registry=REGISTRY,
)
ACTIVE_STREAMS = Gauge(
    "adapter_active_streams",
    "Streamed replies open now.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)

_children: dict[tuple[object, tuple[str, ...]], Any] = {}


def child(metric: Any, *labels: str) -> Any:
    """`metric.labels(*labels)`, cached: the library's lookup (validation, a lock) was
    most of the per-request cost in bench/micro.py."""
    key = (metric, labels)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found


# A client chooses the model name, so the label is capped per process: past this many
# distinct names, further ones count as "other".
MAX_MODELS = 100
_models: set[str] = set()


def model_label(model: str) -> str:
    if model in _models:
        return model
    if len(_models) >= MAX_MODELS:
        return "other"
    _models.add(model)
    return model


def render() -> tuple[bytes, str]:
    """The exposition text and its content type: every worker's values summed when
    several workers share `PROMETHEUS_MULTIPROC_DIR`, else this process's."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
