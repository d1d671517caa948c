"""LangChain's `ChatOpenAI` (langchain-openai) on Chat Completions against the running service:
invoke, stream, a tool round with `bind_tools`, and `with_structured_output` (pydantic).

The emulator's replies are deterministic (gemini_emulator/README.md): `Echo: <last user text>`,
a `functionCall` when the last user text names a declared function, `Result of NAME: {json}`
after the function's response, and JSON generated from the schema for structured output.
"""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from .conftest import API_KEY, MODEL, TOOL_MODELS


def _chat(base_url: str, model: str = MODEL, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=base_url, api_key=API_KEY, max_retries=0, **kwargs)


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


class City(BaseModel):
    name: str
    population: int
    coastal: bool


def test_invoke(base_url: str) -> None:
    reply = _chat(base_url).invoke("Hello from LangChain")
    assert isinstance(reply, AIMessage)
    assert reply.content == "Echo: Hello from LangChain"
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.usage_metadata and reply.usage_metadata["total_tokens"] > 0


def test_stream_matches_invoke(base_url: str) -> None:
    chat = _chat(base_url, stream_usage=True)
    chunks = list(chat.stream("Stream this sentence in several pieces please"))
    texts = [c.content for c in chunks if c.content]
    assert len(texts) > 1, "a stream should arrive in more than one piece"
    assert "".join(texts) == "Echo: Stream this sentence in several pieces please"
    assert any(c.usage_metadata for c in chunks), "stream_usage asks for a usage chunk"


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_bind_tools_round(base_url: str, model: str) -> None:
    chat = _chat(base_url, model).bind_tools([get_weather])
    history: list = [HumanMessage("Use get_weather for Paris")]
    first = chat.invoke(history)
    assert first.tool_calls, first
    call = first.tool_calls[0]
    assert call["name"] == "get_weather" and isinstance(call["args"], dict) and call["id"]
    history += [first, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    final = chat.invoke(history)
    assert not final.tool_calls
    assert isinstance(final.content, str) and final.content.startswith("Result of get_weather:")
    assert "sunny in" in final.content


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_bind_tools_stream_round(base_url: str, model: str) -> None:
    chat = _chat(base_url, model).bind_tools([get_weather])
    history: list = [HumanMessage("Use get_weather for Oslo")]
    merged = None
    for chunk in chat.stream(history):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None and merged.tool_calls, merged
    call = merged.tool_calls[0]
    assert call["name"] == "get_weather" and isinstance(call["args"], dict)
    # The merged stream chunk is what an app keeps in its history.
    history += [merged, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    pieces = [c.content for c in chat.stream(history) if c.content]
    assert "".join(pieces).startswith("Result of get_weather:")


def test_with_structured_output_pydantic(base_url: str) -> None:
    city = _chat(base_url).with_structured_output(City).invoke("Describe a city")
    assert isinstance(city, City)


def test_with_structured_output_function_calling(base_url: str) -> None:
    structured = _chat(base_url).with_structured_output(
        City, method="function_calling", include_raw=True
    )
    result = structured.invoke("Describe a city")
    assert result["parsing_error"] is None
    assert isinstance(result["parsed"], City)
    raw = result["raw"]
    assert raw.tool_calls and raw.tool_calls[0]["name"] == "City"
    assert json.loads(json.dumps(raw.tool_calls[0]["args"])) == result["parsed"].model_dump()
