"""Native model list -> OpenAI `/v1/models` objects."""

from __future__ import annotations

from typing import Any


def model_from(native: dict[str, Any]) -> dict[str, Any]:
    name = str(native.get("name", ""))
    return {
        "id": name.removeprefix("models/"),
        "object": "model",
        "created": 0,  # the native API does not say when a model was published
        "owned_by": "google",
    }


def model_list_from(native: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": [model_from(m) for m in native.get("models") or ()]}
