"""Property: any native reply, cut at any event boundaries (text split anywhere), streams
as a contract-abiding Responses event stream whose `response.completed` equals the
non-stream reply (docs/responses.md, "Stream contract")."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from responses_contract import check_stream

from adapter.translate.responses.output import ResponseContext
from adapter.translate.responses.reply import response_from
from adapter.translate.responses.stream import ResponsesStream
from adapter.translate.responses.tools import ClientTool, ToolMap

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
args = st.dictionaries(
    st.sampled_from(["city", "n", "input"]), text | st.integers(-1000, 1000), max_size=2
)
signature = st.sampled_from([None, "U0lHTkFUVVJF", "c2ln"])
call = st.builds(
    lambda name, a, sig: {
        "functionCall": {"name": name, "args": a},
        **({"thoughtSignature": sig} if sig else {}),
    },
    st.sampled_from(["get_weather", "apply_patch", "ns.lookup", "unknown"]),
    args,
    signature,
)
part = st.one_of(
    st.builds(lambda t: {"text": t}, text.filter(bool)),
    st.builds(lambda t: {"text": t, "thought": True}, text.filter(bool)),
    call,
    st.just({"text": "", "thoughtSignature": "ZW5k"}),
    st.just({"inlineData": {"mimeType": "image/png", "data": "AAAA"}}),
    st.just({"executableCode": {"language": "PYTHON", "code": "print(1)"}}),
    st.just({"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}}),
)
GROUNDING = {
    "webSearchQueries": ["q"],
    "groundingChunks": [{"web": {"uri": "https://example.com/a", "title": "a"}}],
    "groundingSupports": [
        {"segment": {"startIndex": 0, "endIndex": 2}, "groundingChunkIndices": [0]}
    ],
}
TOOLS = ToolMap(
    by_native={
        "get_weather": ClientTool("function", "get_weather"),
        "apply_patch": ClientTool("custom", "apply_patch"),
        "ns.lookup": ClientTool("function", "lookup", "ns"),
    }
)


@st.composite
def native_and_events(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    blocked = draw(st.integers(0, 9)) == 0
    parts = draw(st.lists(part, max_size=7))
    candidate: dict[str, Any] = {
        "index": 0,
        "content": {"role": "model", "parts": parts},
        "finishReason": draw(st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY", "OTHER"])),
    }
    if draw(st.booleans()):
        candidate["groundingMetadata"] = GROUNDING
    usage = {"promptTokenCount": 3, "candidatesTokenCount": 4, "totalTokenCount": 7}
    native: dict[str, Any] = {"usageMetadata": usage, "responseId": "r1"}
    if blocked:
        native["promptFeedback"] = {"blockReason": "SAFETY"}
        return native, [native]
    native["candidates"] = [candidate]
    pieces = []
    for p in parts:
        if "text" in p and len(p["text"]) > 1:
            cut = draw(st.integers(1, len(p["text"]) - 1))
            pieces += [{**p, "text": p["text"][:cut]}, {**p, "text": p["text"][cut:]}]
        else:
            pieces.append(p)
    n_events = draw(st.integers(1, 5))
    cuts = sorted(
        draw(st.lists(st.integers(0, len(pieces)), min_size=n_events - 1, max_size=n_events - 1))
    )
    bounds = [0, *cuts, len(pieces)]
    events = []
    for e in range(n_events):
        chunk = {
            "index": 0,
            "content": {"role": "model", "parts": pieces[bounds[e] : bounds[e + 1]]},
        }
        if e == n_events - 1:
            chunk.update({k: v for k, v in candidate.items() if k != "content"})
        events.append({"candidates": [chunk], "responseId": "r1"})
    events[-1]["usageMetadata"] = usage
    return native, events


def context(include_encrypted: bool) -> ResponseContext:
    return ResponseContext(
        response_id="resp_1",
        created_at=1,
        model="m",
        echo={"tools": [], "tool_choice": "auto", "parallel_tool_calls": True},
        tools=TOOLS,
        include_encrypted=include_encrypted,
    )


@settings(max_examples=200, deadline=None)
@given(native_and_events(), st.booleans())
def test_stream_completes_to_the_reply(
    case: tuple[dict[str, Any], list[dict[str, Any]]], include_encrypted: bool
) -> None:
    native, events = case
    stream = ResponsesStream(context(include_encrypted))
    data = stream.start() + b"".join(stream.sse_for(e) for e in events) + stream.finish()
    decoded = []
    for frame in data.split(b"\n\n")[:-1]:
        head, body = frame.split(b"\n", 1)
        event = orjson.loads(body.removeprefix(b"data: "))
        assert head == b"event: " + event["type"].encode()
        decoded.append(event)
    # schema=False: the JSON Schema check is slow; the e2e tests and test_schemas_accept_*
    # run it, the SDK's own types check every event here.
    final = check_stream(decoded, schema=False)
    assert final == response_from(native, context(include_encrypted))


@settings(max_examples=100, deadline=None)
@given(native_and_events(), st.booleans())
def test_text_fast_path_writes_the_same_bytes(
    case: tuple[dict[str, Any], list[dict[str, Any]]], include_encrypted: bool
) -> None:
    """`sse_for`'s plain-text shortcut gives exactly the frames the state machine gives."""
    _, events = case
    more = [{"candidates": [{"content": {"parts": [{"text": f"more {i}"}]}}]} for i in range(3)]
    events = [*events[:-1], *more, events[-1]]
    fast = ResponsesStream(context(include_encrypted))
    slow = ResponsesStream(context(include_encrypted), fast=False)
    assert fast.start() == slow.start()
    for event in events:
        assert fast.sse_for(event) == slow.sse_for(event)
    assert fast.finish() == slow.finish()


def test_schemas_accept_a_stream_of_every_item_kind() -> None:
    """One stream with every output item kind, checked against the JSON Schemas too."""
    parts = [
        {"text": "think", "thought": True},
        {"text": "hi"},
        {
            "functionCall": {"name": "apply_patch", "args": {"input": "x"}},
            "thoughtSignature": "c2ln",
        },
        {"functionCall": {"name": "ns.lookup", "args": {}}},
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
        {"text": "bye"},
    ]
    event = {
        "candidates": [
            {
                "content": {"parts": parts},
                "finishReason": "MAX_TOKENS",
                "groundingMetadata": GROUNDING,
            }
        ],
        "usageMetadata": {"promptTokenCount": 1},
    }
    for native in (event, {"promptFeedback": {"blockReason": "SAFETY"}}):
        stream = ResponsesStream(context(True))
        data = stream.start() + stream.sse_for(native) + stream.finish()
        decoded = [orjson.loads(f.split(b"\n", 1)[1][6:]) for f in data.split(b"\n\n")[:-1]]
        check_stream(decoded)
