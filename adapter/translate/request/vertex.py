"""Native requests reshaped for Vertex AI: pure, dict in -> dict out.

Vertex's GenerateContentRequest is the Gemini API's minus a few Gemini-API-only fields, which
Vertex refuses with a 400 (`Unknown name`). They are dropped and reported in
`x-adapter-adjusted`. The list follows the google-genai SDK, which refuses the same fields
in Vertex mode (`_GenerateContentConfig_to_vertex`, `_Tool_to_vertex`, `_Part_to_vertex` in
google/genai/models.py). Vertex-only fields (`labels`, `modelArmorConfig`) pass unchanged.

Embeddings: Vertex has no `batchEmbedContents` on publisher models; text embedding models
take `:predict` with `{"instances": [{"content": text}], "parameters":
{"outputDimensionality": n}}`, at most 250 texts a call, and gemini-embedding-001 one text a
call (https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings).
Later Gemini embedding models take `:embedContent`, one content a call, as google-genai does
(`t_is_vertex_embed_content_model` in google/genai/_transformers.py).
"""

from __future__ import annotations

from typing import Any, cast

from adapter.wire.gemini import GenerateContentRequest

# Top-level GenerateContentRequest fields of the Gemini API that Vertex does not have.
_REQUEST_ONLY_GEMINI = ("store",)
_GENERATION_ONLY_GEMINI = ("enableEnhancedCivicAnswers",)
_TOOLS_ONLY_GEMINI = ("fileSearch",)
_PARTS_ONLY_GEMINI = ("toolCall", "toolResponse", "partMetadata")
PREDICT_BATCH = 250


def for_vertex(body: GenerateContentRequest) -> tuple[GenerateContentRequest, list[str]]:
    """(the request Vertex accepts, `x-adapter-adjusted` entries); `body` is not changed."""
    adjusted: list[str] = []
    out: dict[str, Any] = dict(body)
    for name in _REQUEST_ONLY_GEMINI:
        if name in out:
            del out[name]
            adjusted.append(f"{name}=dropped")
    generation = out.get("generationConfig")
    if isinstance(generation, dict) and any(n in generation for n in _GENERATION_ONLY_GEMINI):
        out["generationConfig"] = generation = dict(generation)
        for name in _GENERATION_ONLY_GEMINI:
            if generation.pop(name, None) is not None:
                adjusted.append(f"generationConfig.{name}=dropped")
    tools = out.get("tools")
    if isinstance(tools, list) and any(
        isinstance(t, dict) and any(n in t for n in _TOOLS_ONLY_GEMINI) for t in tools
    ):
        kept = []
        for i, tool in enumerate(tools):
            if isinstance(tool, dict):
                for name in _TOOLS_ONLY_GEMINI:
                    if name in tool:
                        tool = {k: v for k, v in tool.items() if k != name}
                        adjusted.append(f"tools[{i}].{name}=dropped")
                if not tool:
                    continue
            kept.append(tool)
        if kept:
            out["tools"] = kept
        else:
            del out["tools"]
    contents = out.get("contents")
    if isinstance(contents, list) and _has_gemini_parts(contents):
        out["contents"] = [_vertex_content(c, i, adjusted) for i, c in enumerate(contents)]
    return cast(GenerateContentRequest, out), adjusted


def _has_gemini_parts(contents: list[Any]) -> bool:
    return any(
        isinstance(part, dict) and any(n in part for n in _PARTS_ONLY_GEMINI)
        for content in contents
        if isinstance(content, dict)
        for part in content.get("parts") or ()
    )


def _vertex_content(content: Any, i: int, adjusted: list[str]) -> Any:
    if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
        return content
    parts = []
    for j, part in enumerate(content["parts"]):
        if isinstance(part, dict) and any(n in part for n in _PARTS_ONLY_GEMINI):
            dropped = [n for n in _PARTS_ONLY_GEMINI if n in part]
            adjusted.extend(f"contents[{i}].parts[{j}].{n}=dropped" for n in dropped)
            part = {k: v for k, v in part.items() if k not in _PARTS_ONLY_GEMINI}
            if not part:
                continue
        parts.append(part)
    return {**content, "parts": parts}


def uses_embed_content(model: str) -> bool:
    """Gemini embedding models after gemini-embedding-001 embed with `:embedContent`."""
    return "gemini" in model and model != "gemini-embedding-001"


def embed_content_bodies(batch: dict[str, Any]) -> list[dict[str, Any]]:
    """A BatchEmbedContentsRequest as Vertex `:embedContent` calls, one per content, in order:
    `{"content": {...}, "embedContentConfig": {"outputDimensionality": n}}`."""
    bodies = []
    for request in batch.get("requests") or []:
        body: dict[str, Any] = {"content": request["content"]}
        if request.get("outputDimensionality") is not None:
            body["embedContentConfig"] = {"outputDimensionality": request["outputDimensionality"]}
        bodies.append(body)
    return bodies


def predict_bodies(batch: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """A BatchEmbedContentsRequest as the `:predict` calls Vertex takes, in order.

    Only text parts are sent (Vertex's text embedding instances hold one string); the output
    size comes from the first request's `outputDimensionality`, as every request carries the
    same one.
    """
    requests = batch.get("requests") or []
    instances = [
        {"content": " ".join(p["text"] for p in r["content"]["parts"] if "text" in p)}
        for r in requests
    ]
    dimensions = requests[0].get("outputDimensionality") if requests else None
    parameters = {"outputDimensionality": dimensions} if dimensions is not None else None
    size = 1 if "gemini" in model else PREDICT_BATCH
    bodies = []
    for start in range(0, len(instances), size):
        body: dict[str, Any] = {"instances": instances[start : start + size]}
        if parameters:
            body["parameters"] = parameters
        bodies.append(body)
    return bodies


# Vertex's CountTokensRequest takes these GenerateContentRequest fields at its top level.
_COUNT_FIELDS = ("contents", "systemInstruction", "tools", "generationConfig")


def count_tokens_body(body: GenerateContentRequest, model: str, vertex: bool) -> dict[str, Any]:
    """The `:countTokens` request for a GenerateContentRequest `body`.

    Gemini API: `{"generateContentRequest": {"model": "models/{model}", ...body}}`
    (https://ai.google.dev/api/tokens). Vertex AI has no such wrapper: `contents`,
    `systemInstruction`, `tools` and `generationConfig` at the top level, as google-genai's
    `_CountTokensParameters_to_vertex` sends them.
    """
    if vertex:
        return {name: value for name, value in body.items() if name in _COUNT_FIELDS}
    return {"generateContentRequest": {"model": f"models/{model}", **body}}
