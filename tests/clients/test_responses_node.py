"""Node clients on the Responses API, each script in tests/clients/node/ run with node against
the running service: the `openai` SDK (responses.create, a raw stream, responses.stream, a
function-tool round) and the Vercel AI SDK's `@ai-sdk/openai` `.responses()` model
(generateText, streamText, a two-step tool loop). Versions: tests/clients/node/package-lock.json.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_node


@pytest.mark.parametrize("script", ["openai_responses.mjs", "ai_sdk_responses.mjs"])
def test_node_responses_client(script: str, base_url: str, node_modules: Path) -> None:
    assert run_node(script, base_url).strip().endswith("ok")
