"""Unit tests of adapter.translate.response.partial_args (Vertex partialArgs, Q12)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from translate_helpers import regression

from adapter.translate.response.partial_args import apply_partial_args, parse_path
from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("$", []),
        ("$.location", ["location"]),
        ("$.a.b", ["a", "b"]),
        ("$.items[0].name", ["items", 0, "name"]),
        ("$['a.b']", ["a.b"]),
        ('$["it\'s"][2]', ["it's", 2]),
        ("$['a\\'b']", ["a'b"]),
        ("$['\\u00e9']", ["é"]),
        ("$[10][0]", [10, 0]),
        ("location", None),
        ("$.", None),
        ("$[x]", None),
        ("$['open", None),
    ],
)
def test_parse_path(path: str, keys: list[Any] | None) -> None:
    assert parse_path(path) == keys


def test_strings_append_only_while_will_continue() -> None:
    args: dict[str, Any] = {}
    continuing: set[str] = set()
    apply_partial_args(
        args, [{"jsonPath": "$.a", "stringValue": "x", "willContinue": True}], continuing
    )
    apply_partial_args(args, [{"jsonPath": "$.a", "stringValue": "y"}], continuing)
    assert args == {"a": "xy"} and not continuing
    # a new value for a finished path replaces it
    apply_partial_args(args, [{"jsonPath": "$.a", "stringValue": "z"}], continuing)
    assert args == {"a": "z"}


def test_values_of_every_kind_land_at_their_path() -> None:
    args: dict[str, Any] = {}
    apply_partial_args(
        args,
        [
            {"jsonPath": "$.n", "numberValue": 1.5},
            {"jsonPath": "$.flags[1]", "boolValue": True},
            {"jsonPath": "$.x.y", "nullValue": None},
            {"jsonPath": "nonsense", "stringValue": "ignored"},
        ],
        set(),
    )
    assert args == {"n": 1.5, "flags": [None, True], "x": {"y": None}}


def test_paths_with_indexes_and_bracketed_keys_in_a_stream() -> None:
    fx = regression("partial_args_json_paths")
    translator = StreamTranslator(model="m", created=1, fallback_id="x", include_usage=False)
    arguments = ""
    for event in fx["events"]:
        for chunk in translator.chunks_for(event):
            for call in chunk["choices"][0]["delta"].get("tool_calls") or ():
                arguments += call["function"].get("arguments") or ""
    assert json.loads(arguments) == fx["expected_args"]
    # the same parts in one reply assemble the same arguments (T3)
    parts = [p for e in fx["events"] for p in e["candidates"][0]["content"]["parts"]]
    native = {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]
    }
    reply = completion_from(native, model="m", created=1, fallback_id="x")
    call = reply["choices"][0]["message"]["tool_calls"][0]
    assert json.loads(call["function"]["arguments"]) == fx["expected_args"]
