"""Python clients on the Responses API (`POST /v1/responses`) against the running service:
the OpenAI Agents SDK (`OpenAIResponsesModel` on a custom `AsyncOpenAI`, a function tool,
`Runner.run` and `Runner.run_streamed`), LangChain `ChatOpenAI(use_responses_api=True)`
(invoke, stream, a tool round), pydantic-ai's `OpenAIResponsesModel` (a tool round) and
`instructor` in `RESPONSES_TOOLS` mode (on Gemini 3: test_forced_tool_choice_with_json_format.py).

The emulator's replies are deterministic (gemini_emulator/README.md): `Echo: <last user text>`,
a `functionCall` when the last user text names a declared function, and
`Result of NAME: {json}` after the function's response.
"""

from __future__ import annotations

import instructor
import openai
import pytest
from agents import (
    Agent,
    ModelSettings,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from openai.types.responses import ResponseTextDeltaEvent
from openai.types.shared import Reasoning
from pydantic import BaseModel
from pydantic_ai import Agent as PydanticAgent
from pydantic_ai.models.openai import OpenAIResponsesModel as PydanticResponsesModel
from pydantic_ai.providers.openai import OpenAIProvider

from .conftest import API_KEY, MODEL, TOOL_MODELS

# No network here: the Agents SDK would otherwise export traces to OpenAI.
set_tracing_disabled(True)


def _agents_model(base_url: str, model: str = MODEL) -> OpenAIResponsesModel:
    client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    return OpenAIResponsesModel(model=model, openai_client=client)


def _weather_agent(
    base_url: str, seen: list[str], model: str, settings: ModelSettings | None = None
) -> Agent:
    @function_tool
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        seen.append(city)
        return f"sunny in {city}"

    return Agent(
        name="weather",
        instructions="Answer with the tool's result.",
        model=_agents_model(base_url, model),
        model_settings=settings or ModelSettings(max_tokens=256),
        tools=[get_weather],
    )


async def test_agents_runner_run_plain(base_url: str) -> None:
    agent = Agent(name="echo", instructions="Be brief.", model=_agents_model(base_url))
    result = await Runner.run(agent, "Hello from the Agents SDK")
    assert result.final_output == "Echo: Hello from the Agents SDK"
    assert result.raw_responses and result.raw_responses[0].response_id.startswith("resp_")
    assert result.context_wrapper.usage.total_tokens > 0


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agents_runner_run_tool_round(base_url: str, model: str) -> None:
    seen: list[str] = []
    result = await Runner.run(_weather_agent(base_url, seen, model), "Call get_weather for Paris")
    assert seen, "the function tool never ran"
    kinds = [item.type for item in result.new_items]
    assert kinds[:2] == ["tool_call_item", "tool_call_output_item"], kinds
    assert kinds[-1] == "message_output_item"
    assert result.final_output.startswith("Result of get_weather:")
    assert f"sunny in {seen[0]}" in result.final_output
    assert len(result.raw_responses) == 2


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agents_runner_run_streamed_tool_round(base_url: str, model: str) -> None:
    seen: list[str] = []
    result = Runner.run_streamed(_weather_agent(base_url, seen, model), "Call get_weather for Rome")
    deltas: list[str] = []
    items: list[str] = []
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            deltas.append(event.data.delta)
        elif event.type == "run_item_stream_event":
            items.append(event.item.type)
    assert seen, "the function tool never ran"
    assert items[:2] == ["tool_call_item", "tool_call_output_item"], items
    assert items[-1] == "message_output_item"
    assert "".join(deltas) == result.final_output
    assert result.final_output.startswith("Result of get_weather:")


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agents_stateless_reasoning_tool_round(base_url: str, model: str) -> None:
    """As Codex runs it: no store, thought summaries on, the reasoning item (with its
    encrypted content) replayed by the SDK in the next request's input."""
    seen: list[str] = []
    settings = ModelSettings(
        reasoning=Reasoning(effort="low", summary="auto"),
        response_include=["reasoning.encrypted_content"],
        store=False,
    )
    agent = _weather_agent(base_url, seen, model, settings)
    result = Runner.run_streamed(agent, "Call get_weather for Madrid")
    async for _ in result.stream_events():
        pass
    kinds = [item.type for item in result.new_items]
    assert kinds[0] == "reasoning_item", kinds
    assert "tool_call_item" in kinds and "tool_call_output_item" in kinds, kinds
    assert seen and result.final_output.startswith("Result of get_weather:")
    reasoning = result.new_items[0].raw_item
    assert reasoning.summary and reasoning.encrypted_content


class Forecast(BaseModel):
    city: str
    celsius: float
    windy: bool


async def test_agents_structured_output(base_url: str) -> None:
    agent = Agent(name="forecaster", model=_agents_model(base_url), output_type=Forecast)
    result = await Runner.run(agent, "Forecast for Oslo")
    assert isinstance(result.final_output, Forecast)


def _lc(base_url: str, model: str = MODEL, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=API_KEY,
        max_retries=0,
        use_responses_api=True,
        **kwargs,
    )


@tool
def get_time(zone: str) -> str:
    """Current time in a time zone."""
    return f"12:00 in {zone}"


def test_langchain_responses_invoke(base_url: str) -> None:
    reply = _lc(base_url).invoke("Hello from LangChain Responses")
    assert isinstance(reply, AIMessage)
    assert reply.text == "Echo: Hello from LangChain Responses"
    assert reply.response_metadata["id"].startswith("resp_")
    assert reply.usage_metadata and reply.usage_metadata["total_tokens"] > 0


def test_langchain_responses_stream(base_url: str) -> None:
    chunks = list(_lc(base_url).stream("Stream this back in pieces please"))
    texts = [c.text for c in chunks if c.text]
    assert len(texts) > 1
    assert "".join(texts) == "Echo: Stream this back in pieces please"


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_langchain_responses_tool_round(base_url: str, model: str) -> None:
    chat = _lc(base_url, model).bind_tools([get_time])
    history: list = [HumanMessage("Use get_time for Asia/Tokyo")]
    first = chat.invoke(history)
    assert first.tool_calls, first
    call = first.tool_calls[0]
    assert call["name"] == "get_time" and call["id"]
    history += [first, ToolMessage(get_time.invoke(call["args"]), tool_call_id=call["id"])]
    final = chat.invoke(history)
    assert not final.tool_calls
    assert final.text.startswith("Result of get_time:") and "12:00 in" in final.text


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_langchain_responses_stream_tool_round(base_url: str, model: str) -> None:
    chat = _lc(base_url, model).bind_tools([get_time])
    history: list = [HumanMessage("Use get_time for Europe/Oslo")]
    merged = None
    for chunk in chat.stream(history):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None and merged.tool_calls, merged
    call = merged.tool_calls[0]
    assert call["name"] == "get_time" and isinstance(call["args"], dict)
    history += [merged, ToolMessage(get_time.invoke(call["args"]), tool_call_id=call["id"])]
    pieces = [c.text for c in chat.stream(history) if c.text]
    assert "".join(pieces).startswith("Result of get_time:")


def test_langchain_responses_structured_output(base_url: str) -> None:
    forecast = _lc(base_url).with_structured_output(Forecast).invoke("Forecast for Bergen")
    assert isinstance(forecast, Forecast)


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_pydantic_ai_responses_tool_round(base_url: str, model: str) -> None:
    provider = OpenAIProvider(base_url=base_url, api_key=API_KEY)
    agent = PydanticAgent(PydanticResponsesModel(model, provider=provider))
    seen: list[str] = []

    @agent.tool_plain
    def lookup_population(city: str) -> int:
        """Population of a city."""
        seen.append(city)
        return 2_100_000

    result = await agent.run("Call lookup_population for Paris")
    assert seen
    assert result.output.startswith("Result of lookup_population:") and "2100000" in result.output


def test_instructor_responses_tools_mode(base_url: str) -> None:
    """instructor sends `text.format` json_schema and a forced `tool_choice` together; Gemini
    2.x refuses JSON mode next to functions, so JSON mode is dropped and reported."""
    raw = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    client = instructor.from_openai(raw, mode=instructor.Mode.RESPONSES_TOOLS)
    forecast, response = client.responses.create_with_completion(
        model=MODEL,
        response_model=Forecast,
        max_retries=0,
        input=[{"role": "user", "content": "Forecast for Kyiv"}],
    )
    assert isinstance(forecast, Forecast)
    assert [item.type for item in response.output][-1] == "function_call"
