"""End-to-end over real HTTP: the OpenAI SDK -> adapter -> a recording fake upstream.

Replays recorded Gemini exchanges (tests/fixtures/gemini) and checks what the adapter sent.
"""

from __future__ import annotations

import httpx
import openai
import pytest
from fixtures_lib import load_fixture
from schema_check import assert_valid
from servers import FakeUpstream, Scripted

KEY = "test-key-3f9a1c77"


@pytest.fixture
def client(fake_base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake_base_url, api_key=KEY, max_retries=0)


@pytest.fixture
def aclient(fake_base_url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake_base_url, api_key=KEY, max_retries=0)


def test_recorded_text_reply(client: openai.OpenAI, fake_upstream: FakeUpstream) -> None:
    fixture = load_fixture("gemini-2.5-flash_text_basic")
    fake_upstream.script(Scripted(json=fixture["response"]))
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[
            {"role": "system", "content": "You are a chatbot."},
            {"role": "user", "content": "Hello!"},
        ],
    )
    assert reply.choices[0].message.content == "Hello! How can I help you today?"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.id == "chatcmpl-bzlXaa_EE_aHqtsPi_zw8Ao"
    assert reply.model == "gemini-2.5-flash"
    usage = reply.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (9, 43, 52)
    assert usage.completion_tokens_details.reasoning_tokens == 34
    (sent,) = fake_upstream.requests
    assert sent.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert sent.body["contents"] == fixture["request"]["contents"]
    assert (
        sent.body["systemInstruction"]["parts"] == fixture["request"]["systemInstruction"]["parts"]
    )
    assert_valid("gemini.generate_content_request", sent.body)


def test_callers_key_is_forwarded_and_never_echoed(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(json=load_fixture("gemini-2.5-flash_text_basic")["response"]))
    response = httpx.post(
        f"{fake_base_url}/chat/completions",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    assert fake_upstream.requests[0].headers["x-goog-api-key"] == KEY
    assert "authorization" not in fake_upstream.requests[0].headers
    assert KEY not in response.text
    assert_valid("openai.chat_completion", response.json())


def test_recorded_stream(client: openai.OpenAI, fake_upstream: FakeUpstream) -> None:
    fixture = load_fixture("fb_stream_basic_reply_short")
    fake_upstream.script(Scripted(events=fixture["sse_events"]))
    stream = client.chat.completions.create(
        model="gemini-2.0-flash",
        messages=[{"role": "user", "content": "What is the capital of Wyoming?"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "The capital of Wyoming is **Cheyenne**.\n"
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop" and all(f is None for f in finishes[:-1])
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 17
    assert all(c.usage is None for c in chunks[:-1])
    assert len({c.id for c in chunks}) == 1
    assert fake_upstream.requests[0].query == "alt=sse"
    assert fake_upstream.requests[0].path.endswith(":streamGenerateContent")


async def test_async_client_stream_and_reply(
    aclient: openai.AsyncOpenAI, fake_upstream: FakeUpstream
) -> None:
    fixture = load_fixture("gemini-2.5-pro_stream_thinking_thought_parts")
    fake_upstream.script(Scripted(events=fixture["sse_events"]))
    stream = await aclient.chat.completions.create(
        model="gemini-2.5-pro", messages=[{"role": "user", "content": "think"}], stream=True
    )
    reasoning, content = [], []
    async for chunk in stream:
        for choice in chunk.choices:
            reasoning.append(getattr(choice.delta, "reasoning_content", None) or "")
            content.append(choice.delta.content or "")
    native_parts = [
        p
        for e in fixture["sse_events"]
        for c in e.get("candidates", [])
        for p in c.get("content", {}).get("parts", [])
    ]
    assert "".join(reasoning) == "".join(p["text"] for p in native_parts if p.get("thought"))
    assert "".join(content) == "".join(
        p.get("text", "") for p in native_parts if not p.get("thought")
    )

    fake_upstream.script(Scripted(json=load_fixture("gemini-2.5-flash_text_basic")["response"]))
    reply = await aclient.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
    )
    assert reply.choices[0].message.content == "Hello! How can I help you today?"


@pytest.mark.parametrize(
    ("fixture_name", "status", "error_type", "exception"),
    [
        ("fb_error_400_api_key_invalid", 401, "authentication_error", openai.AuthenticationError),
        ("error_404_model_not_found", 404, "not_found_error", openai.NotFoundError),
        ("error_429_resource_exhausted", 429, "rate_limit_error", openai.RateLimitError),
        ("fb_error_403_api_not_enabled", 403, "permission_error", openai.PermissionDeniedError),
    ],
)
def test_recorded_upstream_errors_keep_their_status(
    client: openai.OpenAI,
    fake_upstream: FakeUpstream,
    fixture_name: str,
    status: int,
    error_type: str,
    exception: type[Exception],
) -> None:
    fixture = load_fixture(fixture_name)
    fake_upstream.script(Scripted(status=fixture["status"], json=fixture["response"]))
    with pytest.raises(exception) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    error = caught.value
    assert error.status_code == status  # type: ignore[attr-defined]
    body = error.response.json()  # type: ignore[attr-defined]
    assert_valid("openai.error", body)
    assert body["error"]["type"] == error_type
    assert body["error"]["message"]
    assert KEY not in error.response.text  # type: ignore[attr-defined]


def test_upstream_500_is_api_error(client: openai.OpenAI, fake_upstream: FakeUpstream) -> None:
    fake_upstream.script(
        Scripted(status=500, json={"error": {"code": 500, "message": "boom", "status": "INTERNAL"}})
    )
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    body = caught.value.response.json()
    assert body["error"]["type"] == "api_error"
    assert body["error"]["code"] == "INTERNAL"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b"{not json", None),
        (
            b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": NaN}',
            None,
        ),
        (b'{"model": "m", "messages": [{"role": "user", "content": "\\ud800"}]}', None),
        (b'{"model": "m", "messages": [{"role": "user", "content": "\xff"}]}', None),
        (b'{"model": "gemini-2.5-flash"}', "messages"),
        (b'{"model": "gemini-2.5-flash", "messages": []}', "messages"),
        (b'{"messages": [{"role": "user", "content": "hi"}]}', "model"),
        (b'{"model": "m", "messages": [{"role": "robot", "content": "hi"}]}', "messages[0].role"),
        (
            b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], '
            b'"temperature": "hot"}',
            "temperature",
        ),
        (b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": true}', "n"),
    ],
)
def test_bad_input_is_400_and_nothing_goes_upstream(
    fake_base_url: str, fake_upstream: FakeUpstream, body: bytes, param: str | None
) -> None:
    fake_upstream.script(Scripted(json=load_fixture("gemini-2.5-flash_text_basic")["response"]))
    response = httpx.post(
        f"{fake_base_url}/chat/completions",
        content=body,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert fake_upstream.requests == []
