"""Validate wire payloads against the committed JSON Schemas in schemas/.

    from schema_check import assert_valid

    assert_valid("gemini.generate_content_request", native_body)
    assert_valid("openai.chat_chunk", chunk)

Schema names are the file stems in schemas/ (see schemas/README.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
# jsonschema messages embed the offending value; a base64 image would swamp the report.
MAX_MESSAGE = 500


def schema_names() -> list[str]:
    """Every schema available to assert_valid()."""
    return sorted(p.name[: -len(".json")] for p in SCHEMAS_DIR.glob("*.json"))


@cache
def validator(schema_name: str) -> Draft202012Validator:
    """The (cached) validator for one schema; building one costs far more than using it."""
    path = SCHEMAS_DIR / f"{schema_name}.json"
    if not path.is_file():
        raise KeyError(f"unknown schema {schema_name!r}; known: {schema_names()}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    # No format_checker: `format` stays an annotation, as the draft specifies,
    # so results do not depend on which optional format libraries are installed.
    return Draft202012Validator(schema)


def first_error(schema_name: str, payload: object) -> ValidationError | None:
    """The most relevant validation error, or None when the payload is valid."""
    return best_match(validator(schema_name).iter_errors(payload))


def assert_valid(schema_name: str, payload: object) -> None:
    """Raise AssertionError naming the failing location when `payload` is invalid."""
    error = first_error(schema_name, payload)
    if error is not None:
        message = error.message
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "..."
        raise AssertionError(
            f"payload does not match {schema_name}: at {error.json_path}: {message}"
        )
