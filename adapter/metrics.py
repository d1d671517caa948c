"""Per-process counters served as Prometheus text at GET /metrics (docs/behaviour.md P1).

Plain integers updated by the handlers: no middleware on the hot path, no client library.
With several workers each process reports its own numbers (add them up in Prometheus).
"""

from __future__ import annotations

from collections import Counter


class Metrics:
    def __init__(self) -> None:
        self.responses: Counter[tuple[str, int]] = Counter()  # (route, status)
        self.upstream_errors: Counter[int] = Counter()  # upstream status (502/504 for ours)
        self.active_streams = 0
        self.stream_writes = 0

    def response(self, route: str, status: int) -> None:
        self.responses[(route, status)] += 1

    def render(self) -> str:
        lines = [
            "# HELP adapter_responses_total Responses sent, by route and HTTP status.",
            "# TYPE adapter_responses_total counter",
        ]
        for (route, status), count in sorted(self.responses.items()):
            lines.append(f'adapter_responses_total{{route="{route}",status="{status}"}} {count}')
        lines += [
            "# HELP adapter_upstream_errors_total Upstream failures, by status.",
            "# TYPE adapter_upstream_errors_total counter",
        ]
        for status, count in sorted(self.upstream_errors.items()):
            lines.append(f'adapter_upstream_errors_total{{status="{status}"}} {count}')
        lines += [
            "# HELP adapter_active_streams Streams open now.",
            "# TYPE adapter_active_streams gauge",
            f"adapter_active_streams {self.active_streams}",
            "# HELP adapter_stream_writes_total Stream writes to clients (one per upstream read).",
            "# TYPE adapter_stream_writes_total counter",
            f"adapter_stream_writes_total {self.stream_writes}",
        ]
        return "\n".join(lines) + "\n"
