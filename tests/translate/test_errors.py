"""Unit tests of native error mapping: adapter.errors.upstream_error (the Google error body)
and adapter.translate.response.errors (naming the OpenAI field)."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import regression

from adapter.errors import upstream_error
from adapter.translate.response.errors import error_from_native, openai_param

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def native_error(status: int, code: str, message: str, *details: dict[str, Any]) -> dict:
    return {"error": {"code": status, "status": code, "message": message, "details": list(details)}}


@pytest.mark.parametrize(
    ("field", "sources", "param"),
    [
        ("contents[2].parts[0]", [0, 2, 5], "messages[5].content[0]"),
        ("contents[1]", [0, 3], "messages[3]"),
        ("contents[9].parts[0]", [0], None),
        ("tools[0].function_declarations[3].name", [], "tools[3]"),
        ("tools[0].functionDeclarations[1]", [], "tools[1]"),
        ("generation_config.seed", [0], None),
    ],
)
def test_openai_param(field: str, sources: list[int], param: str | None) -> None:
    assert openai_param(field, sources) == param


def test_field_violation_named_on_the_openai_path_and_in_the_message() -> None:
    payload = native_error(
        400,
        "INVALID_ARGUMENT",
        "bad part",
        {
            "@type": BAD_REQUEST,
            "fieldViolations": [{"field": "contents[1].parts[0]", "description": "no data"}],
        },
    )
    error = error_from_native(400, payload, content_sources=[0, 4], upstream="g.example")
    assert error.param == "messages[4].content[0]"
    assert error.code == "INVALID_ARGUMENT"
    assert "[contents[1].parts[0]: no data]" in error.message
    assert error.message.endswith("(upstream g.example)")


def test_reason_and_status_both_kept() -> None:
    fx = regression("error_reason_hides_status")
    error = upstream_error(fx["status"], fx["native_error"])
    assert error.code == "API_KEY_INVALID" and error.status == 401
    assert "INVALID_ARGUMENT" in error.message and "reason: API_KEY_INVALID" in error.message


def test_retry_after_and_redaction() -> None:
    payload = native_error(
        429,
        "RESOURCE_EXHAUSTED",
        "quota for key AIzaSECRET exceeded",
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.2s"},
    )
    error = upstream_error(429, payload, secrets=("AIzaSECRET",))
    assert error.headers == {"Retry-After": "2"}
    assert "AIzaSECRET" not in error.message and "[redacted]" in error.message


@pytest.mark.parametrize("payload", [None, "text", {"error": "x"}, []])
def test_unreadable_error_bodies(payload: Any) -> None:
    error = upstream_error(500, payload, upstream="g.example")
    assert (error.status, error.code) == (500, "bad_upstream_response")
    assert "g.example" in error.message
    assert upstream_error(200, payload).status == 502
