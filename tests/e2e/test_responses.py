"""The Responses API end to end: the real `openai` SDK against the service in front of the
strict emulator (docs/responses.md). Every reply and stream event is validated against the
SDK's own pydantic types."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter
from responses_contract import check_stream
from schema_check import assert_valid

EVENTS = TypeAdapter(ResponseStreamEvent)
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
APPLY_PATCH = {
    "type": "custom",
    "name": "apply_patch",
    "description": "Use the `apply_patch` tool to edit files.",
    "format": {"type": "grammar", "syntax": "lark", "definition": 'start: "*** Begin Patch"'},
}


@pytest.fixture(scope="module")
def client(emulator_base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator_base_url, api_key="any-key", max_retries=0)


def raw_events(base_url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The stream as sent: `event:` and `data:` lines, checked frame by frame."""
    events = []
    with httpx.stream("POST", f"{base_url}/responses", json=body, timeout=30) as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        text = "".join(reply.iter_text())
    for frame in text.split("\n\n"):
        if not frame.strip():
            continue
        lines = frame.split("\n")
        assert lines[0].startswith("event: ") and lines[1].startswith("data: ")
        event = json.loads(lines[1][len("data: ") :])
        assert event["type"] == lines[0][len("event: ") :]
        EVENTS.validate_python(event)
        events.append(event)
    assert "[DONE]" not in text
    return events


def test_create_text(client: openai.OpenAI) -> None:
    response = client.responses.create(model="gemini-2.5-flash", input="Hello there")
    assert response.status == "completed"
    assert response.output_text == "Echo: Hello there"
    assert response.id.startswith("resp_")
    assert response.usage is not None and response.usage.input_tokens > 0
    assert response.usage.output_tokens_details.reasoning_tokens > 0
    Response.model_validate(response.model_dump())
    assert_valid("openai.response", response.model_dump(mode="json", exclude_unset=True))


def test_instructions_and_message_items(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gemini-2.5-flash",
        instructions="Be brief.",
        input=[
            {"role": "developer", "content": "Answer in English."},
            {"role": "user", "content": [{"type": "input_text", "text": "first"}]},
            {"role": "assistant", "content": [{"type": "output_text", "text": "Echo: first"}]},
            {"type": "message", "role": "user", "content": "second"},
        ],
    )
    assert response.output_text == "Echo: second"
    assert response.instructions == "Be brief."


def test_stream_contract(emulator_base_url: str) -> None:
    body = {
        "model": "gemini-2.5-flash",
        "input": "Tell me a few words please now",
        "reasoning": {"effort": "low", "summary": "auto"},
        "stream": True,
    }
    events = raw_events(emulator_base_url, body)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[0]["type"] == "response.created"
    assert events[1]["type"] == "response.in_progress"
    assert events[-1]["type"] == "response.completed"
    final = events[-1]["response"]
    kinds = [item["type"] for item in final["output"]]
    assert kinds == ["reasoning", "message"]
    check_stream(events)
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert final["output"][1]["content"][0]["text"] == text
    assert text == "Echo: Tell me a few words please now"
    # equals the non-stream reply for the same upstream content (ids aside)
    reply = httpx.post(
        f"{emulator_base_url}/responses", json={**body, "stream": False}, timeout=30
    ).json()
    assert _without_ids(reply) == _without_ids(final)


def _without_ids(response: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(response))
    out.pop("id")
    out.pop("created_at")
    for item in out["output"]:
        item.pop("id", None)
        item.pop("call_id", None)
    return out


def test_function_tool_loop_gemini3_keeping_only_call_id(client: openai.OpenAI) -> None:
    model = "gemini-3-flash-preview"
    first = client.responses.create(
        model=model, input="What is the weather? use get_weather", tools=[WEATHER]
    )
    calls = [item for item in first.output if item.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "get_weather"
    call = calls[0]
    assert json.loads(call.arguments)["city"]
    # A client that keeps only call_id, name and arguments (no reasoning items).
    second = client.responses.create(
        model=model,
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "What is the weather? use get_weather"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": '{"temp": 21}'},
        ],
    )
    assert second.output_text == 'Result of get_weather: {"temp": 21}'


