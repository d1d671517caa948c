"""Strict request validation: the semantic rules the real API enforces after parsing.

Each check raises `GoogleError` with the service's own wording (see the recorded
error fixtures), so the adapter's tests catch the requests the real API refuses.
"""

from __future__ import annotations

import re
from typing import Any

from gemini_emulator import models
from gemini_emulator.errors import invalid, request_field
from gemini_emulator.schemas import check_keywords
from gemini_emulator.tool_mix import check_tool_mix
from gemini_emulator.wire import canonical, snake

DATA_FIELDS = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
    "toolCall",
    "toolResponse",
)
FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
JSON_MIME = "application/json"
ALLOWED_MIME = frozenset(
    {"text/plain", JSON_MIME, "application/xml", "application/yaml", "text/x.enum"}
)
MAX_THINKING_BUDGET = 32768
MAX_EMBED_BATCH = 100
SIGNATURE_DOCS = "https://ai.google.dev/gemini-api/docs/thought-signatures"
GENERATE_ROOT = "GenerateContentRequest"
EMBED_ROOT = "BatchEmbedContentsRequest"


def role_of(content: dict[str, Any]) -> str:
    """The service treats a missing role as `user`."""
    role: str = content.get("role") or "user"
    return role


def check_generate(body: dict[str, Any], model: str) -> dict[str, Any]:
    """Validate a GenerateContentRequest; return its canonical (camelCase) form."""
    request = canonical(body, GENERATE_ROOT)
    contents: list[dict[str, Any]] = request.get("contents") or []
    if not contents:
        raise request_field("contents", "contents is not specified")
    for i, content in enumerate(contents):
        _check_content(content, f"contents[{i}]")
        if role_of(content) not in ("user", "model"):
            raise invalid("Please use a valid role: user, model.")
    if "systemInstruction" in request:
        _check_content(request["systemInstruction"], "system_instruction")
    _check_turns(contents)
    if models.is_gemini3(model):
        _check_signatures(contents)
    config: dict[str, Any] = request.get("generationConfig") or {}
    _check_thinking(config.get("thinkingConfig") or {}, model)
    _check_penalties(config, model)
    _check_output(config, request.get("toolConfig") or {})
    _check_tools(request.get("tools") or [])
    check_tool_mix(request, model)
    return request


def _check_content(content: dict[str, Any], path: str, root: str = GENERATE_ROOT) -> None:
    parts: list[dict[str, Any]] = content.get("parts") or []
    if not parts:
        raise request_field(f"{path}.parts", "contents.parts must not be empty.", root)
    for j, part in enumerate(parts):
        present = [name for name in DATA_FIELDS if name in part]
        if not present:
            raise request_field(
                f"{path}.parts[{j}].data",
                "required oneof field 'data' must have one initialized field",
                root,
            )
        if len(present) > 1:
            raise invalid(
                f"Invalid value at '{path}.parts[{j}]' (oneof), oneof field 'data' is already set."
                f" Cannot set '{present[1]}'"
            )


def _has(content: dict[str, Any], field: str) -> int:
    return sum(1 for part in content.get("parts") or [] if field in part)


def _check_turns(contents: list[dict[str, Any]]) -> None:
    for i, content in enumerate(contents):
        previous = contents[i - 1] if i else None
        if role_of(content) == "model" and _has(content, "functionCall"):
            if previous is None or role_of(previous) != "user":
                raise invalid(
                    "Please ensure that function call turn comes immediately after a user turn"
                    " or after a function response turn."
                )
        responses = _has(content, "functionResponse")
        if role_of(content) == "user" and responses:
            if (
                previous is None
                or role_of(previous) != "model"
                or not _has(previous, "functionCall")
            ):
                raise invalid(
                    "Please ensure that function response turn comes immediately after a"
                    " function call turn."
                )
            if responses != _has(previous, "functionCall"):
                raise invalid(
                    "Please ensure that the number of function response parts is equal to the"
                    " number of function call parts of the function call turn."
                )


def _check_signatures(contents: list[dict[str, Any]]) -> None:
    """Gemini 3 needs the first function call of each model turn since the last user
    prompt to carry its thought signature (any value that decodes, including the
    documented bypass values, passes; later parallel calls may omit it)."""
    start = 0
    for i, content in enumerate(contents):
        parts = content.get("parts") or []
        if role_of(content) == "user" and any("functionResponse" not in p for p in parts):
            start = i + 1
    for i in range(start, len(contents)):
        if role_of(contents[i]) != "model":
            continue
        calls = [p for p in contents[i].get("parts") or [] if "functionCall" in p]
        if calls and not calls[0].get("thoughtSignature"):
            name = calls[0]["functionCall"].get("name", "")
            raise invalid(
                "Function call is missing a thought_signature in functionCall parts. This is"
                " required for tools to work correctly, and missing thought_signature may lead"
                " to degraded model performance. Additional data, function call"
                f" `default_api:{name}` , position {i + 1}. Please refer to {SIGNATURE_DOCS}"
                " for more details."
            )


