"""End-to-end through the OpenAI SDK against the strict emulator, mounted in the adapter
exactly as `gemini-adapter serve --upstream-url emulator` does (docs/behaviour.md R, S, T, M)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Literal

import httpx
import openai
import pytest
from pydantic import BaseModel, Field

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time"}}


@pytest.fixture(scope="module")
def client(emulator_base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator_base_url, api_key="any-key", max_retries=0)


@pytest.fixture(scope="module")
def aclient(emulator_base_url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=emulator_base_url, api_key="any-key", max_retries=0)


def test_chat_usage_and_finish(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hello there"}]
    )
    choice = reply.choices[0]
    assert choice.message.content == "Echo: Hello there"
    assert choice.finish_reason == "stop"
    usage = reply.usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.completion_tokens_details.reasoning_tokens > 0  # 2.5 Flash thinks by default


def test_max_tokens_is_length(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        max_tokens=2,
        messages=[{"role": "user", "content": "one two three four five"}],
        reasoning_effort="none",
    )
    assert reply.choices[0].finish_reason == "length"


async def test_async_stream_equals_reply(aclient: openai.AsyncOpenAI) -> None:
    messages = [{"role": "user", "content": "a somewhat longer sentence to stream in pieces"}]
    reply = await aclient.chat.completions.create(model="gemini-3-flash-preview", messages=messages)
    stream = await aclient.chat.completions.create(
        model="gemini-3-flash-preview",
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, finish, usage, count = "", None, None, 0
    async for chunk in stream:
        count += 1
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert count > 3
    assert text == reply.choices[0].message.content
    assert finish == reply.choices[0].finish_reason == "stop"
    assert usage is not None and reply.usage is not None
    assert usage.total_tokens == reply.usage.total_tokens


def test_thought_summaries(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "think"}],
        extra_body={"google": {"thinking_config": {"include_thoughts": True}}},
    )
    message = reply.choices[0].message.model_dump()
    assert message["reasoning_content"]
    assert message["content"] == "Echo: think"


@pytest.mark.parametrize(
    ("model", "effort", "header"),
    [
        ("gemini-2.5-pro", "none", "budget=128"),
        ("gemini-3.1-pro-preview", "minimal", "level=low"),
        ("gemini-3-flash-preview", "minimal", "level=minimal"),
        ("gemini-3-pro-preview", "medium", "level=high"),
    ],
)
def test_reasoning_effort_never_refused(
    client: openai.OpenAI, model: str, effort: str, header: str
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=model,
        reasoning_effort=effort,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "hi"}],
    )
    assert raw.headers["x-gemini-thinking"] == header
    assert raw.parse().choices[0].message.content == "Echo: hi"


def test_penalties_adjusted_not_refused(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gemini-2.5-flash",
        presence_penalty=0.5,
        frequency_penalty=0.5,
        messages=[{"role": "user", "content": "hi"}],
    )
    # Listed in the order the client sent the fields (the SDK's order, not ours).
    assert sorted(raw.headers["x-adapter-adjusted"].split(", ")) == [
        "frequency_penalty=dropped",
        "presence_penalty=dropped",
    ]


def test_gemini3_tool_conversation_with_a_client_that_drops_unknown_fields(
    client: openai.OpenAI,
) -> None:
    """The SDK's typed objects are rebuilt by hand, keeping only id/type/function: the
    signature must still come back from the id alone (docs/behaviour.md R10)."""
    messages: list[dict] = [{"role": "user", "content": "Use get_weather and get_time please"}]
    for turn in range(2):
        reply = client.chat.completions.create(
            model="gemini-3-pro-preview", messages=messages, tools=[WEATHER_TOOL, TIME_TOOL]
        )
        choice = reply.choices[0]
        assert choice.finish_reason == "tool_calls", turn
        calls = choice.message.tool_calls or []
        assert [c.function.name for c in calls] == ["get_weather", "get_time"]
        assert json.loads(calls[0].function.arguments)["city"]
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.function.name, "arguments": c.function.arguments},
                    }
                    for c in calls
                ],
            }
        )
        for call in calls:
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": json.dumps({"ok": call.function.name}),
                }
            )
        final = client.chat.completions.create(
            model="gemini-3-pro-preview", messages=messages, tools=[WEATHER_TOOL, TIME_TOOL]
        )
        assert final.choices[0].finish_reason == "stop"
        assert "Result of get_weather" in (final.choices[0].message.content or "")
        messages.append({"role": "assistant", "content": final.choices[0].message.content})
        messages.append({"role": "user", "content": "Again: get_weather and get_time"})


def test_history_from_another_model_gets_the_skip_signature(client: openai.OpenAI) -> None:
    messages = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_from_openai",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_from_openai", "content": "cold"},
    ]
    reply = client.chat.completions.create(
        model="gemini-3-flash-preview", messages=messages, tools=[WEATHER_TOOL]
    )
    assert reply.choices[0].message.content == 'Result of get_weather: {"result": "cold"}'


def test_tool_choice_required_and_stream_helper(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "anything"}],
        tools=[WEATHER_TOOL],
        tool_choice="required",
    ) as stream:
        final = stream.get_final_completion()
    calls = final.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_weather"]
    assert calls[0].id.startswith("call_")
    assert json.loads(calls[0].function.arguments) == {"city": "example"}
    assert final.choices[0].finish_reason == "tool_calls"


def test_parallel_tool_calls_stream_keep_distinct_indices(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gemini-3-flash-preview",
        stream=True,
        tools=[WEATHER_TOOL, TIME_TOOL],
        messages=[{"role": "user", "content": "get_weather and get_time"}],
    )
    deltas = [
        tc for chunk in stream for choice in chunk.choices for tc in choice.delta.tool_calls or []
    ]
    assert [d.index for d in deltas] == [0, 1]
    assert len({d.id for d in deltas}) == 2


class Address(BaseModel):
    street: str = Field(min_length=1, description="Street")
    city: str


class Person(BaseModel):
    name: str
    age: int = Field(ge=0)
    role: Literal["admin", "user"]
    nickname: str | None = None
    addresses: list[Address]


def test_pydantic_structured_output_through_sdk_parse(client: openai.OpenAI) -> None:
    """The SDK sends a strict schema with $defs and additionalProperties: false; the strict
    emulator refuses unknown schema keywords, and the SDK parses the reply back."""
    completion = client.chat.completions.parse(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "make a person"}],
        response_format=Person,
    )
    person = completion.choices[0].message.parsed
    assert isinstance(person, Person)
    assert person.role in ("admin", "user")
    assert person.addresses and isinstance(person.addresses[0], Address)


def test_json_object(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        response_format={"type": "json_object"},
        messages=[{"role": "user", "content": "json please"}],
    )
    assert json.loads(reply.choices[0].message.content or "") == {"echo": "json please"}


def test_n_candidates_and_logprobs(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        n=2,
        logprobs=True,
        top_logprobs=2,
        messages=[{"role": "user", "content": "two please"}],
    )
    assert [c.index for c in reply.choices] == [0, 1]
    assert reply.choices[0].message.content != reply.choices[1].message.content
    logprobs = reply.choices[0].logprobs
    assert logprobs is not None and logprobs.content
    assert len(logprobs.content[0].top_logprobs) == 2
    stream = client.chat.completions.create(
        model="gemini-2.5-flash",
        n=2,
        stream=True,
        messages=[{"role": "user", "content": "two please"}],
    )
    texts = {0: "", 1: ""}
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts == {c.index: c.message.content for c in reply.choices}


def test_google_search_grounding_annotations(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "news about cafés"}],
        web_search_options={},
    )
    message = reply.choices[0].message
    content = message.content or ""
    annotations = message.annotations or []
    assert annotations
    for annotation in annotations:
        citation = annotation.url_citation
        assert citation.url.startswith("http")
        assert 0 <= citation.start_index < citation.end_index <= len(content)
    extras = message.model_dump()["extra_content"]["google"]
    supports = extras["grounding_metadata"]["grounding_supports"]
    first = annotations[0].url_citation
    assert content[first.start_index : first.end_index] == supports[0]["segment"]["text"]


def test_image_output(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash-image",
        modalities=["text", "image"],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "draw a cat"}],
    )
    images = reply.choices[0].message.model_dump()["images"]
    url = images[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).startswith(b"\x89PNG")


def test_code_execution(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "compute"}],
        extra_body={"google": {"tools": [{"code_execution": {}}]}},
    )
    message = reply.choices[0].message
    assert "```python" in (message.content or "") and "```output" in (message.content or "")
    assert message.model_dump()["extra_content"]["google"]["code_execution"]


def test_blocked_prompt_and_reply(client: openai.OpenAI) -> None:
    blocked = client.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "BLOCK_PROMPT"}]
    )
    assert blocked.choices[0].finish_reason == "content_filter"
    assert "SAFETY" in (blocked.choices[0].message.refusal or "")
    stream = client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "BLOCK_REPLY"}],
        stream=True,
    )
    finishes = [c.finish_reason for chunk in stream for c in chunk.choices if c.finish_reason]
    assert finishes == ["content_filter"]


@pytest.fixture(scope="module")
def no_retry_base_url(adapter_factory: Callable[..., str]) -> str:
    return adapter_factory(upstream_url="emulator", upstream_retries=0)


@pytest.mark.parametrize(
    ("model", "status", "error_type"),
    [
        ("fault-429", 429, "rate_limit_error"),
        ("fault-500", 500, "api_error"),
        ("fault-503", 503, "api_error"),
        ("fault-badjson", 502, "api_error"),
    ],
)
def test_faults(no_retry_base_url: str, model: str, status: int, error_type: str) -> None:
    response = httpx.post(
        f"{no_retry_base_url}/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "x"}]},
    )
    assert response.status_code == status
    assert response.json()["error"]["type"] == error_type
    if status == 429:
        assert response.headers["retry-after"] == "1"


def test_fault_429_is_retried_then_reported(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(
            model="fault-429", messages=[{"role": "user", "content": "x"}]
        )


def test_cut_stream_ends_with_error_event(no_retry_base_url: str) -> None:
    with httpx.stream(
        "POST",
        f"{no_retry_base_url}/chat/completions",
        json={
            "model": "fault-cut",
            "stream": True,
            "messages": [
                {"role": "user", "content": "one two three four five six seven eight nine"}
            ],
        },
    ) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1].startswith('data: {"error"')
    assert "data: [DONE]" not in lines
    assert len(lines) >= 2


def test_emulator_strictness_reaches_the_client_as_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"google": {"generation_config": {"no_such_field": 1}}},
        )
    assert "noSuchField" in caught.value.message  # field names go upstream in camelCase


ZOD_STYLE_PARAMETERS = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "order": {"$ref": "#/definitions/Order"},
        "priority": {"const": "high"},
        "note": {"type": ["string", "null"], "minLength": 1, "pattern": "^[a-z]"},
    },
    "required": ["order", "priority"],
    "additionalProperties": False,
    "definitions": {
        "Order": {
            "allOf": [
                {"$ref": "#/definitions/Base"},
                {
                    "type": "object",
                    "properties": {"qty": {"type": "integer", "exclusiveMinimum": 0}},
                    "required": ["qty"],
                },
            ],
            "description": "An order",
        },
        "Base": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
    },
}


def test_zod_and_instructor_style_tool_schema_accepted_by_strict_emulator(
    client: openai.OpenAI, emulator_base_url: str
) -> None:
    """$schema, definitions, allOf, const, pattern, type arrays: refused by the strict
    emulator as sent, accepted once the adapter has cleaned them (docs/behaviour.md R7)."""
    tool = {
        "type": "function",
        "function": {"name": "place_order", "parameters": ZOD_STYLE_PARAMETERS},
    }
    reply = client.chat.completions.create(
        model="gemini-2.5-flash",
        tools=[tool],
        tool_choice="required",  # type: ignore[list-item]
        messages=[{"role": "user", "content": "order one"}],
    )
    (call,) = reply.choices[0].message.tool_calls or []
    args = json.loads(call.function.arguments)
    assert args["priority"] == "high"
    assert isinstance(args["order"]["sku"], str) and isinstance(args["order"]["qty"], int)
    # The same schema sent natively, uncleaned (through the /v1beta passthrough): refused.
    raw = httpx.post(
        f"{emulator_base_url.removesuffix('/v1')}/v1beta/models/gemini-2.5-flash:generateContent",
        headers={"x-goog-api-key": "k"},
        json={
            "contents": [{"role": "user", "parts": [{"text": "order one"}]}],
            "tools": [
                {
                    "functionDeclarations": [
                        {"name": "place_order", "parametersJsonSchema": ZOD_STYLE_PARAMETERS}
                    ]
                }
            ],
        },
    )
    assert raw.status_code == 400
