"""Every recorded Gemini reply replayed through the Responses translation: the reply and the
stream validate against the SDK's types and schemas/, stream events follow the contract, and
a recorded stream completes to the reply of the same content (docs/responses.md)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from assemble import merge_events
from fixtures_lib import all_fixtures
from openai.types.responses import Response
from responses_contract import check_stream
from schema_check import assert_valid

from adapter.translate.responses.output import ResponseContext
from adapter.translate.responses.reply import response_from
from adapter.translate.responses.stream import ResponsesStream
from adapter.translate.responses.tools import ToolMap

FIXTURES = [(name, f) for name, f in all_fixtures() if f["status"] == 200]
REPLIES = [(n, f) for n, f in FIXTURES if "response" in f and f.get("method") != "chat.completions"]
STREAMS = [(n, f) for n, f in FIXTURES if f.get("sse_events")]


def context() -> ResponseContext:
    return ResponseContext("resp_1", 1, "m", {}, ToolMap(), include_encrypted=True)


def stream_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stream = ResponsesStream(context())
    data = stream.start() + b"".join(stream.sse_for(e) for e in events) + stream.finish()
    return [orjson.loads(f.split(b"\n", 1)[1][6:]) for f in data.split(b"\n\n")[:-1]]


@pytest.mark.parametrize(("name", "fixture"), REPLIES, ids=[n for n, _ in REPLIES])
def test_recorded_reply(name: str, fixture: dict[str, Any]) -> None:
    native = fixture["response"]
    response = response_from(native, context())
    Response.model_validate(response)
    assert_valid("openai.response", response)
    candidates = native.get("candidates") or []
    if candidates:
        parts = candidates[0].get("content", {}).get("parts", [])
        calls = [p["functionCall"]["name"] for p in parts if "functionCall" in p]
        names = [i["name"] for i in response["output"] if i["type"] == "function_call"]
        assert names == calls
        texts = "".join(p.get("text", "") for p in parts if not p.get("thought"))
        got = "".join(
            c.get("text", "")
            for i in response["output"]
            if i["type"] == "message"
            for c in i["content"]
        )
        assert got == texts
    else:
        assert response["status"] == "incomplete" and response["output"]


@pytest.mark.parametrize(("name", "fixture"), STREAMS, ids=[n for n, _ in STREAMS])
def test_recorded_stream(name: str, fixture: dict[str, Any]) -> None:
    events = fixture["sse_events"]
    final = check_stream(stream_events(events))
    assert final == response_from(merge_events(events), context())
