"""Metrics, request logs and traces (docs/observability.md).

Routes use `current()` / `record(...)` from `adapter.observability.context`; the rest is
wired once by `adapter.app` (the middleware) and `adapter.cli` (logging, the metrics dir).
"""
