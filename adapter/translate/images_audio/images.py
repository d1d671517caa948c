"""`/v1/images/generations` and `/v1/images/edits` <-> Gemini image models and Imagen
(behaviour IM1, IM2).

Gemini image models (names with `image`) take a generateContent request with
`responseModalities` IMAGE and `generationConfig.imageConfig {aspectRatio, imageSize}`, one
image per call; Imagen (`imagen-*`) takes `:predict {instances: [{prompt}], parameters:
{sampleCount, aspectRatio, sampleImageSize, ...}}`, up to 4 images per call. Each model
accepts only some aspect ratios and sizes (ai.google.dev/gemini-api/docs/image-generation,
/imagen; the ImageConfig field docs in the v1beta discovery document): `size` maps to the
accepted ratio nearest in log(w/h), `quality` to an `imageSize` where the model has one, and
whatever a model cannot honour is dropped and named in `x-adapter-adjusted`.
Tables: docs/images-audio.md.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from typing import Any

from adapter.errors import AdapterError, invalid_request
from adapter.translate.images_audio.common import (
    Upload,
    choice_field,
    google_options,
    number_field,
    text_field,
)
from adapter.translate.media import native_mime
from adapter.translate.request.extensions import merge_extension
from adapter.translate.request.fields import expect

RATIOS_10 = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
RATIOS_14 = (*RATIOS_10, "1:4", "4:1", "1:8", "8:1")
IMAGEN_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9")
MAX_IMAGEN_SAMPLES = 4
QUALITIES = ("standard", "hd", "low", "medium", "high", "auto")
# quality -> the imageSize asked for, when the model offers it (else the nearest offered).
QUALITY_SIZE = {"low": "512", "medium": "1K", "standard": "1K", "high": "2K", "hd": "2K"}
SIZE_ORDER = ("512", "1K", "2K", "4K")
BLOCKED_FINISH = ("SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION")
MASK_INSTRUCTION = (
    "The last image is a mask for the first image: change only the areas where the mask is"
    " transparent and keep everything else exactly as it is."
)
_SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$")


@dataclass(frozen=True)
class ImageModel:
    kind: str  # "gemini" (generateContent) or "imagen" (:predict)
    ratios: tuple[str, ...]  # accepted aspectRatio values; () = no imageConfig at all
    sizes: tuple[str, ...] = ()  # accepted imageSize (Imagen: sampleImageSize) values
    modalities: tuple[str, ...] = ("IMAGE",)


def image_model(model: str) -> ImageModel:
    """The row for a native model name; 400 `model` for a model that makes no images."""
    name = model.lower()
    if name.startswith("imagen-"):
        big = name.startswith("imagen-4") and "fast" not in name
        return ImageModel("imagen", IMAGEN_RATIOS, ("1K", "2K") if big else ())
    if "image" not in name:
        raise invalid_request(
            f"The model '{model}' does not generate images; use a Gemini image model (such as"
            " gemini-2.5-flash-image) or an Imagen model (imagen-4.0-generate-001).",
            param="model",
        )
    if name.startswith("gemini-2.0"):
        # The 2.0 preview refuses imageConfig and wants TEXT with IMAGE.
        return ImageModel("gemini", (), (), ("TEXT", "IMAGE"))
    match = re.match(r"gemini-(\d+)(?:\.(\d+))?", name)
    version = (int(match.group(1)), int(match.group(2) or 0)) if match else (2, 5)
    if version >= (3, 1):
        return ImageModel("gemini", RATIOS_14, SIZE_ORDER)
    if version >= (3, 0):
        return ImageModel("gemini", RATIOS_10, ("1K", "2K", "4K"))
    return ImageModel("gemini", RATIOS_10)


def nearest_ratio(size: str, ratios: tuple[str, ...]) -> str:
    """`"1536x1024"` -> the ratio in `ratios` nearest in log(w/h) (`"3:2"`)."""
    match = _SIZE.match(size)
    if not match or not int(match.group(1)) or not int(match.group(2)):
        raise invalid_request(
            f"Invalid value for 'size': {size!r}; expected WIDTHxHEIGHT (such as 1024x1024)"
            " or 'auto'.",
            param="size",
        )
    target = math.log(int(match.group(1)) / int(match.group(2)))

    def distance(ratio: str) -> float:
        w, h = ratio.split(":")
        return abs(math.log(int(w) / int(h)) - target)

    return min(ratios, key=distance)


def nearest_size(wanted: str, sizes: tuple[str, ...]) -> str:
    rank = SIZE_ORDER.index(wanted)
    return min(sizes, key=lambda s: (abs(SIZE_ORDER.index(s) - rank), -SIZE_ORDER.index(s)))


@dataclass
class ImagePlan:
    """What to send: `calls` native bodies (Gemini: one image each; Imagen: up to 4 each)."""

    model: str
    requested_model: str
    kind: str
    calls: list[dict[str, Any]]
    response_format: str  # "b64_json" or "url"
    adjusted: list[str] = field(default_factory=list)
    output_format: str | None = None  # what the caller asked for


def to_image_plan(
    body: dict[str, Any],
    model: str,
    *,
    images: list[Upload] | None = None,
    mask: Upload | None = None,
) -> ImagePlan:
    """A generations body (JSON) or an edits body (form fields plus `images`/`mask`) -> the
    native calls. Raises 400 with `param` for bad input."""
    edit = images is not None
    requested = text_field(body, "model") or model
    prompt = text_field(body, "prompt", required=True)
    row = image_model(model)
    n = int(number_field(body, "n", 1, 10, integer=True) or 1)
    size = text_field(body, "size") or "auto"
    quality = choice_field(body, "quality", QUALITIES) or "auto"
    response_format = choice_field(body, "response_format", ("url", "b64_json")) or "b64_json"
    output_format = choice_field(body, "output_format", ("png", "jpeg", "webp"))
    if str(body.get("stream")).lower() == "true":
        raise invalid_request(
            "Streamed image generation (partial images) is not available on Gemini; leave"
            " stream out to get the finished images.",
            param="stream",
        )
    adjusted = _unsupported(body)
    google, google_param = google_options(body)

    config: dict[str, Any] = {}
    if size != "auto":
        ratio = nearest_ratio(size, row.ratios or RATIOS_10)
        if row.ratios:
            config["aspectRatio"] = ratio
        else:
            adjusted.append("size")
    if quality != "auto":
        if row.sizes:
            config["imageSize"] = nearest_size(QUALITY_SIZE[quality], row.sizes)
        else:
            adjusted.append("quality")
    extra_config = google.pop("imageConfig", None)
    if extra_config is not None:
        config.update(expect(extra_config, (dict,), f"{google_param}.image_config"))

    if row.kind == "imagen":
        if edit:
            raise invalid_request(
                "Imagen models on the Gemini API cannot edit images; use a Gemini image model"
                " (such as gemini-2.5-flash-image).",
                param="model",
            )
        calls = _imagen_calls(prompt or "", n, config, output_format, body, google, adjusted)
    else:
        if output_format not in (None, "png"):
            adjusted.append("output_format")  # Gemini image models choose their own format
        if body.get("output_compression") is not None:
            adjusted.append("output_compression")
        parts = _edit_parts(images or [], mask) if edit else []
        parts.append({"text": f"{prompt}\n\n{MASK_INSTRUCTION}" if mask else prompt})
        native: dict[str, Any] = {
            "contents": [{"role": "user", "parts": parts}],
            "generationConfig": {"responseModalities": list(row.modalities)},
        }
        if config:
            native["generationConfig"]["imageConfig"] = config
        _merge_google(native, google, google_param)
        calls = [native] * n
    return ImagePlan(
        model=model,
        requested_model=requested,
        kind=row.kind,
        calls=calls,
        response_format=response_format,
        adjusted=adjusted,
        output_format=output_format,
    )


def _unsupported(body: dict[str, Any]) -> list[str]:
    """OpenAI settings no Gemini image model has: dropped, and reported."""
    adjusted = []
    for key, default in (("background", "auto"), ("moderation", "auto"), ("style", None)):
        value = text_field(body, key)
        if value is not None and value != default:
            adjusted.append(key)
    if body.get("partial_images") not in (None, 0, "0"):
        adjusted.append("partial_images")
    if body.get("input_fidelity") is not None:
        adjusted.append("input_fidelity")
    return adjusted


def _imagen_calls(
    prompt: str,
    n: int,
    config: dict[str, Any],
    output_format: str | None,
    body: dict[str, Any],
    google: dict[str, Any],
    adjusted: list[str],
) -> list[dict[str, Any]]:
    parameters: dict[str, Any] = {}
    if "aspectRatio" in config:
        parameters["aspectRatio"] = config["aspectRatio"]
    if "imageSize" in config:
        parameters["sampleImageSize"] = config["imageSize"]
    compression = number_field(body, "output_compression", 0, 100, integer=True)
    if output_format in ("jpeg", "webp") or compression is not None:
        if output_format == "webp":
            adjusted.append("output_format")  # Imagen writes PNG or JPEG
        options: dict[str, Any] = {
            "mimeType": "image/jpeg" if output_format in ("jpeg", None) else "image/png"
        }
        if compression is not None and options["mimeType"] == "image/jpeg":
            options["compressionQuality"] = compression
        elif compression is not None:
            adjusted.append("output_compression")
        parameters["outputOptions"] = options
    extra = google.pop("parameters", None)
    if extra is not None:
        parameters.update(expect(extra, (dict,), "google.parameters"))
    parameters.update(google)  # e.g. personGeneration, enhancePrompt
    calls: list[dict[str, Any]] = []
    left = n
    while left > 0:
        count = min(left, MAX_IMAGEN_SAMPLES)
        calls.append(
            {"instances": [{"prompt": prompt}], "parameters": {**parameters, "sampleCount": count}}
        )
        left -= count
    return calls


def _edit_parts(images: list[Upload], mask: Upload | None) -> list[dict[str, Any]]:
    if not images:
        raise invalid_request("Missing required parameter: 'image'.", param="image")
    parts = []
    uploads = [(f"image[{i}]" if len(images) > 1 else "image", u) for i, u in enumerate(images)]
    if mask is not None:
        uploads.append(("mask", mask))
    for param, upload in uploads:
        mime, refused = native_mime(upload.content_type, upload.data[:16])
        if refused is not None or not mime.startswith("image/"):
            raise invalid_request(
                f"Unsupported image type for '{param}' ({refused or mime}); send PNG, JPEG,"
                " WEBP, HEIC or HEIF.",
                param=param,
            )
        data = base64.b64encode(upload.data).decode()
        parts.append({"inlineData": {"mimeType": mime, "data": data}})
    return parts


def _merge_google(native: dict[str, Any], google: dict[str, Any], param: str) -> None:
    if google:
        merge_extension(native, google, param)


# --- replies ------------------------------------------------------------------------------


@dataclass
class ImageOut:
    b64: str
    mime: str
    revised_prompt: str | None = None


def images_from_generate(reply: dict[str, Any]) -> list[ImageOut]:
    """The images of one GenerateContentResponse; an error when there are none."""
    found = []
    texts = []
    for candidate in reply.get("candidates") or ():
        for part in (candidate.get("content") or {}).get("parts") or ():
            blob = part.get("inlineData") if isinstance(part, dict) else None
            if (
                blob
                and str(blob.get("mimeType", "")).startswith("image/")
                and not part.get("thought")
            ):
                found.append(ImageOut(blob.get("data", ""), blob["mimeType"]))
            elif isinstance(part, dict) and part.get("text") and not part.get("thought"):
                texts.append(part["text"])
    if found:
        return found
    feedback = reply.get("promptFeedback") or {}
    reasons = [feedback.get("blockReason")] + [
        c.get("finishReason") for c in reply.get("candidates") or ()
    ]
    blocked = [
        r for r in reasons if r and (r in BLOCKED_FINISH or r == feedback.get("blockReason"))
    ]
    if blocked:
        raise AdapterError(
            400,
            f"Gemini refused to generate this image ({blocked[0]}).",
            code="content_policy_violation",
        )
    said = " ".join(texts).strip()
    raise AdapterError(
        502,
        "The model returned no image" + (f"; it said: {said[:500]}" if said else "."),
        code="no_image",
    )


def images_from_predict(reply: dict[str, Any]) -> list[ImageOut]:
    """Imagen's `{predictions: [{bytesBase64Encoded, mimeType, prompt?}]}`."""
    found = []
    filtered = []
    for prediction in reply.get("predictions") or ():
        if not isinstance(prediction, dict):
            continue
        if prediction.get("bytesBase64Encoded"):
            found.append(
                ImageOut(
                    prediction["bytesBase64Encoded"],
                    prediction.get("mimeType", "image/png"),
                    prediction.get("prompt"),
                )
            )
        elif prediction.get("raiFilteredReason"):
            filtered.append(str(prediction["raiFilteredReason"]))
    if found:
        return found
    if filtered or not reply.get("predictions"):
        reason = filtered[0] if filtered else "every image was filtered"
        raise AdapterError(
            400, f"Imagen refused to generate this image: {reason}", code="content_policy_violation"
        )
    raise AdapterError(502, "The upstream reply holds no image.", code="no_image")


