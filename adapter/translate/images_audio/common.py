"""Shared by the media surfaces: uploaded files, form values, the `google` extension."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapter.errors import invalid_request
from adapter.translate.request.extensions import camelize, google_extension
from adapter.translate.request.fields import expect


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


def text_field(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None or (required and value == ""):
        if required:
            raise invalid_request(f"Missing required parameter: '{key}'.", param=key)
        return None
    return expect(value, (str,), key)  # type: ignore[no-any-return]


def number_field(
    body: dict[str, Any], key: str, low: float, high: float, *, integer: bool = False
) -> float | int | None:
    """A number from JSON, or from a multipart form (where every value is a string)."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            raise invalid_request(
                f"Invalid value for '{key}': {value!r} is not a number.", param=key
            ) from None
    kind = "an integer" if integer else "a number"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not float(value).is_integer())
    ):
        raise invalid_request(f"Invalid type for '{key}': expected {kind}.", param=key)
    if not low <= value <= high:
        raise invalid_request(
            f"Invalid value for '{key}': {value} is outside [{low:g}, {high:g}].", param=key
        )
    return int(value) if integer else value


def choice_field(body: dict[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
    value = text_field(body, key)
    if value is None:
        return None
    if value not in choices:
        raise invalid_request(
            f"Invalid value for '{key}': {value!r}; expected one of {', '.join(choices)}.",
            param=key,
        )
    return value


def google_options(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The `google` extension (top level or `extra_body.google`), field names camelCased."""
    google, param = google_extension(body)
    return (camelize(google) if google else {}), param
