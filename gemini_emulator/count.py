"""`models/{model}:countTokens`: a CountTokensRequest -> {totalTokens, promptTokensDetails}.

The body holds either `contents` or a whole `generateContentRequest` (whose `model` must be
`models/{model}`); either is validated like generateContent. The count uses the same
whitespace-word rule as a reply's `usageMetadata.promptTokenCount`, so counting a request
gives exactly the prompt tokens its reply reports.
"""

from __future__ import annotations

from typing import Any

from gemini_emulator.errors import field_violations, invalid
from gemini_emulator.reply import CACHED_TOKENS, prompt_tokens
from gemini_emulator.validate import check_generate

ROOT_FIELDS = ("contents", "generateContentRequest")


def count_tokens(body: dict[str, Any], model: str) -> dict[str, Any]:
    unknown = [name for name in body if name not in ROOT_FIELDS]
    if unknown:
        raise field_violations(
            [
                (
                    "",
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.',
                )
                for name in unknown
            ]
        )
    if "contents" in body and "generateContentRequest" in body:
        raise invalid("Only one of contents and generate_content_request can be set.")
    inner = body.get("generateContentRequest")
    if inner is not None:
        if not isinstance(inner, dict):
            raise field_violations([("generate_content_request", "Expected an object.")])
        inner = dict(inner)
        name = inner.pop("model", f"models/{model}")
        if name != f"models/{model}":
            raise invalid(
                "* CountTokensRequest.generate_content_request.model: must match the model "
                f"of the request (models/{model})\n"
            )
        request = check_generate(inner, model)
    else:
        request = check_generate({"contents": body.get("contents") or []}, model)
    total = prompt_tokens(request)
    reply: dict[str, Any] = {
        "totalTokens": total,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}],
    }
    if request.get("cachedContent"):
        reply["cachedContentTokenCount"] = CACHED_TOKENS
    return reply
