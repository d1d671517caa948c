"""Codex CLI (`codex exec`, npm `@openai/codex`) against the running service over the Responses
API: a custom model provider with `wire_api = "responses"` in a throwaway `CODEX_HOME`, the key
from an environment variable, answering a prompt and completing one tool round (the emulator
calls Codex's `exec_command` function because the prompt names it; Codex runs the command and
sends its output back; the emulator answers `Result of exec_command: {json}`).

Offline: the binary comes from the npm registry inside the package
(`@openai/codex-linux-x64`, an optional dependency pinned by tests/clients/node/package-lock.json);
`codex exec` with an API-key provider needs no login. With update checks, analytics, web search,
plugins and apps turned off in config.toml it makes no request but `POST {base_url}/responses`
(checked with strace: with plugins and apps on it also resolves github.com and chatgpt.com).
Nothing here skips: a missing binary or a failed run fails the test with Codex's output.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import API_KEY, MODEL, NODE_DIR, TOOL_MODELS

CODEX = NODE_DIR / "node_modules" / ".bin" / "codex"

CONFIG = """\
model = "{model}"
model_provider = "adapter"
approval_policy = "never"
sandbox_mode = "read-only"
check_for_update_on_startup = false
web_search = "disabled"

[analytics]
enabled = false

[features]
plugins = false
apps = false

[history]
persistence = "none"

[model_providers.adapter]
name = "gemini-adapter"
base_url = "{base_url}"
env_key = "GEMINI_ADAPTER_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
"""


def make_home(tmp_path: Path, base_url: str, model: str) -> Path:
    home = tmp_path / "codex-home"
    home.mkdir()
    (home / "config.toml").write_text(CONFIG.format(model=model, base_url=base_url))
    return home


def codex_exec(prompt: str, home: Path, workdir: Path) -> list[dict[str, Any]]:
    """Run `codex exec --json`; returns its JSONL events, fails with its output on exit != 0."""
    assert CODEX.exists(), f"{CODEX} missing: run `npm ci` in {NODE_DIR}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_"))}
    env.update(CODEX_HOME=str(home), GEMINI_ADAPTER_KEY=API_KEY, NO_COLOR="1")
    done = subprocess.run(
        [str(CODEX), "exec", "--skip-git-repo-check", "--json", "-C", str(workdir), prompt],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )
    output = f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert done.returncode == 0, f"codex exec exited {done.returncode}\n{output}"
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    failures = [e for e in events if e.get("type") in ("turn.failed", "error")]
    assert not failures, output
    assert events and events[-1]["type"] == "turn.completed", output
    return events


def _items(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [
        e["item"] for e in events if e["type"] == "item.completed" and e["item"]["type"] == kind
    ]


def test_codex_exec_answers(base_url: str, tmp_path: Path) -> None:
    home = make_home(tmp_path, base_url, MODEL)
    events = codex_exec("Say hello to the conformance suite", home, tmp_path)
    messages = _items(events, "agent_message")
    assert [m["text"] for m in messages] == ["Echo: Say hello to the conformance suite"]
    assert events[-1]["usage"]["input_tokens"] > 0


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_codex_exec_tool_round(base_url: str, tmp_path: Path, model: str) -> None:
    """An unknown model name gets Codex's basic tools: `exec_command` is a plain function. The
    emulator's arguments run `example` in a shell; its output must reach the next request."""
    home = make_home(tmp_path, base_url, model)
    events = codex_exec("Use exec_command to look around", home, tmp_path)
    commands = _items(events, "command_execution")
    assert commands, json.dumps(events, indent=1)
    assert commands[0]["command"].endswith("example")
    messages = _items(events, "agent_message")
    assert messages, json.dumps(events, indent=1)
    assert messages[-1]["text"].startswith("Result of exec_command:")
    assert "example: command not found" in messages[-1]["text"]


def test_codex_exec_apply_patch_custom_tool_round(base_url: str, tmp_path: Path) -> None:
    """A model from Codex's own catalog (`gpt-5.5`, served as an alias of a Gemini 2.5 model)
    gets `apply_patch` as a freeform `custom` tool. The call must come back as a
    `custom_tool_call` whose raw `input` Codex parses as a patch (the emulator's input is not a
    valid patch, so Codex reports that), and its `custom_tool_call_output` continues the turn."""
    home = make_home(tmp_path, base_url, "gpt-5.5")
    events = codex_exec("Use apply_patch to add a notes file", home, tmp_path)
    messages = _items(events, "agent_message")
    assert messages, json.dumps(events, indent=1)
    assert messages[-1]["text"].startswith("Result of apply_patch:")
    assert "invalid patch" in messages[-1]["text"]


def test_codex_exec_code_mode_namespace_round(base_url: str, tmp_path: Path) -> None:
    """Codex's newest catalog models (`gpt-6.1-sol`, served as an alias of a Gemini 3 model)
    send no `tools` but an `additional_tools` input item holding `namespace` tools, among them
    `functions.exec`, a freeform custom tool whose input Codex runs as JavaScript. The raw input
    (`example`) must reach Codex unwrapped: `ReferenceError: example is not defined`."""
    home = make_home(tmp_path, base_url, "gpt-6.1-sol")
    events = codex_exec("Use functions.exec to print hello", home, tmp_path)
    messages = _items(events, "agent_message")
    assert messages, json.dumps(events, indent=1)
    assert messages[-1]["text"].startswith("Result of functions.exec:")
    assert "example is not defined" in messages[-1]["text"]
