"""Bug found by these clients (fixed): on Gemini 3 a forced tool choice together with a JSON
response format reached
Gemini as `functionCallingConfig.mode: ANY` plus `responseMimeType: application/json`, which
Gemini refuses ("Forced function calling (ANY mode) with a response mime type:
'application/json' is unsupported", a recorded message the emulator reproduces for every
model), so the caller gets a native 400. OpenAI accepts the combination and real clients
send it:

- `instructor` in `Mode.RESPONSES_TOOLS` always sends `text.format` json_schema together with
  `tool_choice: {type: function, name}` (POST /v1/responses).
- the Agents SDK sends `response_format` / `text.format` json_schema (its `output_type`)
  together with `tool_choice: "required"` when an agent forces tools and has an output type
  (POST /v1/chat/completions with `OpenAIChatCompletionsModel`; /v1/responses likewise).

On Gemini 2.x it is already adjusted (adapter/translate/request/compat.py drops JSON mode
whenever functions are declared, since 2.x refuses that pair); Gemini 3 accepts functions with
JSON mode, so the pair passes through, but not with mode ANY.

Expected (the project's rule for combinations a model refuses: adjust and report, never a
native 400): while a call is forced (mode ANY), the JSON format is dropped on every model
family (the reply is a function call anyway) and `x-adapter-adjusted` names it
(`response_format=dropped` / `text.format=dropped`).

Fixed in adapter/translate/request/compat.py; these tests keep it fixed.
"""

from __future__ import annotations

import instructor
import openai
from agents import (
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from pydantic import BaseModel

from .conftest import API_KEY, MODEL_3

set_tracing_disabled(True)


class Forecast(BaseModel):
    city: str
    celsius: float


@function_tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


def test_instructor_responses_tools_mode_forced_call_with_json_format(base_url: str) -> None:
    raw = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    client = instructor.from_openai(raw, mode=instructor.Mode.RESPONSES_TOOLS)
    forecast = client.responses.create(
        model=MODEL_3,
        response_model=Forecast,
        max_retries=0,
        input=[{"role": "user", "content": "Forecast for Kyiv"}],
    )
    assert isinstance(forecast, Forecast)


async def test_agents_chat_required_tool_choice_with_output_type(base_url: str) -> None:
    client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    agent = Agent(
        name="forecaster",
        model=OpenAIChatCompletionsModel(model=MODEL_3, openai_client=client),
        tools=[get_weather],
        output_type=Forecast,
        model_settings=ModelSettings(tool_choice="required"),
    )
    result = await Runner.run(agent, "Forecast for Lviv")
    assert isinstance(result.final_output, Forecast)


async def test_agents_responses_required_tool_choice_with_output_type(base_url: str) -> None:
    client = openai.AsyncOpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    agent = Agent(
        name="forecaster",
        model=OpenAIResponsesModel(model=MODEL_3, openai_client=client),
        tools=[get_weather],
        output_type=Forecast,
        model_settings=ModelSettings(tool_choice="required"),
    )
    result = await Runner.run(agent, "Forecast for Odesa")
    assert isinstance(result.final_output, Forecast)
