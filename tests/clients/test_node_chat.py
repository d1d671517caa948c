"""Node clients on Chat Completions, each script in tests/clients/node/ run with node against
the running service: the `openai` SDK (create, stream, stream helper, a tool round) and the
Vercel AI SDK via `@ai-sdk/openai-compatible` (generateText, streamText, a two-step tool loop).
Versions are pinned in tests/clients/node/package-lock.json (node >= 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_node


@pytest.mark.parametrize("script", ["openai_chat.mjs", "ai_sdk_chat.mjs"])
def test_node_client(script: str, base_url: str, node_modules: Path) -> None:
    assert run_node(script, base_url).strip().endswith("ok")
