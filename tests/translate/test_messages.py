"""Unit tests of adapter.translate.request.messages: messages, tool turns, signatures."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import USER, native, regression, req, tool_call

from adapter.errors import AdapterError
from adapter.translate.request import to_native_request
from adapter.translate.signatures import SKIP_SIGNATURE, decode_tool_call_id, encode_tool_call_id

# --- messages (R1, R2) --------------------------------------------------------------------

MESSAGE_CASES = [
    (
        "system and developer anywhere go to systemInstruction in order",
        [
            {"role": "system", "content": "A"},
            USER,
            {"role": "developer", "content": [{"type": "text", "text": "B"}]},
        ],
        {
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "systemInstruction": {"parts": [{"text": "A"}, {"text": "B"}]},
        },
    ),
    (
        "assistant becomes model, name is ignored",
        [USER, {"role": "assistant", "content": "yo", "name": "bot"}, USER],
        {
            "contents": [
                {"role": "user", "parts": [{"text": "hi"}]},
                {"role": "model", "parts": [{"text": "yo"}]},
                {"role": "user", "parts": [{"text": "hi"}]},
            ]
        },
    ),
    (
        "array content with several text parts",
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            }
        ],
        {"contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]},
    ),
]


@pytest.mark.parametrize(("name", "messages", "expected"), MESSAGE_CASES)
def test_messages(name: str, messages: list[Any], expected: dict[str, Any]) -> None:
    assert native(messages=messages) == expected


# --- tool turns (R4, R10) -----------------------------------------------------------------


def test_tool_results_grouped_in_call_order_with_names_and_wrapping() -> None:
    messages = [
        USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [tool_call("a", "weather", '{"city": "Paris"}'), tool_call("b", "time")],
        },
        {"role": "tool", "tool_call_id": "b", "content": "12:00"},
        {"role": "tool", "tool_call_id": "a", "content": '{"temp": 20}'},
    ]
    body = native(messages=messages)
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "weather", "args": {"city": "Paris"}}},
            {"functionCall": {"name": "time", "args": {}}},
        ],
    }
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "weather", "response": {"temp": 20}}},
            {"functionResponse": {"name": "time", "response": {"result": "12:00"}}},
        ],
    }


def test_signature_and_native_id_travel_in_the_tool_call_id() -> None:
    signature = "CpYBAXLI2nyk8hUK9Z0vYfHf3qbH8bcl8Q=="
    call_id = encode_tool_call_id("seed", "fc-1", signature)
    assert set(call_id) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    assert decode_tool_call_id(call_id) == ("fc-1", signature)
    messages = [
        USER,
        {"role": "assistant", "tool_calls": [tool_call(call_id, "f")]},
        {"role": "tool", "tool_call_id": call_id, "content": "ok"},
    ]
    body = to_native_request(req(model="gemini-3-pro-preview", messages=messages)).body
    assert body["contents"][1]["parts"][0] == {
        "functionCall": {"name": "f", "args": {}, "id": "fc-1"},
        "thoughtSignature": signature,
    }
    assert body["contents"][2]["parts"][0]["functionResponse"]["id"] == "fc-1"


@pytest.mark.parametrize(
    ("signature", "native_id"),
    [("not base64 !", None), ("", "x"), ("QUJD", None), ("a" * 3000 + "==", "id-7")],
)
def test_tool_call_id_round_trip(signature: str, native_id: str | None) -> None:
    call_id = encode_tool_call_id("s", native_id, signature or None)
    assert decode_tool_call_id(call_id) == (native_id, signature or None)


def test_extra_content_signature_wins_and_gemini3_gets_skip_value() -> None:
    messages = [
        USER,
        {
            "role": "assistant",
            "tool_calls": [
                {
                    **tool_call("x1", "f"),
                    "extra_content": {"google": {"thought_signature": "U0lH"}},
                },
                tool_call("x2", "g"),
            ],
        },
        {"role": "tool", "tool_call_id": "x1", "content": "1"},
        {"role": "tool", "tool_call_id": "x2", "content": "2"},
        USER,
        {"role": "assistant", "tool_calls": [tool_call("plain", "f")]},
        {"role": "tool", "tool_call_id": "plain", "content": "3"},
    ]
    body = to_native_request(req(model="gemini-3-flash-preview", messages=messages)).body
    first, second = body["contents"][1]["parts"]
    assert first["thoughtSignature"] == "U0lH" and "thoughtSignature" not in second
    assert body["contents"][4]["parts"][0]["thoughtSignature"] == SKIP_SIGNATURE
    # Gemini 2.5 does not validate signatures: nothing is invented for it.
    body25 = to_native_request(req(messages=messages)).body
    assert "thoughtSignature" not in body25["contents"][4]["parts"][0]


# --- pairing results with calls (Q6) ------------------------------------------------------


def test_repeated_call_ids_pair_by_position() -> None:
    fx = regression("tool_results_repeated_ids")
    body = to_native_request(fx["request"]).body
    assert body["contents"][2]["parts"] == fx["expected_responses"]
    assert body["contents"][3] == {"role": "user", "parts": [{"text": "thanks"}]}


def test_missing_ids_pair_by_position() -> None:
    calls = [
        {"type": "function", "function": {"name": "a", "arguments": "{}"}},
        {"type": "function", "function": {"name": "b", "arguments": "{}"}},
    ]
    body = native(
        messages=[
            USER,
            {"role": "assistant", "tool_calls": calls},
            {"role": "tool", "content": "1"},
            {"role": "tool", "content": "2"},
            USER,
        ]
    )
    responses = [p["functionResponse"] for p in body["contents"][2]["parts"]]
    assert [(r["name"], r["response"]) for r in responses] == [
        ("a", {"result": 1}),
        ("b", {"result": 2}),
    ]


def test_repeated_id_answered_once_is_still_unanswered() -> None:
    calls = [tool_call("same", "a"), tool_call("same", "a")]
    with pytest.raises(AdapterError) as caught:
        to_native_request(
            req(
                messages=[
                    USER,
                    {"role": "assistant", "tool_calls": calls},
                    {"role": "tool", "tool_call_id": "same", "content": "1"},
                    USER,
                ]
            )
        )
    assert caught.value.param == "messages[1].tool_calls[1]"


def test_unpaired_tool_message_without_id_is_refused() -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(messages=[USER, {"role": "tool", "content": "x"}]))
    assert caught.value.param == "messages[1].tool_call_id"
