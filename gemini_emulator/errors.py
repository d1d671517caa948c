"""Google-shaped API errors: `{"error": {"code", "message", "status", "details"?}}`.

Messages copy the wording the real service uses (see the recorded error fixtures),
because the adapter's tests match on them.
"""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class GoogleError(Exception):
    """An error reply of the native API; raise it anywhere while handling a request."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> GoogleError:
    """A 400 without details, as the service sends for semantic request problems."""
    return GoogleError(400, message)


def request_field(path: str, problem: str, root: str = "GenerateContentRequest") -> GoogleError:
    """The service's `* Request.path: problem` form for a bad value in a known field."""
    return invalid(f"* {root}.{path}: {problem}\n")


def field_violations(violations: list[tuple[str, str]]) -> GoogleError:
    """A 400 listing JSON payload problems, each with a `BadRequest` field violation.

    `violations` holds (field path, description); an empty path means the top level,
    which the service reports without a `field` key.
    """
    details: list[dict[str, Any]] = []
    for field, description in violations:
        violation = (
            {"field": field, "description": description} if field else {"description": description}
        )
        details.append(violation)
    message = "\n".join(description for _, description in violations)
    return GoogleError(
        400, message, details=[{"@type": BAD_REQUEST_TYPE, "fieldViolations": details}]
    )


def missing_key() -> GoogleError:
    return GoogleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity)."
        " Please use API Key or other form of API consumer identity to call this API.",
    )


def invalid_key() -> GoogleError:
    message = "API key not valid. Please pass a valid API key."
    return GoogleError(
        400,
        message,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
        ],
    )


def model_not_found(model: str, method: str) -> GoogleError:
    return GoogleError(
        404,
        f"models/{model} is not found for API version v1beta, or is not supported for {method}."
        " Call ListModels to see the list of available models and their supported methods.",
    )
