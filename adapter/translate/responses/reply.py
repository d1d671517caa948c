"""Native GenerateContentResponse -> a Responses `response` object (docs/responses.md).

Runs the stream state machine over the whole reply (without recording events), so the
non-stream reply is by construction what `response.completed` carries for the same content.
"""

from __future__ import annotations

from typing import Any

from adapter.translate.responses.output import OutputBuilder, ResponseContext


def response_from(native: dict[str, Any], ctx: ResponseContext) -> dict[str, Any]:
    builder = OutputBuilder(ctx, record_events=False)
    builder.feed(native)
    return builder.finish()
