"""OpenAI sampling and output parameters -> native `generationConfig` (SPEC R5, R6)."""

from __future__ import annotations

from typing import Any

from adapter.errors import invalid_request
from adapter.models import ModelCaps
from adapter.translate.request.fields import expect, number_in, optional
from adapter.translate.request.schema import to_native_json_schema

_SERVICE_TIERS = {"flex": "flex", "priority": "priority", "default": "standard", "auto": None}

# Accepted and ignored: no native counterpart (SPEC R5). Still type-checked (SPEC E2b).
IGNORED_PARAMS: dict[str, tuple[type, ...]] = {
    "logit_bias": (dict,),
    "user": (str,),
    "store": (bool,),
    "metadata": (dict,),
    "parallel_tool_calls": (bool,),
    "prediction": (dict,),
    "prompt_cache_key": (str,),
    "safety_identifier": (str,),
    "verbosity": (str,),
}


def to_generation_config(
    body: dict[str, Any], caps: ModelCaps, adjusted: list[str]
) -> dict[str, Any]:
    config: dict[str, Any] = {}
    temperature = number_in(body, "temperature", 0, 2)
    if temperature is not None:
        config["temperature"] = temperature
    top_p = number_in(body, "top_p", 0, 1)
    if top_p is not None:
        config["topP"] = top_p
    max_tokens = optional(body, "max_completion_tokens", (int,))
    if max_tokens is None:
        max_tokens = optional(body, "max_tokens", (int,))
    if max_tokens is not None:
        if max_tokens < 1:
            raise invalid_request("max_tokens must be at least 1.", param="max_tokens")
        config["maxOutputTokens"] = max_tokens
    stop = optional(body, "stop", (str, list))
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        for i, item in enumerate(stops):
            expect(item, (str,), f"stop[{i}]")
        if stops := [s for s in stops if s]:
            config["stopSequences"] = stops
    n = number_in(body, "n", 1, 8, integer=True)
    if n is not None and n != 1:
        config["candidateCount"] = n
    seed = optional(body, "seed", (int,))
    if seed is not None:
        config["seed"] = seed
    for name, native in (
        ("presence_penalty", "presencePenalty"),
        ("frequency_penalty", "frequencyPenalty"),
    ):
        value = number_in(body, name, -2, 2)
        if value is None:
            continue
        if caps.penalties:
            config[native] = value
        else:
            adjusted.append(f"{name}=dropped")
    if optional(body, "logprobs", (bool,)):
        config["responseLogprobs"] = True
        top = number_in(body, "top_logprobs", 0, 20, integer=True)
        if top:
            config["logprobs"] = top
    else:
        number_in(body, "top_logprobs", 0, 20, integer=True)
    modalities = optional(body, "modalities", (list,))
    if modalities:
        names = []
        for i, item in enumerate(modalities):
            expect(item, (str,), f"modalities[{i}]")
            names.append(item.upper())
        config["responseModalities"] = names
    response_format = optional(body, "response_format", (dict,))
    if response_format is not None:
        config.update(response_format_config(response_format))
    for name in IGNORED_PARAMS.keys() & body.keys():
        optional(body, name, IGNORED_PARAMS[name])
    return config


def service_tier(body: dict[str, Any]) -> str | None:
    tier = optional(body, "service_tier", (str,))
    if tier is None:
        return None
    if tier not in _SERVICE_TIERS:
        raise invalid_request(
            f"Invalid service_tier {tier!r}; expected auto, default, flex or priority.",
            param="service_tier",
        )
    return _SERVICE_TIERS[tier]


def response_format_config(response_format: dict[str, Any]) -> dict[str, Any]:
    kind = response_format.get("type")
    if kind == "text":
        return {}
    if kind == "json_object":
        return {"responseMimeType": "application/json"}
    if kind == "json_schema":
        spec = expect(response_format.get("json_schema"), (dict,), "response_format.json_schema")
        schema = spec.get("schema")
        config: dict[str, Any] = {"responseMimeType": "application/json"}
        if schema is not None:
            config["responseJsonSchema"] = to_native_json_schema(
                schema, "response_format.json_schema.schema"
            )
        return config
    raise invalid_request(
        f"Invalid response_format type {kind!r}; expected text, json_object or json_schema.",
        param="response_format.type",
    )
