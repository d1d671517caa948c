"""One real service for every client test: `gemini-adapter serve --upstream-url emulator` in a
subprocess (as a user runs it), started once per session, and the Node clients' install.

Clients get the base URL with `/v1`; the key is any string (the emulator accepts anything but
`invalid`, and the adapter forwards the caller's key in this mode).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from servers import free_port, start_server_process

INSTRUCTOR = "instructor==1.17.0"


def _ensure_instructor() -> None:
    """instructor caps jiter below what current `openai` needs, though it runs fine on it;
    letting pip resolve it would downgrade `openai` for the whole suite. So it is installed
    without its dependencies (the others are in the `clients` extra), here on first use as
    `.ci/run` does, so that `pytest` after the README's install runs every test."""
    if importlib.util.find_spec("instructor") is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", INSTRUCTOR],
            check=True,
        )


_ensure_instructor()

NODE_DIR = Path(__file__).parent / "node"
API_KEY = "client-conformance-key"
MODEL = "gemini-2.5-flash"
# Gemini 3 signs its function calls: a tool round only works if the client's replay of the
# call (whatever it keeps of it) lets the service restore the signature.
MODEL_3 = "gemini-3-flash-preview"
TOOL_MODELS = (MODEL, MODEL_3)
# Model names that clients know and configure differently, served as aliases (as users do):
# Codex's own catalog models get Codex's full tool set (the freeform `apply_patch` custom tool,
# `tool_search`, reasoning effort), which unknown model names do not.
MODEL_ALIASES = {"gpt-5.5": MODEL, "gpt-6.1-sol": MODEL_3}


@pytest.fixture(scope="session")
def service_root() -> Iterator[str]:
    """Base URL (no `/v1`) of a `gemini-adapter serve --upstream-url emulator` subprocess."""
    port = free_port()
    state = tempfile.mkdtemp(prefix="clients-state-")
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    env["XDG_STATE_HOME"] = state  # the default store lands in a throwaway directory
    config = Path(state) / "adapter.json"
    config.write_bytes(orjson.dumps({"model_aliases": MODEL_ALIASES}))
    command = [sys.executable, "-m", "adapter", "serve", "--upstream-url", "emulator"]
    command += ["--port", str(port), "--config", str(config), "--log-level", "warning"]
    process, url = start_server_process(command, port, env=env, timeout=30)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(service_root: str) -> str:
    """What an OpenAI-compatible client takes as `base_url`."""
    return f"{service_root}/v1"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The pinned Node clients (package-lock.json), installed with `npm ci` when missing.

    No skip: a machine without node/npm fails these tests, since CI installs them.
    """
    installed = NODE_DIR / "node_modules"
    if not (installed / ".package-lock.json").exists():
        npm = shutil.which("npm")
        assert npm, "npm is not on PATH: the Node client tests need node >= 20 and npm"
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return installed


def run_node(script: str, base_url: str, timeout: float = 60) -> str:
    """Run `tests/clients/node/<script>` with node; returns its stdout, fails with its output.

    The script gets the service as `ADAPTER_BASE_URL` (with `/v1`), `ADAPTER_API_KEY`,
    `ADAPTER_MODEL` and `ADAPTER_TOOL_MODELS` (comma-separated models to run tool rounds on),
    and exits non-zero on any failed check.
    """
    node = shutil.which("node")
    assert node, "node is not on PATH: the Node client tests need node >= 20"
    env = dict(os.environ)
    env.update(
        ADAPTER_BASE_URL=base_url,
        ADAPTER_API_KEY=API_KEY,
        ADAPTER_MODEL=MODEL,
        ADAPTER_TOOL_MODELS=",".join(TOOL_MODELS),
    )
    done = subprocess.run(
        [node, script],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"node {script} exited {done.returncode}\n--- stdout\n{done.stdout}\n"
        f"--- stderr\n{done.stderr}"
    )
    return done.stdout