def test_encrypted_reasoning_round_trip(client: openai.OpenAI) -> None:
    model = "gemini-3-flash-preview"
    first = client.responses.create(
        model=model,
        input="weather please get_weather",
        tools=[WEATHER],
        include=["reasoning.encrypted_content"],
        store=False,
    )
    kinds = [item.type for item in first.output]
    assert kinds == ["reasoning", "function_call"]
    assert first.output[0].encrypted_content
    call = first.output[1]
    history = [item.model_dump(exclude_none=True) for item in first.output]
    # the reasoning item carries the signature: a call_id without one still works
    history[1]["call_id"] = "call_plain"
    second = client.responses.create(
        model=model,
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "weather please get_weather"},
            *history,
            {"type": "function_call_output", "call_id": "call_plain", "output": "sunny"},
        ],
    )
    assert second.output_text == 'Result of get_weather: {"result": "sunny"}'
    assert call.name == "get_weather"


def test_foreign_encrypted_content_is_ignored(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gemini-2.5-flash",
        input=[
            {"role": "user", "content": "hi"},
            {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAAAB..."},
            {"role": "assistant", "content": "hello"},
            {"role": "user", "content": "again"},
        ],
    )
    assert response.output_text == "Echo: again"


def test_custom_tool_apply_patch_stream(emulator_base_url: str) -> None:
    body = {
        "model": "gemini-3-flash-preview",
        "input": "edit the file with apply_patch",
        "tools": [APPLY_PATCH, WEATHER, {"type": "web_search"}],
        "stream": True,
    }
    events = raw_events(emulator_base_url, body)
    check_stream(events)
    final = events[-1]["response"]
    item = next(i for i in final["output"] if i["type"] == "custom_tool_call")
    assert item["name"] == "apply_patch" and isinstance(item["input"], str)
    deltas = [e for e in events if e["type"] == "response.custom_tool_call_input.delta"]
    done = [e for e in events if e["type"] == "response.custom_tool_call_input.done"]
    assert "".join(d["delta"] for d in deltas) == done[0]["input"] == item["input"]
    item_done = [e for e in events if e["type"] == "response.output_item.done"]
    assert item_done[-1]["item"]["call_id"] == item["call_id"]


def test_web_search_dropped_next_to_functions_on_gemini_2(emulator_base_url: str) -> None:
    reply = httpx.post(
        f"{emulator_base_url}/responses",
        json={
            "model": "gemini-2.5-flash",
            "input": "hi",
            "tools": [WEATHER, {"type": "web_search"}],
        },
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert "web_search=dropped" in reply.headers["x-adapter-adjusted"]


def test_web_search_grounding(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gemini-2.5-flash", input="weather in Paris", tools=[{"type": "web_search"}]
    )
    kinds = [item.type for item in response.output]
    assert kinds == ["message", "web_search_call"]
    annotation = response.output[0].content[0].annotations[0]
    text = response.output_text
    assert annotation.type == "url_citation"
    assert text[annotation.start_index : annotation.end_index] == "Echo: weather in Paris"


def test_code_interpreter(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gemini-3-flash-preview",
        input="compute",
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
    )
    kinds = [item.type for item in response.output]
    assert kinds[0] == "code_interpreter_call"
    assert response.output[0].outputs[0].logs == "Echo: compute\n"


def test_unknown_built_in_tool_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model="gemini-2.5-flash",
            input="hi",
            tools=[
                {
                    "type": "computer_use_preview",
                    "display_width": 1,
                    "display_height": 1,
                    "environment": "linux",
                }
            ],
        )
    assert caught.value.body["param"] == "tools[0].type"


def test_output_without_call_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model="gemini-2.5-flash",
            input=[
                {"role": "user", "content": "hi"},
                {"type": "function_call_output", "call_id": "call_x", "output": "1"},
            ],
        )
    assert caught.value.body["param"] == "input[1].call_id"


