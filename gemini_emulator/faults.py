"""Failure injection selected by model name (`fault-*`), for the adapter's fault tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from gemini_emulator.errors import GoogleError

SLOW = "fault-slow"  # Normal reply, but the first byte only after a delay.
CUT = "fault-cut"  # Connection dropped mid-body.
BAD_JSON = "fault-badjson"  # 200 whose body is not a GenerateContentResponse.
CUT_AFTER_EVENTS = 3
BAD_BODY = b'{"unexpected": true}'


def _rate_limited() -> GoogleError:
    return GoogleError(
        429,
        "You exceeded your current quota, please check your plan and billing details. For more"
        " information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/"
                        "generate_content_free_tier_requests",
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": "fault-429"},
                        "quotaValue": "10",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"},
        ],
    )


def _internal() -> GoogleError:
    return GoogleError(
        500,
        "An internal error has occurred. Please retry or report in"
        " https://developers.generativeai.google/guide/troubleshooting",
    )


def _overloaded() -> GoogleError:
    return GoogleError(503, "The model is overloaded. Please try again later.")


ERRORS: dict[str, Callable[[], GoogleError]] = {
    "fault-429": _rate_limited,
    "fault-500": _internal,
    "fault-503": _overloaded,
}


def error_for(model: str) -> GoogleError | None:
    make = ERRORS.get(model)
    return make() if make else None


class ConnectionCut(Exception):
    """Raised inside a body iterator: the server then drops the connection unfinished."""


async def cut_after(chunks: list[bytes]) -> AsyncIterator[bytes]:
    """Send `chunks`, then fail the response so the client sees a truncated body."""
    for chunk in chunks:
        yield chunk
    raise ConnectionCut("fault-cut: connection dropped on purpose")
