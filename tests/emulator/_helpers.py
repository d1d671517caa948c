"""Shared request builders and response readers for the emulator tests."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

KEY = {"x-goog-api-key": "test-key"}
FLASH = "gemini-2.5-flash"
G3 = "gemini-3-flash-preview"
SIGNATURE = "c2lnbmF0dXJl"  # base64("signature"): any decodable value is accepted.


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def body(text: str = "hello world", **extra: Any) -> dict[str, Any]:
    return {"contents": [user(text)], **extra}


def weather_tool(**declaration: Any) -> list[dict[str, Any]]:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city", "unit"],
    }
    return [
        {
            "functionDeclarations": [
                {"name": "get_weather", "parametersJsonSchema": schema, **declaration},
                {"name": "get_time", "parameters": {"type": "OBJECT", "properties": {}}},
            ]
        }
    ]


def call_turn(*names: str, signature: str | None = SIGNATURE) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        part: dict[str, Any] = {"functionCall": {"name": name, "args": {}}}
        if i == 0 and signature is not None:
            part["thoughtSignature"] = signature
        parts.append(part)
    return {"role": "model", "parts": parts}


def response_turn(*names: str) -> dict[str, Any]:
    return {
        "role": "user",
        "parts": [{"functionResponse": {"name": n, "response": {"temp": 20}}} for n in names],
    }


async def generate(
    client: httpx.AsyncClient, model: str, payload: Any, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(
        f"/v1beta/models/{model}:generateContent", json=payload, headers=KEY | (headers or {})
    )


async def stream(
    client: httpx.AsyncClient, model: str, payload: Any, *, sse: bool = True
) -> httpx.Response:
    query = "?alt=sse" if sse else ""
    return await client.post(
        f"/v1beta/models/{model}:streamGenerateContent{query}", json=payload, headers=KEY
    )


def sse_events(raw: bytes) -> list[dict[str, Any]]:
    """Parse an alt=sse body, insisting on the real API's CRLF framing."""
    assert raw.endswith(b"\r\n\r\n"), raw[-20:]
    events = []
    for block in raw.split(b"\r\n\r\n")[:-1]:
        assert block.startswith(b"data: "), block[:20]
        events.append(orjson.loads(block[len(b"data: ") :]))
    return events


def answer_text(candidate: dict[str, Any]) -> str:
    parts = candidate.get("content", {}).get("parts", [])
    return "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))


def stream_text(events: list[dict[str, Any]], index: int = 0) -> str:
    return "".join(
        answer_text(c) for e in events for c in e.get("candidates", []) if c["index"] == index
    )


def error_of(response: httpx.Response) -> dict[str, Any]:
    payload: dict[str, Any] = response.json()
    assert set(payload) == {"error"}, payload
    error: dict[str, Any] = payload["error"]
    assert error["code"] == response.status_code
    return error
