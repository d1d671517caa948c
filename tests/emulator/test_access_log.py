"""`gemini-adapter emulator` logs each request without the `?key=` value (as the adapter's
own access log does): the emulator has its own redaction, it imports nothing from adapter."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest
from servers import free_port, wait_until

from gemini_emulator.logs import redact_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/v1beta/models?key=AIza123", "/v1beta/models?key=[redacted]"),
        ("/x?alt=sse&key=abc&y=1", "/x?alt=sse&key=[redacted]&y=1"),
        ("/x?ACCESS_TOKEN=abc", "/x?ACCESS_TOKEN=[redacted]"),
        ("/x?oauth_token=ya29.x&alt=sse", "/x?oauth_token=[redacted]&alt=sse"),
        ("/x?monkey=1&turkey=2", "/x?monkey=1&turkey=2"),
    ],
)
def test_redact_query(text: str, expected: str) -> None:
    assert redact_query(text) == expected


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1beta/models", headers={"x-goog-api-key": "probe"}).is_success
    except httpx.HTTPError:
        return False


def test_standalone_access_log_hides_query_keys() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "emulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _up(url), timeout=20)
        reply = httpx.get(f"{url}/v1beta/models?key=emulator-secret-42&pageSize=5")
        assert reply.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert process.returncode == 0, output  # a drained stop is a clean exit
    assert "emulator-secret-42" not in output
    assert "/v1beta/models?key=[redacted]&pageSize=5" in output  # the access line is there