def test_store_fields_are_400_for_now(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gemini-2.5-flash", input="hi", previous_response_id="r")
    assert caught.value.body["param"] == "previous_response_id"


class Weather(BaseModel):
    city: str
    temperature: float


def test_parse_pydantic(client: openai.OpenAI) -> None:
    parsed = client.responses.parse(
        model="gemini-2.5-flash", input="Weather in Paris as JSON", text_format=Weather
    )
    assert isinstance(parsed.output_parsed, Weather)


def test_sdk_stream_helper(client: openai.OpenAI) -> None:
    with client.responses.stream(model="gemini-2.5-flash", input="stream me please") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == "Echo: stream me please"


def test_input_tokens_equal_reply_usage(emulator_base_url: str, client: openai.OpenAI) -> None:
    body = {"model": "gemini-2.5-flash", "input": "count these five words", "instructions": "x y"}
    counted = client.responses.input_tokens.count(**body)
    assert counted.object == "response.input_tokens"
    usage = client.responses.create(**body).usage
    assert usage is not None
    assert counted.input_tokens == usage.input_tokens > 0
    # also without the /v1 prefix
    root = emulator_base_url.removesuffix("/v1")
    raw = httpx.post(f"{root}/responses/input_tokens", json=body, timeout=30)
    assert raw.json()["input_tokens"] == counted.input_tokens


def test_error_before_the_first_event_is_an_http_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        client.responses.create(model="fault-429", input="hi", stream=True)


def test_failure_mid_stream_is_response_failed(emulator_base_url: str) -> None:
    body = {"model": "fault-cut", "input": "cut me " * 20, "stream": True}
    with httpx.stream("POST", f"{emulator_base_url}/responses", json=body, timeout=30) as reply:
        text = "".join(reply.iter_text())
    frames = [f for f in text.split("\n\n") if f.strip()]
    last = json.loads(frames[-1].split("\ndata: ", 1)[1])
    assert last["type"] == "response.failed"
    assert last["response"]["status"] == "failed"
    assert last["response"]["error"]["code"] == "server_error"
    EVENTS.validate_python(last)


def test_namespace_tool_call_round_trip(client: openai.OpenAI) -> None:
    namespace = {
        "type": "namespace",
        "name": "docs",
        "description": "Docs tools",
        "tools": [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}],
    }
    first = client.responses.create(
        model="gemini-2.5-flash", input="please docs.lookup now", tools=[namespace]
    )
    call = first.output[-1]
    assert call.type == "function_call" and call.name == "lookup" and call.namespace == "docs"
    second = client.responses.create(
        model="gemini-2.5-flash",
        tools=[namespace],
        input=[
            {"role": "user", "content": "please docs.lookup now"},
            call.model_dump(exclude_none=True),
            {"type": "function_call_output", "call_id": call.call_id, "output": "found"},
        ],
    )
    assert second.output_text == 'Result of docs.lookup: {"result": "found"}'


