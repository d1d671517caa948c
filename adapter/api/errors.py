"""Exception handlers: every failure ends in the OpenAI error shape, never a traceback.

Registered on the app (Starlette's `exception_handlers`) so routes simply raise."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from adapter.api.replies import error_response
from adapter.errors import AdapterError
from adapter.observability.context import current

log = logging.getLogger("adapter")

INTERNAL_ERROR = AdapterError(500, "Internal error in the adapter.", code="internal_error")


async def adapter_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdapterError)
    exchange = current()
    if exchange is not None and exc.code:
        exchange.error_code = str(exc.code)  # the code only: messages may quote content
    return error_response(exc)


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
