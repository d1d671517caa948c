"""Native stream events -> the Responses event stream (`event: <type>` + `data: <json>`).

`ResponsesStream` wraps one `OutputBuilder`: `start()` gives `response.created` and
`response.in_progress`, `sse_for(event)` the events one native event yields, `finish()` the
closing events ending in `response.completed` / `response.incomplete`, `fail()` a
`response.failed`. Sequence numbers count from 0 over the whole stream.
"""

from __future__ import annotations

from typing import Any

import orjson

from adapter.translate.responses.output import OutputBuilder, ResponseContext

# Upstream error status -> the Responses error code enum (ResponseError.code).
_FAIL_CODES = {429: "rate_limit_exceeded", 400: "invalid_prompt"}


def sse_frame(event: dict[str, Any]) -> bytes:
    return b"event: " + event["type"].encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


class ResponsesStream:
    def __init__(self, ctx: ResponseContext) -> None:
        self.builder = OutputBuilder(ctx)

    def _frames(self) -> bytes:
        return b"".join([sse_frame(event) for event in self.builder.take_events()])

    def start(self) -> bytes:
        self.builder.start()
        return self._frames()

    def sse_for(self, event: dict[str, Any]) -> bytes:
        self.builder.feed(event)
        return self._frames()

    def finish(self) -> bytes:
        self.builder.finish()
        return self._frames()

    def fail(self, status: int, message: str) -> bytes:
        self.builder.fail(_FAIL_CODES.get(status, "server_error"), message)
        return self._frames()

    @property
    def response(self) -> dict[str, Any]:
        return self.builder.response
