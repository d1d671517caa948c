"""The Vertex AI flavour of the emulator: project-scoped publisher-model paths, OAuth bearer
tokens, `:predict` for embeddings and Imagen, and the Model Garden publisher model list.

Paths (https://cloud.google.com/vertex-ai/docs/reference/rest):
  POST /{v1,v1beta1}/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}
  POST /{v1,v1beta1}/publishers/google/models/{m}:{method}      (express mode: API key)
  GET  /v1beta1/publishers/google/models                         (ListPublisherModels)
  GET  /{v1,v1beta1}/publishers/google/models/{m}                (GetPublisherModel)
Methods: generateContent, streamGenerateContent (alt=sse or a JSON array), countTokens,
predict, embedContent (Gemini embedding models after gemini-embedding-001). Generation
reuses the Gemini emulator's validation and replies; fields only the Gemini API has are
refused with Vertex's `Unknown name` 400.

Auth: project paths need `Authorization: Bearer T` (an API key also passes, as Vertex accepts
keys bound to a service account); express paths need an API key. `token_check`, when given,
decides which bearer tokens are valid (tests pass the token endpoint's issued, unexpired set);
otherwise any token but `invalid` passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gemini_emulator import embed, media, models, validate
from gemini_emulator.errors import GoogleError, field_violations, invalid_key

if TYPE_CHECKING:
    from gemini_emulator.app import _Emulator

JSON_TYPE = "application/json; charset=UTF-8"
PUBLISHER = "publishers/google/models/"
IMAGEN_PREFIX = "imagen-"
IMAGEN_MODELS = ("imagen-4.0-generate-001", "imagen-4.0-fast-generate-001")
MAX_PREDICT_INSTANCES = 250
# Gemini-API-only GenerateContentRequest fields Vertex does not know (see adapter docs/vertex.md).
GEMINI_ONLY_TOP = ("store",)
GEMINI_ONLY_GENERATION = ("enableEnhancedCivicAnswers", "enable_enhanced_civic_answers")
GEMINI_ONLY_TOOL = ("fileSearch", "file_search")
GEMINI_ONLY_PART = ("toolCall", "toolResponse", "partMetadata")

TokenCheck = Callable[[str], bool]


def routes(emulator: _Emulator, token_check: TokenCheck | None = None) -> list[Route]:
    vertex = _Vertex(emulator, token_check)
    out = [Route("/v1beta1/publishers/google/models", vertex.list_models, methods=["GET"])]
    for version in ("v1", "v1beta1"):
        project = f"/{version}/projects/{{project}}/locations/{{location}}/{PUBLISHER}{{name}}"
        express = f"/{version}/{PUBLISHER}{{name}}"
        out += [
            Route(project, vertex.call_project, methods=["POST"]),
            Route(express, vertex.call_express, methods=["POST"]),
            Route(express, vertex.get_model, methods=["GET"]),
        ]
    return out


def unauthenticated(missing: bool) -> GoogleError:
    if missing:
        return GoogleError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access"
            " token, login cookie or other valid authentication credential. See"
            " https://developers.google.com/identity/sign-in/web/devconsole-project.",
            status="UNAUTHENTICATED",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "CREDENTIALS_MISSING",
                    "domain": "googleapis.com",
                    "metadata": {"service": "aiplatform.googleapis.com"},
                }
            ],
        )
    return GoogleError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login"
        " cookie or other valid authentication credential. See"
        " https://developers.google.com/identity/sign-in/web/devconsole-project.",
        status="UNAUTHENTICATED",
    )


def model_not_found(project: str, location: str, model: str) -> GoogleError:
    return GoogleError(
        404,
        f"Publisher Model `projects/{project}/locations/{location}/{PUBLISHER}{model}` was not"
        " found or your project does not have access to it. Please ensure you are using a"
        " valid model version. For more information, see:"
        " https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
    )


def publisher_model(name: str) -> dict[str, Any]:
    return {
        "name": f"{PUBLISHER}{name}",
        "versionId": "default",
        "openSourceCategory": "PROPRIETARY",
        "launchStage": "GA",
        "publisherModelTemplate": (
            f"projects/{{project}}/locations/{{location}}/{PUBLISHER}{name}@default"
        ),
    }


def _known(model: str) -> bool:
    return models.is_known(model) or model.startswith(IMAGEN_PREFIX)


def _response(payload: dict[str, Any]) -> Response:
    return Response(orjson.dumps(payload), media_type=JSON_TYPE)


def _error(error: GoogleError) -> Response:
    return Response(orjson.dumps(error.body()), status_code=error.code, media_type=JSON_TYPE)


class _Vertex:
    def __init__(self, emulator: _Emulator, token_check: TokenCheck | None) -> None:
        self.emulator = emulator
        self.token_check = token_check

    def _check_auth(self, request: Request, express: bool) -> None:
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if key:
            if key == "invalid":
                raise invalid_key()
            return
        if express or not token:
            raise unauthenticated(missing=True)
        valid = self.token_check(token) if self.token_check else token != "invalid"
        if not valid:
            raise unauthenticated(missing=False)

    async def call_project(self, request: Request) -> Response:
        params = request.path_params
        return await self._call(request, params["project"], params["location"], express=False)

    async def call_express(self, request: Request) -> Response:
        return await self._call(request, "express", "global", express=True)

    async def _call(self, request: Request, project: str, location: str, express: bool) -> Response:
        model, _, method = request.path_params["name"].rpartition(":")
        try:
            self._check_auth(request, express)
            if not model or method not in (
                "generateContent",
                "streamGenerateContent",
                "countTokens",
                "predict",
                "embedContent",
            ):
                raise GoogleError(404, "Requested entity was not found.")
            if not _known(model):
                raise model_not_found(project, location, model)
            body = await _body(request)
            if method == "predict":
                return _response(self._predict(body, model))
            if method == "embedContent":
                return _response(_embed_content(body, model))
            if model.startswith(IMAGEN_PREFIX) or models.is_embedding(model):
                raise GoogleError(
                    400, f"{method} is not supported by publisher model {PUBLISHER}{model}."
                )
            _refuse_gemini_only(body)
            if method == "countTokens":
                return _response(_count(validate.check_generate(body, model)))
        except GoogleError as error:
            return _error(error)
        sse = request.query_params.get("alt") == "sse"
        return await self.emulator.generate(body, model, method, sse=sse)

    def _predict(self, body: dict[str, Any], model: str) -> dict[str, Any]:
        instances = body.get("instances")
        if not isinstance(instances, list) or not instances:
            raise field_violations([("instances", "instances must not be empty.")])
        parameters = body.get("parameters") or {}
        if model.startswith(IMAGEN_PREFIX):
            return media.predict(body, model)  # Imagen answers alike on both APIs
        if not models.is_embedding(model):
            raise GoogleError(400, f"predict is not supported by publisher model {model}.")
        limit = 1 if "gemini" in model else MAX_PREDICT_INSTANCES
        if len(instances) > limit:
            raise GoogleError(
                400,
                f"Unable to submit request because the model supports up to {limit} instances"
                f" per request, but {len(instances)} were provided.",
            )
        size = int(parameters.get("outputDimensionality") or 0) or models.embedding_size(model)
        predictions = []
        for i, instance in enumerate(instances):
            text = instance.get("content") if isinstance(instance, dict) else None
            if not isinstance(text, str):
                raise field_violations([(f"instances[{i}].content", "content must be a string.")])
            statistics = {"token_count": max(1, len(text) // 4), "truncated": False}
            values = embed.vector(model, text, size)
            predictions.append({"embeddings": {"values": values, "statistics": statistics}})
        return {"predictions": predictions, "metadata": {"billableCharacterCount": 0}}

    async def list_models(self, request: Request) -> Response:
        try:
            self._check_auth(request, express=False)
        except GoogleError as error:
            return _error(error)
        names = [info.name for info in models.CATALOGUE]
        names += [name for name in IMAGEN_MODELS if name not in names]
        size = int(request.query_params.get("pageSize") or 0) or 100
        offset = int(request.query_params.get("pageToken") or 0)
        page = names[offset : offset + size]
        body: dict[str, Any] = {"publisherModels": [publisher_model(n) for n in page]}
        if offset + size < len(names):
            body["nextPageToken"] = str(offset + size)
        return _response(body)

    async def get_model(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            self._check_auth(request, express=False)
            if ":" in name or not _known(name):
                raise GoogleError(404, f"Publisher Model `{PUBLISHER}{name}` not found.")
        except GoogleError as error:
            return _error(error)
        return _response(publisher_model(name))


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise field_violations([("", "Invalid JSON payload received. Unexpected token.")]) from None
    if not isinstance(body, dict):
        raise field_violations([("", "Invalid JSON payload received. Root must be a message.")])
    return body


def _unknown(name: str, where: str) -> tuple[str, str]:
    return (
        where,
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field.",
    )


def _refuse_gemini_only(body: dict[str, Any]) -> None:
    """Vertex's GenerateContentRequest lacks a few Gemini API fields: 400 `Unknown name`."""
    problems = [_unknown(n, "") for n in GEMINI_ONLY_TOP if n in body]
    generation = body.get("generationConfig") or body.get("generation_config") or {}
    if isinstance(generation, dict):
        problems += [
            _unknown(n, "generation_config") for n in GEMINI_ONLY_GENERATION if n in generation
        ]
    for i, tool in enumerate(body.get("tools") or ()):
        if isinstance(tool, dict):
            problems += [_unknown(n, f"tools[{i}]") for n in GEMINI_ONLY_TOOL if n in tool]
    for i, content in enumerate(body.get("contents") or ()):
        for j, part in enumerate(
            (content or {}).get("parts") or () if isinstance(content, dict) else ()
        ):
            if isinstance(part, dict):
                where = f"contents[{i}].parts[{j}]"
                problems += [_unknown(n, where) for n in GEMINI_ONLY_PART if n in part]
    if problems:
        raise field_violations(problems)


def _embed_content(body: dict[str, Any], model: str) -> dict[str, Any]:
    """EmbedContentResponse for the Gemini embedding models that take one content a call."""
    if not models.is_embedding(model) or "gemini" not in model or model == "gemini-embedding-001":
        raise GoogleError(400, f"embedContent is not supported by publisher model {model}.")
    content = body.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list) or not parts:
        raise field_violations([("content", "content must have parts.")])
    text = " ".join(p["text"] for p in parts if isinstance(p, dict) and "text" in p)
    config = body.get("embedContentConfig") or {}
    size = int(config.get("outputDimensionality") or 0) or models.embedding_size(model)
    return {
        "embedding": {"values": embed.vector(model, text, size)},
        "usageMetadata": {"promptTokenCount": max(1, len(text) // 4)},
        "truncated": False,
    }


def _count(request: dict[str, Any]) -> dict[str, Any]:
    """CountTokensResponse, at a rough four characters a token."""
    chars = 0
    for content in [*request.get("contents", []), request.get("systemInstruction") or {}]:
        for part in content.get("parts") or ():
            chars += len(part.get("text") or "")
    return {"totalTokens": max(1, chars // 4), "totalBillableCharacters": chars}
