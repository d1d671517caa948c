"""`x-request-id`: a client's id is echoed; otherwise one is made; on every reply."""

from __future__ import annotations

import re

import httpx

CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}


def test_generated_when_absent(emulator_base_url: str) -> None:
    first = httpx.post(f"{emulator_base_url}/chat/completions", json=CHAT)
    second = httpx.post(f"{emulator_base_url}/chat/completions", json=CHAT)
    assert first.status_code == 200
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]


def test_echoed_when_given(emulator_base_url: str) -> None:
    headers = {"x-request-id": "req-abc.123"}
    reply = httpx.post(f"{emulator_base_url}/chat/completions", json=CHAT, headers=headers)
    assert reply.headers["x-request-id"] == "req-abc.123"
    stream = httpx.post(
        f"{emulator_base_url}/chat/completions", json={**CHAT, "stream": True}, headers=headers
    )
    assert stream.headers["x-request-id"] == "req-abc.123"
    assert stream.text.endswith("data: [DONE]\n\n")


def test_on_errors_and_unknown_routes(emulator_base_url: str) -> None:
    bad = httpx.post(f"{emulator_base_url}/chat/completions", json={"model": "x"})
    assert bad.status_code == 400 and re.fullmatch(r"[0-9a-f]{32}", bad.headers["x-request-id"])
    missing = httpx.get(f"{emulator_base_url}/nothing", headers={"x-request-id": "r1"})
    assert missing.status_code == 404 and missing.headers["x-request-id"] == "r1"


def test_unsafe_ids_are_replaced(emulator_base_url: str) -> None:
    for given in ("a" * 200, "two words", "semi;colon"):
        reply = httpx.get(
            f"{emulator_base_url.removesuffix('/v1')}/healthz", headers={"x-request-id": given}
        )
        assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["x-request-id"]), given
