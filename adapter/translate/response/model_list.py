"""Native model list -> OpenAI `/v1/models` objects."""

from __future__ import annotations

from typing import Any

from adapter.translate.response.errors import bad_upstream_reply


def model_from(native: Any) -> dict[str, Any]:
    """A native Model -> an OpenAI model object; a reply that is not an object is a 502."""
    if not isinstance(native, dict):
        raise bad_upstream_reply("Model")
    name = str(native.get("name", ""))
    return {
        "id": name.removeprefix("models/"),
        "object": "model",
        "created": 0,  # the native API does not say when a model was published
        "owned_by": "google",
    }


def model_list_from(native: Any) -> dict[str, Any]:
    """A native ListModelsResponse -> the OpenAI list; a wrong shape is a 502."""
    models = native.get("models") if isinstance(native, dict) else None
    if models is None and isinstance(native, dict):
        models = []  # an empty page may leave the field out
    if not isinstance(models, list):
        raise bad_upstream_reply("ListModelsResponse")
    return {"object": "list", "data": [model_from(m) for m in models]}
