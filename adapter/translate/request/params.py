"""OpenAI sampling and output parameters -> native `generationConfig` (docs/behaviour.md R5, R6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapter.capabilities import ModelCaps
from adapter.errors import invalid_request
from adapter.translate.request.extensions import camel
from adapter.translate.request.fields import expect, optional
from adapter.translate.request.schema import to_native_json_schema

_SERVICE_TIERS = {"flex": "flex", "priority": "priority", "default": "standard", "auto": None}

# Accepted and ignored: no native counterpart (behaviour R5). Still type-checked (behaviour E2b).
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


def _number(value: Any, name: str, low: float, high: float, integer: bool = False) -> Any:
    expect(value, (int,) if integer else (float,), name)
    if not low <= value <= high:
        raise invalid_request(
            f"Invalid value for '{name}': {value} is outside [{low:g}, {high:g}].",
            param=name,
            code="invalid_value",
        )
    return value


INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def _max_tokens(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    """maxOutputTokens is int32: a larger limit means "no limit" in practice, so it is
    clamped to the int32 maximum and reported."""
    expect(value, (int,), name)
    if value < 1:
        raise invalid_request(f"{name} must be at least 1.", param=name)
    if name == "max_tokens" and body.get("max_completion_tokens") is not None:
        return  # the newer name wins
    if value > INT32_MAX:
        ctx.adjusted.append(f"{name}=clamped:{INT32_MAX}")
        value = INT32_MAX
    ctx.config["maxOutputTokens"] = value


def _seed(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    """The native seed is int32; OpenAI's is int64. A seed outside int32 is folded into it
    (two's complement of the low 32 bits), so different seeds stay different and the same
    seed stays reproducible; the change is reported."""
    expect(value, (int,), name)
    if not INT32_MIN <= value <= INT32_MAX:
        if not -(2**63) <= value < 2**64:
            raise invalid_request(
                f"Invalid value for 'seed': {value} is not a 64-bit integer.",
                param=name,
                code="invalid_value",
            )
        folded = (value & 0xFFFFFFFF) - (1 << 32 if value & 0x80000000 else 0)
        ctx.adjusted.append(f"{name}=folded:{folded}")
        value = folded
    ctx.config["seed"] = value


def _stop(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    expect(value, (str, list), name)
    stops = [value] if isinstance(value, str) else value
    for i, item in enumerate(stops):
        expect(item, (str,), f"stop[{i}]")
    if stops := [s for s in stops if s]:
        ctx.config["stopSequences"] = stops


def _penalty(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    _number(value, name, -2, 2)
    if ctx.caps.penalties:
        ctx.config[camel(name)] = value
    else:
        ctx.adjusted.append(f"{name}=dropped")


def _logprobs(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    if expect(value, (bool,), name):
        ctx.config["responseLogprobs"] = True


def _top_logprobs(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    _number(value, name, 0, 20, integer=True)
    if value and body.get("logprobs") is True:
        ctx.config["logprobs"] = value


def _modalities(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    expect(value, (list,), name)
    if value:
        ctx.config["responseModalities"] = [
            expect(item, (str,), f"{name}[{i}]").upper() for i, item in enumerate(value)
        ]


def _candidates(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    if _number(value, name, 1, 8, integer=True) != 1:
        ctx.config["candidateCount"] = value


def _response_format(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
    ctx.config.update(response_format_config(expect(value, (dict,), name)))


def _copier(
    native: str, low: float | None = None, high: float | None = None, integer: bool = False
) -> Handler:
    def copy(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
        if low is None or high is None:
            expect(value, (int,) if integer else (float,), name)
        else:
            _number(value, name, low, high, integer)
        ctx.config[native] = value

    return copy


def _ignored(types: tuple[type, ...]) -> Handler:
    def check(name: str, value: Any, body: dict[str, Any], ctx: _Ctx) -> None:
        expect(value, types, name)

    return check


@dataclass
class _Ctx:
    caps: ModelCaps
    adjusted: list[str]
    config: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[str, Any, dict[str, Any], _Ctx], None]

# One handler per OpenAI field; only the fields a request has are visited, so the table
# costs nothing for the many fields a typical request leaves out.
_HANDLERS: dict[str, Handler] = {
    "temperature": _copier("temperature", 0, 2),
    "top_p": _copier("topP", 0, 1),
    "seed": _seed,
    "max_tokens": _max_tokens,
    "max_completion_tokens": _max_tokens,
    "stop": _stop,
    "n": _candidates,
    "presence_penalty": _penalty,
    "frequency_penalty": _penalty,
    "logprobs": _logprobs,
    "top_logprobs": _top_logprobs,
    "modalities": _modalities,
    "response_format": _response_format,
    **{name: _ignored(types) for name, types in IGNORED_PARAMS.items()},
}


def to_generation_config(
    body: dict[str, Any], caps: ModelCaps, adjusted: list[str]
) -> dict[str, Any]:
    ctx = _Ctx(caps, adjusted)
    for name, value in body.items():  # in the client's order: adjustments are reported so
        handler = _HANDLERS.get(name)
        if handler is not None and value is not None:  # null means not given (behaviour E2b)
            handler(name, value, body, ctx)
    return ctx.config


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
