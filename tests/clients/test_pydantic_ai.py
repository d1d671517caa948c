"""pydantic-ai `Agent`s on an `OpenAIChatModel` whose `OpenAIProvider` points at the running
service: a tool round (the emulator calls a declared function its prompt names, then answers
`Result of NAME: {json}`), a streamed run, and a pydantic `output_type`.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ToolCallPart, ToolReturnPart
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from .conftest import API_KEY, MODEL, TOOL_MODELS


def _model(base_url: str, model: str = MODEL) -> OpenAIChatModel:
    return OpenAIChatModel(model, provider=OpenAIProvider(base_url=base_url, api_key=API_KEY))


class Forecast(BaseModel):
    city: str
    celsius: float


@pytest.mark.parametrize("model", TOOL_MODELS)
async def test_agent_tool_round(base_url: str, model: str) -> None:
    agent = Agent(_model(base_url, model))
    seen: list[str] = []

    @agent.tool_plain
    def lookup_population(city: str) -> int:
        """Population of a city."""
        seen.append(city)
        return 2_100_000

    result = await agent.run("Call lookup_population for Paris")
    assert seen, "the tool never ran"
    assert result.output.startswith("Result of lookup_population:")
    assert "2100000" in result.output
    parts = [p for m in result.all_messages() for p in m.parts]
    assert any(isinstance(p, ToolCallPart) and p.tool_name == "lookup_population" for p in parts)
    assert any(isinstance(p, ToolReturnPart) and p.content == 2_100_000 for p in parts)
    assert result.usage.total_tokens > 0


async def test_agent_run_stream(base_url: str) -> None:
    agent = Agent(_model(base_url))
    async with agent.run_stream("Stream a few words back to me") as run:
        pieces = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert len(pieces) > 1
    assert "".join(pieces) == "Echo: Stream a few words back to me"


async def test_agent_structured_output(base_url: str) -> None:
    agent = Agent(_model(base_url), output_type=Forecast)
    result = await agent.run("Forecast for Rome")
    assert isinstance(result.output, Forecast)
