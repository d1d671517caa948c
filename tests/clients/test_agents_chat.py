"""The OpenAI Agents SDK on Chat Completions (`OpenAIChatCompletionsModel` on a custom
`AsyncOpenAI`), as it is set up for non-OpenAI providers: `Runner.run` and
`Runner.run_streamed` with a function tool. Tracing is off: there is no network.
"""

from __future__ import annotations

import openai
import pytest
from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
from openai.types.responses import ResponseTextDeltaEvent

from .conftest import API_KEY, TOOL_MODELS

set_tracing_disabled(True)


def _agent(base_url: str, model: str, seen: list[str]) -> Agent:
    @function_tool
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        seen.append(city)
        return f"sunny in {city}"

    client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    return Agent(
        name="weather",
        instructions="Answer with the tool's result.",
        model=OpenAIChatCompletionsModel(model=model, openai_client=client),
        tools=[get_weather],
    )


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agents_chat_run_tool_round(base_url: str, model: str) -> None:
    seen: list[str] = []
    result = await Runner.run(_agent(base_url, model, seen), "Call get_weather for Paris")
    assert seen, "the function tool never ran"
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"], kinds
    assert result.final_output.startswith("Result of get_weather:")
    assert f"sunny in {seen[0]}" in result.final_output


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agents_chat_run_streamed_tool_round(base_url: str, model: str) -> None:
    seen: list[str] = []
    result = Runner.run_streamed(_agent(base_url, model, seen), "Call get_weather for Rome")
    deltas: list[str] = []
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            deltas.append(event.data.delta)
    assert seen, "the function tool never ran"
    assert "".join(deltas) == result.final_output
    assert result.final_output.startswith("Result of get_weather:")
