"""Native stream events -> the Responses event stream (`event: <type>` + `data: <json>`).

`ResponsesStream` wraps one `OutputBuilder`: `start()` gives `response.created` and
`response.in_progress`, `sse_for(event)` the events one native event yields, `finish()` the
closing events ending in `response.completed` / `response.incomplete`, `fail()` a
`response.failed`. Sequence numbers count from 0 over the whole stream.
"""

from __future__ import annotations

from typing import Any

import orjson

from adapter.translate.response.candidate import plain_texts
from adapter.translate.responses.output import OutputBuilder, ResponseContext

# Upstream error status -> the Responses error code enum (ResponseError.code).
_FAIL_CODES = {429: "rate_limit_exceeded", 400: "invalid_prompt"}


_DELTA_HEAD = b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta"'


class ResponsesStream:
    def __init__(self, ctx: ResponseContext, fast: bool = True) -> None:
        self.builder = OutputBuilder(ctx)
        self.fast = fast
        self._delta_prefix: tuple[str, bytes] | None = None  # (item id, bytes after seq)

    def _frames(self) -> bytes:
        return self.builder.take_frames()

    def start(self) -> bytes:
        self.builder.start()
        return self._frames()

    def sse_for(self, event: dict[str, Any]) -> bytes:
        """The frames one native event yields (none for an event that carries nothing)."""
        if self.fast:
            frame = self._text_delta(event)
            if frame is not None:
                return frame
        self.builder.feed(event)
        return self._frames()

    def _text_delta(self, event: dict[str, Any]) -> bytes | None:
        """Most events of a reply are plain text continuing the open message: their frame is
        written from a prefix made once per message (the same bytes `feed` would give)."""
        builder = self.builder
        current = builder.open
        if current is None or current.item["type"] != "message":
            return None
        found = plain_texts(event)
        if found is None or found[0] != 0:  # one candidate, the first
            return None
        texts = found[1]
        builder.last_event = event
        if event.get("usageMetadata"):
            builder.usage = event["usageMetadata"]
        item_id = current.item["id"]
        if self._delta_prefix is None or self._delta_prefix[0] != item_id:
            after = f',"item_id":"{item_id}","output_index":{current.index},"content_index":0'
            self._delta_prefix = (item_id, after.encode() + b',"delta":')
        frames = []
        for text in texts:  # one delta per native part, as the state machine gives
            if not text:
                continue
            current.text.append(text)
            builder.texts.append(text)
            sequence = builder.sequence
            builder.sequence += 1
            frames.append(
                _DELTA_HEAD
                + b',"sequence_number":'
                + str(sequence).encode()
                + self._delta_prefix[1]
                + orjson.dumps(text)
                + b',"logprobs":[]}\n\n'
            )
        return b"".join(frames)

    @property
    def finished(self) -> bool:
        """Whether the terminal event (completed, incomplete or failed) was made."""
        return bool(self.builder.response.get("status", "in_progress") != "in_progress")

    def finish(self) -> bytes:
        self.builder.finish()
        return self._frames()

    def fail(self, status: int, message: str) -> bytes:
        self.builder.fail(_FAIL_CODES.get(status, "server_error"), message)
        return self._frames()

    @property
    def response(self) -> dict[str, Any]:
        return self.builder.response
