"""adapter.sse: the SSE grammar (BOM, CR/LF/CRLF, comments, multi-line data, fields without
a colon, `data:` with and without a space), checked by example and by a property test."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from translate_helpers import regression

from adapter.sse import SSEDecoder


def decode(reads: list[bytes]) -> list[bytes]:
    decoder = SSEDecoder()
    events = [event for chunk in reads for event in decoder.feed(chunk)]
    return events + decoder.close()


def test_bom_does_not_cost_the_first_event() -> None:
    fx = regression("sse_bom_first_event")
    raw = bytes.fromhex(fx["stream_hex"])
    assert [json.loads(e) for e in decode([raw])] == fx["expected"]
    # the BOM split across reads, one byte at a time
    assert [json.loads(e) for e in decode([raw[i : i + 1] for i in range(len(raw))])] == fx[
        "expected"
    ]


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        ([b"data: a\r\rdata: b\r\r"], [b"a", b"b"]),  # lone CR line ends
        ([b"data: a\r", b"\r"], [b"a"]),
        ([b"data: a\r", b"\n", b"\r\n"], [b"a"]),  # CRLF split across reads: one line end
        ([b"data\n\n"], [b""]),  # a field without a colon: empty value
        ([b"data:  two spaces\n\n"], [b" two spaces"]),  # only one space is dropped
        ([b"event: x\nid: 1\nretry: 5\n\n"], []),  # no data: nothing dispatched
        ([b":comment only\n\n"], []),
        ([b"data: a\n", b"data: b\n\n"], [b"a\nb"]),
        ([b"datum: a\ndata: b\n\n"], [b"b"]),
        ([b"data: last"], [b"last"]),  # no final line end: still counted at close
        ([b"\xef\xbb\xbfdata: 1\n\n\xef\xbb\xbfdata: 2\n\n"], [b"1"]),  # only a leading BOM
    ],
)
def test_grammar(reads: list[bytes], expected: list[bytes]) -> None:
    assert decode(reads) == expected


# Values: no CR, LF; a value with a leading space must be written with "data: ".
values = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
    max_size=20,
)
events = st.lists(st.lists(values, min_size=1, max_size=3), max_size=5)


@given(
    events=events,
    newline=st.sampled_from([b"\n", b"\r", b"\r\n"]),
    bom=st.booleans(),
    noise=st.lists(
        st.sampled_from([b": comment", b"event: e", b"id: 7", b"retry: 10", b"foo", b"x: y"]),
        max_size=3,
    ),
    spaced=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_any_framing_decodes_to_the_same_events(
    events: list[list[str]],
    newline: bytes,
    bom: bool,
    noise: list[bytes],
    spaced: bool,
    cuts: list[int],
) -> None:
    stream = b"\xef\xbb\xbf" if bom else b""
    for lines in events:
        for line in noise:
            stream += line + newline
        for value in lines:
            prefix = b"data: " if spaced or value.startswith(" ") else b"data:"
            stream += prefix + value.encode() + newline
        stream += newline
    points = sorted({min(c, len(stream)) for c in cuts})
    reads = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    expected = ["\n".join(lines).encode() for lines in events]
    assert decode([r for r in reads if r]) == expected
