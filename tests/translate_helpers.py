"""Shared helpers of the translation unit tests (tests/translate/)."""

from __future__ import annotations

from typing import Any

from schema_check import assert_valid

from adapter.translate.request import to_native_request

USER = {"role": "user", "content": "hi"}


def req(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "gemini-2.5-flash", "messages": [USER]}
    body.update(fields)
    return body


def native(**fields: Any) -> dict[str, Any]:
    result = to_native_request(req(**fields)).body
    assert_valid("gemini.generate_content_request", result)
    return result


def tool_call(call_id: str, name: str, args: str = "{}") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}


def regression(name: str) -> dict[str, Any]:
    """A fixture of tests/fixtures/regressions/ (one per fault seen in the wild)."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent / "fixtures" / "regressions" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))
