"""OpenAI-shaped errors (`AdapterError`), and reading a native (Google) error body.

Naming the OpenAI field of a native field violation (`contents[3]` -> `messages[5]`) is
translation: adapter.translate.response.errors.
"""

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
        self.native_fields: tuple[str, ...] = ()  # native field paths of an upstream 400
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


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def upstream_error(
    status: int,
    payload: Any,
    *,
    secrets: tuple[str, ...] = (),
    upstream: str | None = None,
) -> AdapterError:
    """A native (Google) error body -> the AdapterError the client sees (docs/translation.md,
    "Errors"). `code` is `ErrorInfo.reason` when present, else the native `status`; the
    message keeps both, each field violation, and the upstream host that answered
    (`upstream`, a host name, never a URL with a key). `native_fields` keeps the violations'
    native paths for the translator (adapter.translate.response.errors) to name the OpenAI
    field in `param`.
    """
    where = f" (upstream {upstream})" if upstream else ""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return AdapterError(
            502 if status < 400 else status,
            f"Upstream returned HTTP {status} with an unreadable error body{where}.",
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
    labels = [str(x) for x in (native_status, reason and f"reason: {reason}") if x]
    labels = [label for label in labels if label not in message]
    if labels:
        message += f" ({', '.join(labels)})"
    for field_path, description in violations:
        if description and description not in message:
            message += f" [{field_path}: {description}]"
    message += where
    if reason == "API_KEY_INVALID":
        status = 401
    headers = {}
    if status == 429:
        delay = retry_delay_seconds(error)
        if delay is not None:
            headers["Retry-After"] = str(max(1, int(-(-delay // 1))))
    result = AdapterError(
        status,
        redact(message, secrets),
        code=reason or (str(native_status) if native_status else None),
        headers=headers,
    )
    result.native_fields = tuple(field_path for field_path, _ in violations if field_path)
    return result


def error_from_native(status: int, payload: Any, **kwargs: Any) -> AdapterError:
    """Deprecated alias: the mapping (with `content_sources`) lives in
    adapter.translate.response.errors.error_from_native; transport uses `upstream_error`."""
    from adapter.translate.response.errors import error_from_native as mapped

    return mapped(status, payload, **kwargs)
