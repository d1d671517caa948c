"""Keys in URLs never reach a log line (docs/behaviour.md E4)."""

from __future__ import annotations

import logging

import pytest

from adapter.logs import RedactKeys, redact_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/v1beta/models?key=AIza123", "/v1beta/models?key=[redacted]"),
        ("/x?alt=sse&key=abc&y=1", "/x?alt=sse&key=[redacted]&y=1"),
        ("/x?API_KEY=abc", "/x?API_KEY=[redacted]"),
        ("/x?monkey=1", "/x?monkey=1"),
    ],
)
def test_redact_query(text: str, expected: str) -> None:
    assert redact_query(text) == expected


def test_filter_redacts_access_log_args() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/v1beta/models?key=s3cret", "1.1", 200),
        None,
    )
    assert RedactKeys().filter(record)
    assert "s3cret" not in record.getMessage()
