"""docs/migration.md lists every Chat Completions field the translation reads and every
`google` extension key it knows: adding one to the code without documenting it fails."""

from __future__ import annotations

import re

from adapter.translate.request import extensions, params
from deploy.tooling import ROOT

MIGRATION = (ROOT / "docs" / "migration.md").read_text()
# Fields read outside the generation-parameter table (adapter/translate/request/__init__.py,
# thinking.py, messages.py).
OTHER_FIELDS = {
    "model",
    "messages",
    "stream",
    "stream_options",
    "tools",
    "tool_choice",
    "web_search_options",
    "service_tier",
    "reasoning_effort",
    "thinking",
    "functions",
    "function_call",
    "audio",
}
EXTENSION_KEYS = {
    "tools",
    "generation_config",
    "thinking_config",
    "tool_config",
    "cached_content",
    "labels",
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def documented(name: str) -> bool:
    return f"`{name}`" in MIGRATION


def test_every_chat_field_is_documented() -> None:
    fields = set(params._HANDLERS) | set(params.IGNORED_PARAMS) | OTHER_FIELDS
    assert sorted(f for f in fields if not documented(f)) == []


def test_every_extension_key_is_documented() -> None:
    keys = {snake(k) for k in extensions._GENERATION_KEYS} | EXTENSION_KEYS
    assert sorted(k for k in keys if not documented(k)) == []
