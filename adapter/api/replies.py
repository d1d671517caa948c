"""Building HTTP replies: JSON bodies, adapter headers, the OpenAI SSE framing."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from adapter.errors import AdapterError
from adapter.translate.sse_frames import DONE

DONE_EVENT = DONE
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


def json_response(
    payload: Any, headers: dict[str, str] | None = None, status: int = 200
) -> Response:
    return Response(
        orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers
    )


def error_response(error: AdapterError) -> Response:
    """`{"error": {message, type, param, code}}` with the error's status and headers."""
    return json_response(error.body(), error.headers, error.status)


def adapter_headers(adjusted: list[str], thinking: str | None) -> dict[str, str]:
    """`x-adapter-adjusted` (what was changed or dropped) and `x-gemini-thinking` (the
    thinking setting actually sent), when there is something to say."""
    headers = {}
    if adjusted:
        headers["x-adapter-adjusted"] = ", ".join(adjusted)
    if thinking:
        headers["x-gemini-thinking"] = thinking
    return headers
