"""Shared by the observability tests: a served CLI subprocess and /metrics parsing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families
from servers import free_port, wait_until


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample `name` whose labels include `labels` (0 when absent), parsed
    with prometheus_client's own parser."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def scrape(base: str) -> str:
    return httpx.get(f"{base}/metrics").text


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serve(
    *flags: str, env: dict[str, str] | None = None, python_prelude: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """`gemini-adapter serve --upstream-url emulator --port P *flags` in a subprocess.
    Yields (base URL, output lines); the lines are filled once it stopped (SIGTERM)."""
    port = free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS", "PROMETHEUS_MULTIPROC_DIR")
        and not k.startswith("OTEL_")
    }
    environ.update(env or {})
    code = f"{python_prelude}\nimport sys\nfrom adapter.cli import main\nsys.exit(main())"
    args = ["serve", "--upstream-url", "emulator", "--port", str(port), *flags]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        if not wait_until(lambda: _healthy(url), timeout=30):
            process.kill()
            raise RuntimeError(process.communicate()[0].decode())
        yield url, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=40)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
        lines.extend(output.splitlines())
        lines.append(f"exit {process.returncode}")
