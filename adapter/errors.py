"""OpenAI-shaped errors, and the mapping of native (Google) errors onto them (SPEC E1, E2)."""

from __future__ import annotations

from typing import Any

ERROR_TYPE_BY_STATUS: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def error_type_for(status: int) -> str:
    if status in ERROR_TYPE_BY_STATUS:
        return ERROR_TYPE_BY_STATUS[status]
    return "api_error" if status >= 500 else "invalid_request_error"


class AdapterError(Exception):
    """An error that becomes an OpenAI-style `{"error": {...}}` reply.

    Translation functions raise it for bad input (status 400, with `param`
    naming the exact field); transport raises it for upstream failures.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str | None = None,  # noqa: A002 - mirrors the wire field
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type or error_type_for(status)
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> AdapterError:
    """A 400 for bad client input; `param` is the JSON path of the offending field."""
    return AdapterError(400, message, param=param, code=code)
