"""The emulator's model catalogue and the per-family behaviour switches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCEPTED_PREFIXES = ("gemini-", "fault-", "text-embedding", "learnlm", "gemma", "imagen-")

# Fault models exist to exercise error paths; when they do answer, they must look
# like an ordinary model so the adapter's happy-path code runs unchanged.
FAULT_BEHAVES_LIKE = "gemini-2.5-flash"

CHAT_METHODS = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
EMBED_METHODS = ("embedContent",)
PREDICT_METHODS = ("predict",)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    display_name: str
    input_limit: int
    output_limit: int
    thinking: bool
    methods: tuple[str, ...] = CHAT_METHODS
    embedding_size: int = 0


CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536, True),
    ModelInfo("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1_048_576, 65_536, True),
    ModelInfo("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536, True),
    ModelInfo("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1_048_576, 65_536, True),
    ModelInfo("gemini-3-flash-preview", "Gemini 3 Flash Preview", 1_048_576, 65_536, True),
    ModelInfo("gemini-3.1-pro-preview", "Gemini 3.1 Pro Preview", 1_048_576, 65_536, True),
    ModelInfo("gemini-2.5-flash-image", "Nano Banana", 32_768, 32_768, False),
    ModelInfo("gemini-3-pro-image-preview", "Nano Banana Pro", 65_536, 32_768, False),
    ModelInfo("gemini-2.5-flash-preview-tts", "Gemini 2.5 Flash TTS", 8_192, 16_384, False),
    ModelInfo("gemini-2.5-pro-preview-tts", "Gemini 2.5 Pro TTS", 8_192, 16_384, False),
    ModelInfo("imagen-4.0-generate-001", "Imagen 4", 480, 8_192, False, PREDICT_METHODS),
    ModelInfo("text-embedding-004", "Text Embedding 004", 2_048, 1, False, EMBED_METHODS, 768),
    ModelInfo("gemini-embedding-001", "Gemini Embedding 001", 2_048, 1, False, EMBED_METHODS, 3072),
)
BY_NAME: dict[str, ModelInfo] = {info.name: info for info in CATALOGUE}


def strip_prefix(name: str) -> str:
    return name.removeprefix("models/")


def is_known(model: str) -> bool:
    return model.startswith(ACCEPTED_PREFIXES)


def is_fault(model: str) -> bool:
    return model.startswith("fault-")


def is_embedding(model: str) -> bool:
    return "embedding" in model


def supports(model: str, method: str) -> bool:
    """Whether `method` may be called on `model` (fault models may embed, to test faults)."""
    if not is_known(model):
        return False
    if method == "batchEmbedContents":
        return is_embedding(model) or is_fault(model)
    if method == "predict" or model.startswith("imagen-"):
        return method == "predict" and model.startswith("imagen-")
    return not is_embedding(model)


def behaviour(model: str) -> str:
    """The model whose behaviour `model` copies (itself, except for fault models)."""
    return FAULT_BEHAVES_LIKE if is_fault(model) else model


def is_gemini3(model: str) -> bool:
    return "gemini-3" in behaviour(model)


def is_gemini2_or_older(model: str) -> bool:
    return behaviour(model).startswith(("gemini-1", "gemini-2"))


def is_25_pro(model: str) -> bool:
    return behaviour(model).startswith("gemini-2.5-pro")


def rejects_minimal_thinking(model: str) -> bool:
    name = behaviour(model)
    return is_gemini3(model) and ("-pro" in name or name.startswith("gemini-3.7-flash"))


def thinks_by_default(model: str) -> bool:
    """2.5 and 3 models think unless told not to; Lite and 2.5 image models do not."""
    name = behaviour(model)
    if "gemini-2.5" in name:
        return "lite" not in name and "-image" not in name
    return "gemini-3" in name


def embedding_size(model: str) -> int:
    info = BY_NAME.get(model)
    if info and info.embedding_size:
        return info.embedding_size
    return 3072 if model.startswith("gemini-") else 768


def describe(model: str) -> dict[str, Any]:
    """A v1beta `Model` object; models outside the catalogue get a plausible one."""
    info = BY_NAME.get(model) or ModelInfo(
        model,
        model,
        1_048_576,
        65_536,
        thinks_by_default(model),
        EMBED_METHODS
        if is_embedding(model)
        else PREDICT_METHODS
        if model.startswith("imagen-")
        else CHAT_METHODS,
    )
    body: dict[str, Any] = {
        "name": f"models/{info.name}",
        "version": "001",
        "displayName": info.display_name,
        "description": f"{info.display_name} (offline emulator)",
        "inputTokenLimit": info.input_limit,
        "outputTokenLimit": info.output_limit,
        "supportedGenerationMethods": list(info.methods),
    }
    if not is_embedding(info.name) and info.methods != PREDICT_METHODS:
        body.update({"temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2})
        if info.thinking:
            body["thinking"] = True
    return body
