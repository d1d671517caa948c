"""Unit tests of adapter.translate.request.params: generationConfig."""

from __future__ import annotations

from typing import Any

import pytest
from translate_helpers import native, regression, req

from adapter.errors import AdapterError
from adapter.translate.request import to_native_request

# --- parameters (R5, R6) ------------------------------------------------------------------

PARAM_CASES = [
    ({"temperature": 0.5}, {"temperature": 0.5}),
    ({"top_p": 0.9}, {"topP": 0.9}),
    ({"max_tokens": 100}, {"maxOutputTokens": 100}),
    ({"max_completion_tokens": 50, "max_tokens": 100}, {"maxOutputTokens": 50}),
    ({"stop": "END"}, {"stopSequences": ["END"]}),
    ({"stop": ["a", "b"]}, {"stopSequences": ["a", "b"]}),
    ({"n": 2}, {"candidateCount": 2}),
    ({"seed": 7}, {"seed": 7}),
    ({"logprobs": True, "top_logprobs": 3}, {"responseLogprobs": True, "logprobs": 3}),
    ({"modalities": ["text", "image"]}, {"responseModalities": ["TEXT", "IMAGE"]}),
    ({"response_format": {"type": "json_object"}}, {"responseMimeType": "application/json"}),
    ({"response_format": {"type": "text"}}, None),
]


@pytest.mark.parametrize(("fields", "expected"), PARAM_CASES)
def test_generation_config(fields: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert native(**fields).get("generationConfig") == expected


def test_json_schema_response_format() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    config = native(
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": schema, "strict": True},
        }
    )["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["properties"] == {"a": {"type": "string"}}


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("flex", "flex"), ("priority", "priority"), ("default", "standard"), ("auto", None)],
)
def test_service_tier(tier: str, expected: str | None) -> None:
    assert to_native_request(req(service_tier=tier)).body.get("serviceTier") == expected


def test_penalties_dropped_where_refused_and_reported() -> None:
    result = to_native_request(req(presence_penalty=0.5, frequency_penalty=0.1))
    assert "generationConfig" not in result.body
    assert result.adjusted == ["presence_penalty=dropped", "frequency_penalty=dropped"]
    kept = to_native_request(req(model="gemini-2.0-flash", presence_penalty=0.5))
    assert kept.body["generationConfig"] == {"presencePenalty": 0.5}
    assert kept.adjusted == []


# --- integer ranges (Q3) ------------------------------------------------------------------


def test_seed_and_max_tokens_fit_int32_and_are_reported() -> None:
    fx = regression("seed_out_of_int32")
    result = to_native_request(fx["request"])
    config = result.body["generationConfig"]
    assert config["seed"] == fx["expected_seed"]
    assert config["maxOutputTokens"] == fx["expected_max_output_tokens"]
    assert result.adjusted == fx["expected_adjusted"]


@pytest.mark.parametrize(
    ("seed", "sent"),
    [(0, 0), (2**31 - 1, 2**31 - 1), (-(2**31), -(2**31)), (2**31, -(2**31)), (2**32 + 5, 5)],
)
def test_seed_folding(seed: int, sent: int) -> None:
    assert native(seed=seed)["generationConfig"]["seed"] == sent


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"seed": 2**64}, "seed"),
        ({"n": 2**40}, "n"),
        ({"top_logprobs": 2**40, "logprobs": True}, "top_logprobs"),
        ({"max_completion_tokens": 0}, "max_completion_tokens"),
    ],
)
def test_out_of_range_integers_are_refused(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_native_request(req(**fields))
    assert caught.value.param == param


def test_max_completion_tokens_clamped() -> None:
    result = to_native_request(req(max_completion_tokens=10**12))
    assert result.body["generationConfig"]["maxOutputTokens"] == 2**31 - 1
    assert result.adjusted == [f"max_completion_tokens=clamped:{2**31 - 1}"]
