"""Deterministic reply content: what the emulated model "says" for a validated request.

The result is a `Reply` plan; `render` turns it into a GenerateContentResponse or a
sequence of stream events, so both paths always carry the same content.
Magic words in the last user text: BLOCK_PROMPT, BLOCK_REPLY, RECITATION.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from gemini_emulator import faults, models
from gemini_emulator.schemas import sample
from gemini_emulator.validate import JSON_MIME, role_of

TOKEN = re.compile(r"^\s+|\S+\s*")
URL = re.compile(r"https?://[^\s\"'<>)\]]+")
PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5Erk"
    "Jggg=="
)
IMAGE_TOKENS = 1290
CACHED_TOKENS = 100  # Pretend size of any referenced cachedContent.
# Non-ASCII before the cited segment, so UTF-8 byte offsets differ from code points.
GROUNDED_PREFIX = "Voilà, café-fresh results: "
CUT_FILLER = " This reply is long on purpose so the emulator can cut it off mid-stream."
CALLS_MESSAGE = "Model generated function call(s)."


def _ratings(blocked: str, probability: str) -> list[dict[str, Any]]:
    categories = (
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
    )
    ratings: list[dict[str, Any]] = []
    for category in categories:
        rating: dict[str, Any] = {"category": category, "probability": "NEGLIGIBLE"}
        if category == blocked:
            rating["probability"] = probability
            if probability != "HIGH":
                rating["blocked"] = True
        ratings.append(rating)
    return ratings


def tokens(text: str) -> list[str]:
    """Whitespace-word tokens whose concatenation is exactly `text`."""
    return TOKEN.findall(text)


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def count_words(text: str) -> int:
    return len(text.split())


def digest(*pieces: str) -> bytes:
    return hashlib.sha256("\x00".join(pieces).encode()).digest()


def signature(response_id: str, kind: str, index: int) -> str:
    """A deterministic thought signature: valid base64, so it passes validation when replayed."""
    return base64.b64encode(b"emu1" + digest(response_id, kind, str(index))).decode()


@dataclass
class Candidate:
    index: int
    parts: list[dict[str, Any]] = field(default_factory=list)
    thought: str = ""
    show_thought: bool = False
    finish_reason: str = "STOP"
    extras: dict[str, Any] = field(default_factory=dict)
    # Gemini 3 puts it on the first text part, or on a closing empty part when streaming.
    text_signature: str | None = None
    is_calls: bool = False


@dataclass
class Reply:
    model: str
    response_id: str
    prompt_tokens: int
    cached_tokens: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    prompt_feedback: dict[str, Any] | None = None
    logprobs: int | None = None
    gemini3: bool = False


@dataclass
class _Context:
    model: str
    request: dict[str, Any]
    config: dict[str, Any]
    text: str
    response_id: str
    thinking: bool
    show_thought: bool
    declarations: list[dict[str, Any]]
    mode: str
    allowed: list[str]
    responses: list[dict[str, Any]]
    tool_kinds: set[str]


def build(request: dict[str, Any], model: str) -> Reply:
    """Plan the reply to a validated, canonical GenerateContentRequest."""
    ctx = _context(request, model)
    cached = CACHED_TOKENS if request.get("cachedContent") else 0
    reply = Reply(
        model=model,
        response_id=ctx.response_id,
        prompt_tokens=prompt_tokens(request) + cached,
        cached_tokens=cached,
        gemini3=models.is_gemini3(model),
    )
    if ctx.config.get("responseLogprobs"):
        reply.logprobs = int(ctx.config.get("logprobs") or 0)
    if "BLOCK_PROMPT" in ctx.text:
        reply.prompt_feedback = {
            "blockReason": "SAFETY",
            "safetyRatings": _ratings("HARM_CATEGORY_HATE_SPEECH", "HIGH"),
        }
        return reply
    count = max(1, int(ctx.config.get("candidateCount") or 1))
    reply.candidates = [_candidate(ctx, index) for index in range(count)]
    return reply


def _context(request: dict[str, Any], model: str) -> _Context:
    contents: list[dict[str, Any]] = request["contents"]
    config: dict[str, Any] = request.get("generationConfig") or {}
    tools: list[dict[str, Any]] = request.get("tools") or []
    calling = (request.get("toolConfig") or {}).get("functionCallingConfig") or {}
    last = contents[-1]
    responses = [p["functionResponse"] for p in last.get("parts") or [] if "functionResponse" in p]
    thinking_config = config.get("thinkingConfig") or {}
    thinking = _thinks(thinking_config, model)
    return _Context(
        model=model,
        request=request,
        config=config,
        text=last_user_text(contents),
        response_id=_response_id(request, model),
        thinking=thinking,
        show_thought=thinking and bool(thinking_config.get("includeThoughts")),
        declarations=[d for t in tools for d in t.get("functionDeclarations") or []],
        mode=calling.get("mode") or "AUTO",
        allowed=list(calling.get("allowedFunctionNames") or []),
        responses=responses if role_of(last) == "user" else [],
        tool_kinds={kind for t in tools for kind in t},
    )


def _thinks(thinking_config: dict[str, Any], model: str) -> bool:
    name = models.behaviour(model)
    if "gemini-2.5" not in name and "gemini-3" not in name:
        return False
    budget = thinking_config.get("thinkingBudget")
    if budget is not None:
        return int(budget) != 0
    return models.thinks_by_default(model) or "thinkingLevel" in thinking_config


def last_user_text(contents: list[dict[str, Any]]) -> str:
    """The text of the latest user turn that has any (function responses carry none)."""
    for content in reversed(contents):
        if role_of(content) != "user":
            continue
        texts = [
            p["text"] for p in content.get("parts") or [] if "text" in p and not p.get("thought")
        ]
        if any(texts):
            return " ".join(t for t in texts if t)
    return ""


def _response_id(request: dict[str, Any], model: str) -> str:
    raw = digest(model, orjson.dumps(request, option=orjson.OPT_SORT_KEYS).decode())
    return base64.urlsafe_b64encode(raw[:16]).decode().rstrip("=")


def prompt_tokens(request: dict[str, Any]) -> int:
    contents = list(request["contents"])
    if "systemInstruction" in request:
        contents.append(request["systemInstruction"])
    total = 0
    for content in contents:
        for part in content.get("parts") or []:
            if "text" in part:
                total += count_words(part["text"])
            for key in ("functionCall", "functionResponse"):
                if key in part:
                    total += count_words(json.dumps(part[key]))
    return max(1, total)


def _candidate(ctx: _Context, index: int) -> Candidate:
    if "BLOCK_REPLY" in ctx.text:
        ratings = _ratings("HARM_CATEGORY_HATE_SPEECH", "MEDIUM")
        return Candidate(index, finish_reason="SAFETY", extras={"safetyRatings": ratings})
    if "RECITATION" in ctx.text:
        source = {"startIndex": 0, "endIndex": 42, "uri": "https://example.com/recited"}
        citation = {"citationSources": [source]}
        return Candidate(index, finish_reason="RECITATION", extras={"citationMetadata": citation})
    calls = _function_calls(ctx)
    if calls:
        return _calls_candidate(ctx, index, calls)
    return _text_candidate(ctx, index)


def _function_calls(ctx: _Context) -> list[dict[str, Any]]:
    if not ctx.declarations or ctx.mode == "NONE" or ctx.responses:
        return []
    usable = [d for d in ctx.declarations if not ctx.allowed or d.get("name") in ctx.allowed]
    positions = {d["name"]: _mention(d["name"], ctx.text) for d in usable}
    named = sorted(
        (d for d in usable if positions[d["name"]] >= 0), key=lambda d: positions[d["name"]]
    )
    chosen = named or (usable[:1] if ctx.mode == "ANY" else [])
    calls: list[dict[str, Any]] = []
    for declaration in chosen:
        schema = declaration.get("parametersJsonSchema", declaration.get("parameters", {}))
        args = sample(schema, full=False)
        calls.append(
            {
                "functionCall": {
                    "name": declaration["name"],
                    "args": args if isinstance(args, dict) else {},
                }
            }
        )
    return calls


def _mention(name: str, text: str) -> int:
    match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text)
    return match.start() if match else -1


def _calls_candidate(ctx: _Context, index: int, calls: list[dict[str, Any]]) -> Candidate:
    names = ", ".join(c["functionCall"]["name"] for c in calls)
    if ctx.thinking:
        calls[0]["thoughtSignature"] = signature(ctx.response_id, "call", index)
    return Candidate(
        index,
        parts=calls,
        thought=f"**Choosing a tool**\n\nThe request needs {names}, so I will call it."
        if ctx.thinking
        else "",
        show_thought=ctx.show_thought,
        extras={"finishMessage": CALLS_MESSAGE},
        is_calls=True,
    )


def _answer_text(ctx: _Context, index: int) -> str:
    if ctx.config.get("responseMimeType") == JSON_MIME:
        schema = ctx.config.get("responseJsonSchema", ctx.config.get("_responseJsonSchema"))
        if schema is None:
            schema = ctx.config.get("responseSchema")
        value = sample(schema, full=True) if schema is not None else {"echo": ctx.text}
        return json_text(value)
    if ctx.responses:
        text = "\n".join(
            f"Result of {r.get('name', '')}: {json_text(r.get('response', {}))}"
            for r in ctx.responses
        )
    else:
        text = f"Echo: {ctx.text}"
    if index:
        text += f" ({index + 1})"
    if ctx.model == faults.CUT:
        text += CUT_FILLER
    return text


def _limit(text: str, config: dict[str, Any]) -> tuple[str, str]:
    """Apply stopSequences, then maxOutputTokens (counted in whitespace words)."""
    cuts = [text.find(stop) for stop in config.get("stopSequences") or [] if stop and stop in text]
    if cuts:
        text = text[: min(cuts)]
    limit = int(config.get("maxOutputTokens") or 0)
    if limit > 0 and count_words(text) > limit:
        kept: list[str] = []
        words = 0
        for token in tokens(text):
            words += bool(token.strip())
            if words > limit:
                break
            kept.append(token)
        return "".join(kept).rstrip(), "MAX_TOKENS"
    return text, "STOP"


def _text_candidate(ctx: _Context, index: int) -> Candidate:
    answer = _answer_text(ctx, index)
    searching = "googleSearch" in ctx.tool_kinds and ctx.config.get("responseMimeType") != JSON_MIME
    if searching:
        answer = GROUNDED_PREFIX + answer
    text, finish = _limit(answer, ctx.config)
    candidate = Candidate(
        index,
        thought=f'**Thinking it over**\n\nThe user said "{ctx.text}". An echo answers that.'
        if ctx.thinking
        else "",
        show_thought=ctx.show_thought,
        finish_reason=finish,
    )
    if "codeExecution" in ctx.tool_kinds:
        candidate.parts.extend(_code_parts(ctx, index))
    candidate.parts.append({"text": text})
    modalities = ctx.config.get("responseModalities")
    if "IMAGE" in (modalities or []) or (modalities is None and "-image" in ctx.model):
        candidate.parts.append({"inlineData": {"mimeType": "image/png", "data": PNG_1X1}})
    if searching:
        candidate.extras["groundingMetadata"] = _grounding(ctx, text, answer)
    urls = URL.findall(ctx.text)
    if "urlContext" in ctx.tool_kinds and urls:
        metadata = [
            {"retrievedUrl": u, "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"} for u in urls
        ]
        candidate.extras["urlContextMetadata"] = {"urlMetadata": metadata}
    if models.is_gemini3(ctx.model):
        candidate.text_signature = signature(ctx.response_id, "text", index)
    return candidate


def _code_parts(ctx: _Context, index: int) -> list[dict[str, Any]]:
    echo = f"Echo: {ctx.text}"
    code: dict[str, Any] = {"language": "PYTHON", "code": f"print({echo!r})\n"}
    result: dict[str, Any] = {"outcome": "OUTCOME_OK", "output": echo + "\n"}
    first: dict[str, Any] = {"executableCode": code}
    if models.is_gemini3(ctx.model):
        code["id"] = result["id"] = (
            base64.b32encode(digest(ctx.response_id, "code"))[:8].decode().lower()
        )
        first["thoughtSignature"] = signature(ctx.response_id, "code", index)
    return [first, {"codeExecutionResult": result}]


def _grounding(ctx: _Context, text: str, answer: str) -> dict[str, Any]:
    query = ctx.text or "emulator"
    token = base64.urlsafe_b64encode(digest("search", query)).decode().rstrip("=")
    metadata: dict[str, Any] = {
        "webSearchQueries": [query],
        "searchEntryPoint": {
            "renderedContent": '<div class="container"><div class="chip">'
            f"{html.escape(query)}</div></div>"
        },
        "groundingChunks": [
            {
                "web": {
                    "uri": f"https://vertexaisearch.cloud.google.com/grounding-api-redirect/{token}",
                    "title": "example.com",
                }
            }
        ],
        "groundingSupports": [],
    }
    segment = answer[len(GROUNDED_PREFIX) :]
    if text == answer and segment:
        start = len(GROUNDED_PREFIX.encode())
        metadata["groundingSupports"].append(
            {
                "segment": {
                    "startIndex": start,
                    "endIndex": start + len(segment.encode()),
                    "text": segment,
                },
                "groundingChunkIndices": [0],
            }
        )
    return metadata