def image_usage(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """usageMetadata of every call, summed, in the Images API's usage shape."""
    metas: list[dict[str, Any]] = [
        meta for r in replies if isinstance(meta := r.get("usageMetadata"), dict)
    ]
    if not metas:
        return None
    totals = {"input": 0, "output": 0, "text": 0, "image": 0, "out_image": 0, "out_text": 0}
    for meta in metas:
        totals["input"] += meta.get("promptTokenCount", 0)
        totals["output"] += meta.get("candidatesTokenCount", 0) + meta.get("thoughtsTokenCount", 0)
        for detail in meta.get("promptTokensDetails") or ():
            key = "image" if detail.get("modality") == "IMAGE" else "text"
            totals[key] += detail.get("tokenCount", 0)
        for detail in meta.get("candidatesTokensDetails") or ():
            key = "out_image" if detail.get("modality") == "IMAGE" else "out_text"
            totals[key] += detail.get("tokenCount", 0)
    return {
        "input_tokens": totals["input"],
        "output_tokens": totals["output"],
        "total_tokens": totals["input"] + totals["output"],
        "input_tokens_details": {"text_tokens": totals["text"], "image_tokens": totals["image"]},
        "output_tokens_details": {
            "text_tokens": totals["output"] - totals["out_image"],
            "image_tokens": totals["out_image"],
        },
    }


MIME_TO_FORMAT = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


def images_response(
    images: list[ImageOut],
    replies: list[dict[str, Any]],
    *,
    created: int,
    response_format: str,
) -> dict[str, Any]:
    """`{created, data: [{b64_json | url, revised_prompt?}], output_format, usage?}`; a `url`
    is a `data:` URL (there is nowhere to host the image)."""
    data = []
    for image in images:
        item: dict[str, Any] = (
            {"url": f"data:{image.mime};base64,{image.b64}"}
            if response_format == "url"
            else {"b64_json": image.b64}
        )
        if image.revised_prompt:
            item["revised_prompt"] = image.revised_prompt
        data.append(item)
    out: dict[str, Any] = {"created": created, "data": data}
    if images and images[0].mime in MIME_TO_FORMAT:
        out["output_format"] = MIME_TO_FORMAT[images[0].mime]
    usage = image_usage(replies)
    if usage is not None:
        out["usage"] = usage
    return out
