"""The OpenAI side's SSE framing, in one place: what chat, Responses and audio streams write.

Translators frame their own output (a stream event's bytes are built where the chunk is,
which the benchmark showed matters on the hot path), so the writer lives beside them and
the API layer uses the same functions. The Gemini side's reader is `adapter/sse.py`.
Format: https://html.spec.whatwg.org/multipage/server-sent-events.html
"""

from __future__ import annotations

from typing import Any

import orjson

DATA = b"data: "
END = b"\n\n"
DONE = b"data: [DONE]\n\n"  # Chat Completions' last frame (Responses streams have none)


def data_frame(payload: Any) -> bytes:
    """`data: <json>\\n\\n`: one Chat Completions (or audio) stream event."""
    return DATA + orjson.dumps(payload) + END


def event_frame(kind: str, payload: Any) -> bytes:
    """`event: <type>\\ndata: <json>\\n\\n`: one Responses API stream event."""
    return b"event: " + kind.encode() + b"\n" + DATA + orjson.dumps(payload) + END
