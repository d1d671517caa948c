"""`instructor` (from_openai) against the running service: a pydantic `response_model`, in its
default tools mode (a forced function call) and in JSON-schema mode (`response_format`), plus
a streamed partial object.

The emulator answers a forced call (mode ANY) or a response schema with JSON generated from the
schema (gemini_emulator/README.md), so the parsed model is whatever that schema allows.
"""

from __future__ import annotations

import instructor
import openai
from pydantic import BaseModel, Field

from .conftest import API_KEY, MODEL


class Person(BaseModel):
    name: str
    age: int = Field(ge=0)
    languages: list[str]


def _client(base_url: str, mode: instructor.Mode) -> instructor.Instructor:
    raw = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    return instructor.from_openai(raw, mode=mode)


def test_response_model_tools_mode(base_url: str) -> None:
    person, completion = _client(
        base_url, instructor.Mode.TOOLS
    ).chat.completions.create_with_completion(
        model=MODEL,
        response_model=Person,
        max_retries=0,
        messages=[{"role": "user", "content": "Extract: Ada, 36, speaks English and French"}],
    )
    assert isinstance(person, Person)
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "Person"
    assert Person.model_validate_json(call.function.arguments).model_dump() == person.model_dump()


def test_response_model_json_schema_mode(base_url: str) -> None:
    person = _client(base_url, instructor.Mode.JSON_SCHEMA).chat.completions.create(
        model=MODEL,
        response_model=Person,
        max_retries=0,
        messages=[{"role": "user", "content": "Extract: Grace, 45, speaks English"}],
    )
    assert isinstance(person, Person)


def test_create_partial_stream(base_url: str) -> None:
    client = _client(base_url, instructor.Mode.TOOLS)
    partials = list(
        client.chat.completions.create_partial(
            model=MODEL,
            response_model=Person,
            max_retries=0,
            messages=[{"role": "user", "content": "Extract: Linus, 30, speaks Finnish"}],
        )
    )
    assert partials
    final = Person.model_validate(partials[-1].model_dump())
    assert isinstance(final, Person)
