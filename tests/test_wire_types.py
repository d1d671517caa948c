"""The generated wire TypedDicts (adapter/wire) match the committed JSON Schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapter.wire.gemini import GenerateContentRequest, Part, ThinkingConfig
from adapter.wire.openai import CreateChatCompletionRequest, CreateChatCompletionStreamResponse

ROOT = Path(__file__).resolve().parent.parent


def test_generated_types_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "schemas" / "typeddicts.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_types_carry_the_wire_names() -> None:
    assert {"contents", "generationConfig", "systemInstruction", "tools"} <= set(
        GenerateContentRequest.__annotations__
    )
    assert {"functionCall", "thoughtSignature", "inlineData"} <= set(Part.__annotations__)
    assert "include_thoughts" not in ThinkingConfig.__annotations__  # aliases left out
    assert {"messages", "model", "tools"} <= set(CreateChatCompletionRequest.__annotations__)
    assert "choices" in CreateChatCompletionStreamResponse.__annotations__