CODEX_TOOLS = [
    {
        "type": "function",
        "name": "shell",
        "description": "Runs a shell command and returns its output.",
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}},
                "workdir": {"type": "string"},
                "timeout_ms": {"type": "number"},
            },
            "required": ["command"],
            "additionalProperties": False,
        },
    },
    APPLY_PATCH,
    {"type": "web_search", "external_web_access": False},
    {"type": "tool_search", "execution": "client"},
    {
        "type": "namespace",
        "name": "mcp__docs",
        "description": "Docs MCP server",
        "tools": [
            {
                "type": "function",
                "name": "search",
                "defer_loading": True,
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
            }
        ],
    },
]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_codex_turn_with_apply_patch(emulator_base_url: str, model: str) -> None:
    """A Codex-shaped exchange: stream, encrypted reasoning, the freeform apply_patch tool,
    then the next turn with the call's output and the items Codex echoes back."""
    prompt = "Please edit README.md with apply_patch"
    body: dict[str, Any] = {
        "model": model,
        "instructions": "You are Codex.",
        "input": [
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "sandbox: workspace-write"}],
            },
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": prompt}],
            },
        ],
        "tools": CODEX_TOOLS,
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "store": False,
        "stream": True,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "thread-1",
        "text": {"verbosity": "low"},
    }
    events = raw_events(emulator_base_url, body)
    final = check_stream(events)
    assert final["status"] == "completed"
    calls = [item for item in final["output"] if item["type"] == "custom_tool_call"]
    assert len(calls) == 1 and calls[0]["name"] == "apply_patch"
    # Codex keeps the output items (reasoning with encrypted_content included) and answers.
    history = [item for item in final["output"]]
    follow_up = {
        **body,
        "input": [
            *body["input"],
            *history,
            {
                "type": "custom_tool_call_output",
                "call_id": calls[0]["call_id"],
                "output": "Success. Updated the following files:\nM README.md",
            },
        ],
    }
    events = raw_events(emulator_base_url, follow_up)
    final = check_stream(events)
    message = [item for item in final["output"] if item["type"] == "message"][-1]
    assert "Result of apply_patch:" in message["content"][0]["text"]


def test_shutdown_past_the_grace_ends_a_stream_with_response_failed() -> None:
    """SIGTERM with a 1 s grace while a long stream runs: the stream's last event is a
    `response.failed` carrying the next sequence number, and the process exits 0."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    from pathlib import Path

    from servers import free_port, wait_until

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gemini-adapter")),
            "serve",
            "--upstream-url",
            "emulator",
            "--port",
            str(port),
            "--shutdown-grace",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(healthy, timeout=20)
        frames: list[str] = []

        def run() -> None:
            body = {
                "model": "gemini-2.5-flash",
                "stream": True,
                "input": " ".join(f"w{i}" for i in range(3000)),
            }
            with httpx.stream("POST", f"{url}/v1/responses", json=body, timeout=30) as reply:
                buffer = ""
                for text in reply.iter_text():
                    buffer += text
                    *done, buffer = buffer.split("\n\n")
                    frames.extend(done)

        thread = threading.Thread(target=run)
        thread.start()
        assert wait_until(lambda: len(frames) > 5, timeout=10)
        process.send_signal(signal.SIGTERM)
        thread.join(30)
        output = process.communicate(timeout=30)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    events = [json.loads(frame.split("\ndata: ", 1)[1]) for frame in frames if frame.strip()]
    assert events[-1]["type"] == "response.failed"
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert "Traceback" not in output


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_sdk_stream_helper_with_tools(client: openai.OpenAI, model: str) -> None:
    """The SDK's own stream accumulator (which rebuilds the response from the events)
    agrees with the adapter's response.completed."""
    with client.responses.stream(
        model=model,
        input="use get_weather and apply_patch",
        tools=[WEATHER, APPLY_PATCH],
        reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"],
    ) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    kinds = [item.type for item in final.output]
    assert "function_call" in kinds and "custom_tool_call" in kinds
    call = next(item for item in final.output if item.type == "function_call")
    assert call.name == "get_weather" and json.loads(call.arguments)["city"]
    custom = next(item for item in final.output if item.type == "custom_tool_call")
    assert custom.name == "apply_patch" and custom.input


def test_image_generation_tool_on_an_image_model(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gemini-2.5-flash-image", input="draw a cat", tools=[{"type": "image_generation"}]
    )
    images = [item for item in response.output if item.type == "image_generation_call"]
    assert images and images[0].result
    assert response.output_text.startswith("Echo: draw a cat")


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_call_output_with_an_image(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input="look get_weather", tools=[WEATHER])
    call = next(item for item in first.output if item.type == "function_call")
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
        "RU5ErkJggg=="
    )
    output = [
        {"type": "input_text", "text": "chart attached"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{png}"},
    ]
    second = client.responses.create(
        model=model,
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "look get_weather"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": output},
        ],
    )
    assert second.output_text == 'Result of get_weather: {"result": "chart attached"}'
