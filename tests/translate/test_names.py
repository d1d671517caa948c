"""Unit tests of adapter.translate.names and function names end to end (request, reply,
stream): a name Gemini refuses travels under a native stand-in and comes back as sent."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schema_check import assert_valid
from translate_helpers import regression

from adapter.translate.names import is_native_name, native_name, native_names, reverse
from adapter.translate.request import to_native_request
from adapter.translate.response.reply import completion_from
from adapter.translate.response.stream import StreamTranslator

# Gemini's grammar, written independently of the module (FunctionDeclaration.name docs).
GEMINI_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")


@pytest.mark.parametrize(
    ("name", "native"),
    [
        ("get_weather", "get_weather"),  # valid: unchanged
        ("mcp.server:tool-1", "mcp.server:tool-1"),
        ("1c_probe", "_1c_probe"),  # leading digit: a "_" in front
        ("-x", "_-x"),
    ],
)
def test_native_name(name: str, native: str) -> None:
    assert native_name(name) == native


@pytest.mark.parametrize(
    "name", ["get_weather\n", "weather lookup", "météo", "a" * 65, "x/y", "", "\n"]
)
def test_refused_names_get_a_valid_stand_in(name: str) -> None:
    assert not is_native_name(name)
    if name:
        assert GEMINI_NAME.fullmatch(native_name(name))


def test_trailing_newline_is_not_a_valid_name() -> None:
    # `$` matches before a final newline; the check must cover the whole string.
    assert not is_native_name("get_weather\n")
    fx = regression("tool_name_trailing_newline")
    body = to_native_request(fx["request"]).body
    name = body["tools"][0]["functionDeclarations"][0]["name"]
    assert GEMINI_NAME.fullmatch(name) and name != "get_weather\n"


def test_stand_ins_never_collide_with_declared_names() -> None:
    mapping = native_names(["1c", "_1c", "a b", "a_b", "a" * 70, "a" * 71])
    natives = set(mapping.values()) | {"_1c", "a_b"}
    assert len(natives) == 6
    assert all(GEMINI_NAME.fullmatch(n) for n in natives)
    assert "_1c" not in mapping and "a_b" not in mapping  # valid names stay as they are


@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=6, unique=True))
def test_mapping_is_valid_unique_deterministic_and_reversible(names: list[str]) -> None:
    mapping = native_names(names)
    assert mapping == native_names(list(names))  # stateless: same list, same mapping
    sent = [mapping.get(n, n) for n in names]
    assert all(GEMINI_NAME.fullmatch(n) for n in sent)
    assert len(set(sent)) == len(sent)
    back = reverse(mapping)
    assert [back.get(n, n) for n in sent] == names


def test_leading_digit_name_everywhere() -> None:
    fx = regression("tool_name_leading_digit")
    stand_in = fx["expected_native_name"]
    native = to_native_request(fx["request"])
    body = native.body
    assert_valid("gemini.generate_content_request", body)
    names = [d["name"] for d in body["tools"][0]["functionDeclarations"]]
    assert names == [stand_in, "get_weather"]
    assert body["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"] == [stand_in]
    call = body["contents"][1]["parts"][0]["functionCall"]
    result = body["contents"][2]["parts"][0]["functionResponse"]
    assert call["name"] == result["name"] == stand_in
    assert native.tool_names == {stand_in: "1c_probe"}

    reply = completion_from(
        fx["native_reply"], model="m", created=1, fallback_id="x", tool_names=native.tool_names
    )
    assert reply["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "1c_probe"

    stream = StreamTranslator(
        model="m", created=1, fallback_id="x", include_usage=False, tool_names=native.tool_names
    )
    chunks = stream.chunks_for(fx["native_reply"])
    delta = chunks[0]["choices"][0]["delta"]
    assert delta["tool_calls"][0]["function"]["name"] == "1c_probe"


def test_history_call_to_an_undeclared_refused_name_is_still_valid_natively() -> None:
    body = to_native_request(
        {
            "model": "gemini-2.5-flash",
            "messages": [
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "9lives"}}],
                },
                {"role": "tool", "tool_call_id": "c", "content": "ok"},
            ],
        }
    ).body
    assert body["contents"][1]["parts"][0]["functionCall"]["name"] == "_9lives"
    assert body["contents"][2]["parts"][0]["functionResponse"]["name"] == "_9lives"


def test_extension_allowed_function_names_use_the_stand_ins() -> None:
    body = to_native_request(
        {
            "model": "gemini-2.5-flash",
            "messages": [{"role": "user", "content": "x"}],
            "tools": [{"type": "function", "function": {"name": "1c_probe"}}],
            "google": {
                "tool_config": {
                    "function_calling_config": {
                        "mode": "ANY",
                        "allowed_function_names": ["1c_probe"],
                    }
                }
            },
        }
    ).body
    assert body["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"] == ["_1c_probe"]
