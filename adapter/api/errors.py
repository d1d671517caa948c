"""Exception handlers: every failure ends in the OpenAI error shape, never a traceback.
Native passthrough calls (google-genai) get the adapter's own errors in Google's shape
instead, `{"error": {code, message, status}}`, which is what their client parses.

Registered on the app (Starlette's `exception_handlers`) so routes simply raise."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from adapter.api.native import is_native_call
from adapter.api.replies import error_response, json_response
from adapter.errors import AdapterError
from adapter.observability.context import current

log = logging.getLogger("adapter")

INTERNAL_ERROR = AdapterError(500, "Internal error in the adapter.", code="internal_error")


async def adapter_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdapterError)
    exchange = current()
    if exchange is not None and exc.code:
        exchange.error_code = str(exc.code)  # the code only: messages may quote content
    if _is_native(request):
        return google_error_response(exc)
    return error_response(exc)


# HTTP status -> google.rpc.Code name, as the Gemini API reports it
# (https://cloud.google.com/apis/design/errors#handling_errors).
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def google_error_response(error: AdapterError) -> Response:
    """The adapter's own error in Google's error shape, for native clients."""
    body = {
        "error": {
            "code": error.status,
            "message": error.message,
            "status": GOOGLE_STATUS.get(error.status, "UNKNOWN"),
        }
    }
    return json_response(body, error.headers, error.status)


def _is_native(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/v1beta/", "/v1beta1/")) or (
        path.startswith("/v1/") and is_native_call(request)
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = AdapterError(
            405,
            f"{request.method} is not allowed here.",
            code="method_not_allowed",
            type="invalid_request_error",
        )
    else:
        error = AdapterError(
            exc.status_code, f"No route for {request.url.path}.", code="unknown_url"
        )
    return error_response(error)


async def internal_error(request: Request, exc: Exception) -> Response:
    # Logged with its traceback here; the client gets the OpenAI error shape only.
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return error_response(INTERNAL_ERROR)


async def client_gone(request: Request, exc: Exception) -> Response:
    return Response(status_code=499)  # nobody is listening; nothing to log


EXCEPTION_HANDLERS = {
    AdapterError: adapter_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    Exception: internal_error,
}
