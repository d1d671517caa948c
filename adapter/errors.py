"""OpenAI-shaped errors, and the mapping of native (Google) errors onto them (SPEC E1, E2)."""

from __future__ import annotations

import re
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


def invalid_request(
    message: str, param: str | None = None, code: str | None = None
) -> AdapterError:
    """A 400 for bad client input; `param` is the JSON path of the offending field."""
    return AdapterError(400, message, param=param, code=code)


def retry_delay_seconds(error: dict[str, Any]) -> float | None:
    """The RetryInfo delay of a native error (`"retryDelay": "1.5s"`), if any."""
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("RetryInfo"):
            delay = str(detail.get("retryDelay", "")).rstrip("s")
            try:
                return max(0.0, float(delay))
            except ValueError:
                return None
    return None


def _content_path_to_openai(field: str, sources: list[int]) -> str | None:
    """`contents[2].parts[0]` -> `messages[4].content[0]` when the mapping is known."""
    match = re.match(r"^contents\[(\d+)\](?:\.parts\[(\d+)\])?", field)
    if match:
        index = int(match.group(1))
        if index < len(sources):
            path = f"messages[{sources[index]}]"
            if match.group(2) is not None:
                path += f".content[{match.group(2)}]"
            return path
        return None
    match = re.match(r"^tools\[(\d+)\]\.function_?[dD]eclarations\[(\d+)\]", field)
    if match:
        return f"tools[{match.group(2)}]"
    return None


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def error_from_native(
    status: int,
    payload: Any,
    *,
    secrets: tuple[str, ...] = (),
    content_sources: list[int] | None = None,
) -> AdapterError:
    """A native error reply -> the OpenAI error the client sees (SPEC E1)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return AdapterError(
            502 if status < 400 else status,
            f"Upstream returned HTTP {status} with an unreadable error body.",
            code="bad_upstream_response",
        )
    message = str(error.get("message") or f"Upstream returned HTTP {status}.")
    native_status = error.get("status")
    reason = None
    violations: list[tuple[str, str]] = []
    for detail in error.get("details") or ():
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("ErrorInfo") and detail.get("reason"):
            reason = str(detail["reason"])
        elif kind.endswith("BadRequest"):
            for violation in detail.get("fieldViolations") or ():
                if isinstance(violation, dict):
                    violations.append(
                        (str(violation.get("field", "")), str(violation.get("description", "")))
                    )
    if reason and reason not in message:
        message += f" (reason: {reason})"
    for field_path, description in violations:
        if description and description not in message:
            message += f" [{field_path}: {description}]"
    param = None
    for field_path, _ in violations:
        param = _content_path_to_openai(field_path, content_sources or [])
        if param:
            break
    if reason == "API_KEY_INVALID":
        status = 401
    headers = {}
    if status == 429:
        delay = retry_delay_seconds(error)
        if delay is not None:
            headers["Retry-After"] = str(max(1, int(-(-delay // 1))))
    return AdapterError(
        status,
        redact(message, secrets),
        param=param,
        code=reason or (str(native_status) if native_status else None),
        headers=headers,
    )
