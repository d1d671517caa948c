"""Request lines and `--log-format json`: every line the process writes parses as JSON; one
line per request with its id, route, model, status, latency, tokens, upstream status and
adjustments; never a key, never message content (in either format)."""

from __future__ import annotations

import json

import httpx
from obs_helpers import serve

HEADER_KEY = "sk-header-secret-4242"
QUERY_KEY = "query-secret-5151"
GOOG_KEY = "goog-secret-6161"
CONTENT = "purple elephant 9931 whispers"
SECRETS = (HEADER_KEY, QUERY_KEY, GOOG_KEY, CONTENT, "purple elephant")


def _traffic(url: str) -> dict[str, httpx.Response]:
    auth = {"authorization": f"Bearer {HEADER_KEY}"}
    chat = {
        "model": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": CONTENT}],
        "presence_penalty": 0.5,  # not accepted by this model: dropped, x-adapter-adjusted
    }
    replies = {
        "chat": httpx.post(
            f"{url}/v1/chat/completions",
            json=chat,
            headers={**auth, "x-request-id": "log-test-1"},
        ),
        "stream": httpx.post(
            f"{url}/v1/chat/completions", json={**chat, "stream": True}, headers=auth
        ),
        "rate_limited": httpx.post(
            f"{url}/v1/chat/completions",
            json={"model": "fault-429", "messages": chat["messages"]},
            headers=auth,
        ),
        "native": httpx.post(
            f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key={QUERY_KEY}",
            json={"contents": [{"role": "user", "parts": [{"text": CONTENT}]}]},
        ),
        "native_header": httpx.get(f"{url}/v1beta/models", headers={"x-goog-api-key": GOOG_KEY}),
        "bad": httpx.post(
            f"{url}/v1/chat/completions",
            json={
                "model": "gemini-2.5-flash",
                "messages": [{"role": "nobody", "content": CONTENT}],
            },
            headers=auth,
        ),
    }
    assert replies["chat"].status_code == 200, replies["chat"].text
    assert replies["chat"].headers["x-adapter-adjusted"] == "presence_penalty=dropped"
    assert replies["rate_limited"].status_code == 429
    assert replies["native"].status_code == 200
    assert replies["bad"].status_code == 400
    return replies


def test_json_lines_with_request_fields() -> None:
    flags = ("--workers", "2", "--log-format", "json", "--access-log", "--upstream-retries", "0")
    with serve(*flags) as (url, lines):
        replies = _traffic(url)
    assert lines[-1] == "exit 0", "\n".join(lines)
    records = []
    for line in lines[:-1]:
        record = json.loads(line)  # every line, uvicorn's and the supervisor's included
        assert isinstance(record, dict) and {"time", "level", "logger", "message"} <= set(record)
        records.append(record)
    assert any(r["logger"] == "uvicorn.error" for r in records)
    requests = {
        r["request_id"]: r
        for r in records
        if r["logger"] == "adapter.access" and r["route"] != "operations"  # /healthz polls
    }
    assert len(requests) == len(replies)

    chat = requests["log-test-1"]
    assert chat["route"] == "chat" and chat["model"] == "gemini-2.5-flash"
    assert chat["status"] == 200 and chat["upstream_status"] == 200
    assert chat["duration_s"] > 0 and chat["first_byte_s"] <= chat["duration_s"]
    assert chat["tokens"]["prompt"] > 0 and chat["tokens"]["completion"] > 0
    assert chat["adjusted"] == "presence_penalty=dropped"
    assert chat["method"] == "POST" and chat["path"] == "/v1/chat/completions"

    stream = requests[replies["stream"].headers["x-request-id"]]
    assert stream["stream"] is True and stream["tokens"]["completion"] > 0
    limited = requests[replies["rate_limited"].headers["x-request-id"]]
    assert limited["status"] == 429 and limited["upstream_status"] == 429
    assert limited["model"] == "fault-429" and limited["error"]
    native = requests[replies["native"].headers["x-request-id"]]
    assert native["route"] == "native" and native["model"] == "gemini-2.5-flash"
    assert native["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert requests[replies["bad"].headers["x-request-id"]]["status"] == 400

    output = "\n".join(lines)
    for secret in SECRETS:
        assert secret not in output


def test_text_lines_have_no_keys_or_content() -> None:
    with serve("--access-log", "--upstream-retries", "0", "--log-level", "debug") as (url, lines):
        replies = _traffic(url)
    output = "\n".join(lines)
    assert lines[-1] == "exit 0", output
    assert "request_id=log-test-1 route=chat model=gemini-2.5-flash status=200" in output
    assert replies["native"].headers["x-request-id"] in output
    for secret in SECRETS:
        assert secret not in output


def test_no_request_lines_without_access_log() -> None:
    with serve("--log-format", "json") as (url, lines):
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert not [line for line in lines if "request_id" in line]
