"""The README's quick start, for real: `gemini-adapter serve --upstream-url emulator` in a
subprocess, driven by the OpenAI SDK, then stopped with SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from servers import free_port, wait_until


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user's state directory for the served adapter: its default store goes there."""
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def served(state_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    env.pop("ADAPTER_STORE", None)
    env["XDG_STATE_HOME"] = str(state_dir)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapter",
            "serve",
            "--upstream-url",
            "emulator",
            "--port",
            str(port),
            "--workers",
            "2",
            "--access-log",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_until(lambda: _healthy(url), timeout=20):
        process.kill()
        raise RuntimeError(process.communicate()[0].decode())
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_quick_start_chat_and_stream(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="any-key", max_retries=0)
    reply = client.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hello!"}]
    )
    assert reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(
            model="gemini-2.5-flash",
            messages=[{"role": "user", "content": "Hello!"}],
            stream=True,
        )
        if chunk.choices
    ]
    assert len([p for p in pieces if p]) > 1
    assert "".join(pieces) == reply.choices[0].message.content
    native = httpx.get(f"{url}/v1beta/models?key=query-secret-77")  # native passthrough
    assert native.status_code == 200 and native.json()["models"]


def test_quick_start_keeps_a_store(
    served: tuple[str, subprocess.Popen[bytes]], state_dir: Path
) -> None:
    """No flag, no database server: the default store is a SQLite file created on first use
    under $XDG_STATE_HOME, shared by both workers."""
    url, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="any-key", max_retries=0)
    conversation = client.conversations.create(metadata={"from": "quick start"})
    for _ in range(4):  # whichever worker answers sees it
        assert client.conversations.retrieve(conversation.id).metadata == {"from": "quick start"}
    store = state_dir / "gemini-adapter" / "store.db"
    assert store.is_file()
    data = b"".join(p.read_bytes() for p in store.parent.iterdir())
    assert b"adapter_meta" in data and b"any-key" not in data


def test_quick_start_continues_a_conversation(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """The README's previous_response_id example, as written."""
    url, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="any-key", max_retries=0)
    first = client.responses.create(model="gemini-2.5-flash", input="My name is Ann.")
    second = client.responses.create(
        model="gemini-2.5-flash", input="What is my name?", previous_response_id=first.id
    )
    assert second.output_text and second.previous_response_id == first.id
    assert client.responses.retrieve(second.id).status == "completed"
    items = client.responses.input_items.list(second.id)
    assert [i.content[0].text for i in items.data] == ["What is my name?"]  # type: ignore[union-attr]


def test_sigterm_exits_cleanly(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    _, process = served
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=40)[0].decode()
    assert process.returncode == 0, output
    assert "any-key" not in output
    assert "GET /v1beta/models request_id=" in output  # the request line ran, without the key
    assert "query-secret-77" not in output


def test_refuses_to_start_as_open_relay() -> None:
    env = {**os.environ, "GEMINI_API_KEY": "server-secret-key"}
    env.pop("ADAPTER_API_KEYS", None)
    result = subprocess.run(
        [sys.executable, "-m", "adapter", "serve", "--host", "0.0.0.0", "--port", "1"],
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert b"open relay" in result.stderr
    assert b"server-secret-key" not in result.stderr + result.stdout