def _check_thinking(thinking: dict[str, Any], model: str) -> None:
    budget = thinking.get("thinkingBudget")
    level = thinking.get("thinkingLevel")
    if level == "THINKING_LEVEL_UNSPECIFIED":
        level = None
    if budget is not None and level is not None:
        raise invalid("You can only set only one of thinking budget and thinking level.")
    if level is not None and models.is_gemini2_or_older(model):
        raise invalid("Thinking level is not supported for this model.")
    if level == "MINIMAL" and models.rejects_minimal_thinking(model):
        raise invalid(
            "Thinking level MINIMAL is not supported for this model."
            " Please retry with other thinking level."
        )
    if budget is None:
        return
    budget = int(budget)
    if budget == 0 and models.is_25_pro(model):
        raise invalid("Budget 0 is invalid. This model only works in thinking mode.")
    if budget != -1 and not 0 <= budget <= MAX_THINKING_BUDGET:
        raise invalid(
            f"The thinking budget {budget} is invalid. Please choose a value between 0 and"
            f" {MAX_THINKING_BUDGET}."
        )


def _check_penalties(config: dict[str, Any], model: str) -> None:
    penalties = (config.get("presencePenalty"), config.get("frequencyPenalty"))
    # A zero penalty is the proto default, i.e. "not set", so the service lets it pass.
    if models.behaviour(model) == "gemini-2.5-flash" and any(float(p or 0) for p in penalties):
        raise invalid(f"Penalty is not enabled for models/{model}")


def _check_output(config: dict[str, Any], tool_config: dict[str, Any]) -> None:
    mime = config.get("responseMimeType") or None
    if mime is not None and mime not in ALLOWED_MIME:
        raise request_field(
            "generation_config.response_mime_type",
            "allowed mimetypes are `text/plain`, `application/json`, `application/xml`,"
            " `application/yaml` and `text/x.enum`.",
        )
    json_schema = config.get("responseJsonSchema", config.get("_responseJsonSchema"))
    if "responseSchema" in config and json_schema is not None:
        raise request_field(
            "generation_config", "only one of response_schema and response_json_schema can be set."
        )
    if json_schema is not None:
        check_keywords(json_schema, "generation_config.response_json_schema")
    calling = tool_config.get("functionCallingConfig") or {}
    if calling.get("mode") == "ANY" and mime == JSON_MIME:
        raise invalid(
            "Forced function calling (ANY mode) with a response mime type: 'application/json'"
            " is unsupported"
        )
    if calling.get("allowedFunctionNames") and calling.get("mode") not in ("ANY", "VALIDATED"):
        raise request_field(
            "tool_config.function_calling_config.allowed_function_names",
            "allowed_function_names can only be set when the function calling mode is ANY"
            " or VALIDATED.",
        )


def _check_tools(tools: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for t, tool in enumerate(tools):
        for d, declaration in enumerate(tool.get("functionDeclarations") or []):
            path = f"tools[{t}].function_declarations[{d}]"
            name = declaration.get("name", "")
            if not FUNCTION_NAME.fullmatch(name):
                raise request_field(
                    f"{path}.name",
                    "Invalid function name. Must start with a letter or an underscore. Must be"
                    " a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a"
                    " maximum length of 64.",
                )
            if name in seen:
                raise invalid(f"Duplicate function declaration found: {name}")
            seen.add(name)
            if "parameters" in declaration and "parametersJsonSchema" in declaration:
                raise request_field(
                    path, "only one of parameters and parameters_json_schema can be set."
                )
            for key in ("parametersJsonSchema", "responseJsonSchema"):
                if key in declaration:
                    check_keywords(declaration[key], f"{path}.{snake(key)}")


def check_embed(body: dict[str, Any], model: str) -> dict[str, Any]:
    """Validate a BatchEmbedContentsRequest; return its canonical form."""
    request = canonical(body, EMBED_ROOT)
    requests: list[dict[str, Any]] = request.get("requests") or []
    if not requests:
        raise request_field("requests", "at least one request is required", EMBED_ROOT)
    if len(requests) > MAX_EMBED_BATCH:
        raise request_field(
            "requests", f"at most {MAX_EMBED_BATCH} requests can be in one batch", EMBED_ROOT
        )
    limit = models.embedding_size(model)
    for i, item in enumerate(requests):
        name = item.get("model", "")
        if not name.startswith("models/"):
            raise request_field(f"requests[{i}].model", "unexpected model name format", EMBED_ROOT)
        if name != f"models/{model}":
            raise request_field(
                f"requests[{i}].model",
                f"model must match the model of the batch request (models/{model})",
                EMBED_ROOT,
            )
        _check_content(item.get("content") or {}, f"requests[{i}].content", EMBED_ROOT)
        size = int(item.get("outputDimensionality") or 0)
        if size < 0 or size > limit:
            raise request_field(
                f"requests[{i}].output_dimensionality",
                f"output_dimensionality must be between 1 and {limit}",
                EMBED_ROOT,
            )
    return request
