"""Property (behaviour T3): any valid native reply, cut into any SSE event boundaries, streams to
the same assembled result as its non-stream translation."""

from __future__ import annotations

from typing import Any

import orjson
from assemble import assemble, summarize_reply
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
part = st.one_of(
    st.builds(lambda t: {"text": t}, text.filter(bool)),
    st.builds(lambda t: {"text": t, "thought": True}, text.filter(bool)),
    st.builds(
        lambda name, args, sig: {
            "functionCall": {"name": name, "args": args},
            **({"thoughtSignature": sig} if sig else {}),
        },
        st.sampled_from(["get_weather", "lookup", "f"]),
        st.dictionaries(text, json_value, max_size=3),
        st.sampled_from([None, "U0lHTkFUVVJF", "c2ln"]),
    ),
    st.just({"inlineData": {"mimeType": "image/png", "data": "AAAA"}}),
)
finish = st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY", "MALFORMED_FUNCTION_CALL"])
usage = st.builds(
    lambda p, c, t: {
        "promptTokenCount": p,
        "candidatesTokenCount": c,
        "thoughtsTokenCount": t,
        "totalTokenCount": p + c + t,
    },
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
)


@st.composite
def native_and_events(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    n = draw(st.integers(1, 3))
    candidates = []
    atoms: list[list[dict[str, Any]]] = []
    for index in range(n):
        parts = draw(st.lists(part, max_size=6))
        candidates.append(
            {
                "index": index,
                "content": {"role": "model", "parts": parts},
                "finishReason": draw(finish),
            }
        )
        pieces = []
        for p in parts:
            if "text" in p and len(p["text"]) > 1:  # the stream may cut text anywhere
                cut = draw(st.integers(1, len(p["text"]) - 1))
                pieces += [{**p, "text": p["text"][:cut]}, {**p, "text": p["text"][cut:]}]
            else:
                pieces.append(p)
        atoms.append(pieces)
    native = {
        "candidates": candidates,
        "usageMetadata": draw(usage),
        "responseId": "resp-1",
        "modelVersion": "gemini-x",
    }
    n_events = draw(st.integers(1, 5))
    events: list[dict[str, Any]] = [
        {"candidates": [], "responseId": "resp-1", "modelVersion": "gemini-x"}
        for _ in range(n_events)
    ]
    for index, pieces in enumerate(atoms):
        cuts = sorted(
            draw(
                st.lists(st.integers(0, len(pieces)), min_size=n_events - 1, max_size=n_events - 1)
            )
        )
        bounds = [0, *cuts, len(pieces)]
        for e in range(n_events):
            chunk = pieces[bounds[e] : bounds[e + 1]]
            candidate: dict[str, Any] = {
                "index": index,
                "content": {"role": "model", "parts": chunk},
            }
            if e == n_events - 1:
                candidate["finishReason"] = candidates[index]["finishReason"]
            events[e]["candidates"].append(candidate)
    events[-1]["usageMetadata"] = native["usageMetadata"]
    return native, events


@settings(max_examples=300, deadline=None)
@given(native_and_events())
def test_stream_assembles_to_reply(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    native, events = case
    translator = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=True)
    chunks = [c for event in events for c in translator.chunks_for(event)] + translator.finish()
    reply = completion_from(native, model="m", created=1, fallback_id="x")
    assert assemble(chunks) == summarize_reply(reply)


@settings(max_examples=200, deadline=None)
@given(native_and_events(), st.booleans())
def test_sse_bytes_equal_serialised_chunks(
    case: tuple[dict[str, Any], list[dict[str, Any]]], include_usage: bool
) -> None:
    """`sse_for` (with its plain-text fast path) writes exactly what `chunks_for` gives."""
    _, events = case
    events = [
        *events[:-1],
        *[
            {
                "candidates": [{"content": {"parts": [{"text": f"more {i}"}], "role": "model"}}],
                "responseId": "resp-1",
            }
            for i in range(3)
        ],
        events[-1],
    ]
    fast = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=include_usage)
    slow = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=include_usage)
    for event in events:
        expected = b"".join(
            b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in slow.chunks_for(event)
        )
        assert fast.sse_for(event) == expected
    assert fast.finish() == slow.finish()
