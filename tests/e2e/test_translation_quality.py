"""Translation-quality faults end to end: the real OpenAI SDK against the adapter in front
of the built-in emulator (names) or the recording fake upstream (what reaches the wire)."""

from __future__ import annotations

import base64

import openai
import pytest
from servers import FakeUpstream, Scripted
from translate_helpers import regression


@pytest.fixture(scope="module")
def client(emulator_base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator_base_url, api_key="any-key", max_retries=0)


TOOLS = regression("tool_name_leading_digit")["request"]["tools"]


def test_leading_digit_tool_name_round_trip(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "probe please"}],
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "1c_probe"}},
    )
    calls = reply.choices[0].message.tool_calls or []
    assert [call.function.name for call in calls] == ["1c_probe"]
    stream = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "probe please"}],
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "1c_probe"}},
        stream=True,
    )
    names = [
        call.function.name
        for chunk in stream
        for choice in chunk.choices
        for call in choice.delta.tool_calls or ()
        if call.function and call.function.name
    ]
    assert names == ["1c_probe"]


def test_what_reaches_the_wire(fake_base_url: str, fake_upstream: FakeUpstream) -> None:
    ok = {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
    fake_upstream.script(Scripted(json=ok))
    sdk = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(20)).decode()
    raw = sdk.chat.completions.with_raw_response.create(
        model="gemini-2.5-flash",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is it"},
                    {"type": "image_url", "image_url": {"url": f"data:image/jpg;base64,{jpeg}"}},
                ],
            }
        ],
        seed=4294967295,
        functions=[{"name": "get_weather"}],
        function_call={"name": "get_weather"},
        response_format={"type": "json_object"},
    )
    sent = fake_upstream.requests[-1].body
    assert sent["contents"][0]["parts"][1]["inlineData"]["mimeType"] == "image/jpeg"
    assert sent["generationConfig"] == {"seed": -1}
    assert sent["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"] == ["get_weather"]
    assert raw.headers["x-adapter-adjusted"] == "seed=folded:-1, response_format=dropped"


def test_more_embeddings_than_one_native_batch(client: openai.OpenAI) -> None:
    texts = [f"sentence number {i}" for i in range(150)]
    whole = client.embeddings.create(model="gemini-embedding-001", input=texts)
    assert [item.index for item in whole.data] == list(range(150))
    # each vector is the one the text gets on its own: merged in input order
    alone = client.embeddings.create(model="gemini-embedding-001", input=[texts[120]])
    assert whole.data[120].embedding == alone.data[0].embedding


def test_stream_that_breaks_before_its_first_event_is_an_http_error(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    event = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": "STOP"}]}
    fake_upstream.script(Scripted(events=[event], cut_after=0))
    sdk = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        sdk.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    assert caught.value.status_code == 502
    assert caught.value.response.headers["content-type"].startswith("application/json")
    assert caught.value.body["code"] == "upstream_stream_cut"  # type: ignore[index]


def test_reply_whose_parts_are_not_a_list_is_a_502(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(json=regression("reply_parts_not_a_list")["native_reply"]))
    sdk = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        sdk.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.status_code == 502
