"""The console script's life cycle, as Kubernetes and systemd see it: bad settings stop it
with one line (exit 2), a failed bind says nothing about serving, and SIGTERM lets running
streams finish, then exits 0 (uvicorn alone re-raises the signal: exit -15)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from servers import free_port, start_server_process, wait_until

SCRIPT = str(Path(sys.executable).with_name("gemini-adapter"))
LONG_TEXT = " ".join(f"w{i}" for i in range(3000))  # 1,000 events, 5 ms apart: 5 s+


def _env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS", "MODEL_ALIASES", "ADAPTER_STORE")
    }


def _start(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    return start_server_process(
        [SCRIPT, "serve", "--upstream-url", "emulator", "--port", str(port), *args], port, _env()
    )


def _stream_in_background(url: str, lines: list[str]) -> threading.Thread:
    def run() -> None:
        body = {
            "model": "gemini-2.5-flash",
            "messages": [{"role": "user", "content": LONG_TEXT}],
            "stream": True,
        }
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=30) as reply:
            for line in reply.iter_lines():
                if line:
                    lines.append(line)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_sigterm_lets_streams_finish_then_exits_0() -> None:
    process, url = _start()
    lines: list[str] = []
    thread = _stream_in_background(url, lines)
    assert wait_until(lambda: len(lines) > 5, timeout=10)
    process.send_signal(signal.SIGTERM)
    thread.join(30)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert lines[-1] == "data: [DONE]"
    assert "Traceback" not in output


def test_shutdown_past_the_grace_period_ends_streams_with_an_error_event_and_no_traceback() -> None:
    process, url = _start("--shutdown-grace", "1")
    lines: list[str] = []
    thread = _stream_in_background(url, lines)
    assert wait_until(lambda: len(lines) > 5, timeout=10)
    process.send_signal(signal.SIGTERM)
    thread.join(30)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "shutting_down" in lines[-1]
    assert "Traceback" not in output and "CancelledError" not in output


def test_a_failed_bind_never_claims_to_serve() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [SCRIPT, "serve", "--upstream-url", "emulator", "--port", str(port)],
            env=_env(),
            capture_output=True,
            timeout=30,
        )
    output = (result.stdout + result.stderr).decode()
    assert result.returncode != 0
    assert "serving on" not in output
    assert "address already in use" in output.lower()


@pytest.mark.parametrize(
    ("args", "file", "named"),
    [
        (["--log-level", "bogus"], None, "log_level (--log-level)"),
        (["--max-body-bytes", "-1"], None, "max_body_bytes (--max-body-bytes)"),
        (["--upstream-url", "htps//typo"], None, "upstream_url (--upstream-url)"),
        (["--upstream-timeout", "fast"], None, "upstream_timeout_s (--upstream-timeout)"),
        (["--upstream-retries", "-2"], None, "upstream_retries (--upstream-retries)"),
        (["--port", "http"], None, "port (--port)"),
        ([], '{"client_keys": "team-key"}', "client_keys"),
        ([], '{"model_aliases": "gpt-4o=gemini-2.5-pro"}', "model_aliases"),
        ([], '{"upstream_timeout_s": "fast"}', "upstream_timeout_s"),
        ([], '{"modle_aliases": {}}', "'modle_aliases'"),
        ([], "[1, 2]", "JSON object"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line(
    tmp_path: Path, args: list[str], file: str | None, named: str
) -> None:
    if file is not None:
        path = tmp_path / "config.json"
        path.write_text(file)
        args = [*args, "--config", str(path)]
    started = time.monotonic()
    result = subprocess.run(
        [SCRIPT, "serve", "--port", str(free_port()), *args],
        env=_env(),
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("gemini-adapter: ") and named in lines[0], lines[0]
    assert "Traceback" not in lines[0]
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["serve", "--host", "256.1.1.1"], "host (--host)"),
        (["serve", "--host", "bad host"], "host (--host)"),
        (["emulator", "--port", "99999"], "--port"),
    ],
)
def test_bad_addresses_are_refused_before_binding(args: list[str], named: str) -> None:
    """Seen on a new user's first day: --host 256.1.1.1 died with a resolver error (exit 3)
    and `emulator --port 99999` claimed to run."""
    result = subprocess.run([SCRIPT, *args], env=_env(), capture_output=True, timeout=30)
    assert result.returncode == 2
    assert named in result.stderr.decode()
    assert "Uvicorn running" not in (result.stdout + result.stderr).decode()


@pytest.mark.parametrize("command", ["serve", "emulator"])
def test_a_port_in_use_is_one_line_and_exit_1(command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [SCRIPT, command, "--port", str(port)]
        if command == "serve":
            args += ["--upstream-url", "emulator"]
        result = subprocess.run(args, env=_env(), capture_output=True, timeout=30)
    assert result.returncode == 1
    assert f"gemini-adapter: cannot listen on 127.0.0.1:{port}" in result.stderr.decode()
