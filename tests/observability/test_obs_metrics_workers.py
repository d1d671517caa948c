"""/metrics is right with `--workers 2`: whichever worker answers the scrape, it shows every
worker's requests (prometheus_client's multi-process mode)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import openai
from obs_helpers import sample, scrape, serve
from servers import wait_until

from adapter.observability import workers

N = 12


def test_two_workers_sum_their_counts(tmp_path: Path) -> None:
    values = tmp_path / "prom"
    values.mkdir()
    # A file left by an earlier run would be added in: the CLI must clear it on start.
    (values / "counter_999999.db").write_bytes(b"left over from an earlier run")
    with serve("--workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(values)}) as (url, lines):
        for i in range(N):
            # A fresh connection each time, so the kernel spreads them over both workers.
            client = openai.OpenAI(
                base_url=f"{url}/v1", api_key="k", max_retries=0, http_client=httpx.Client()
            )
            messages = [{"role": "user", "content": f"Hello {i}"}]
            if i % 2:
                list(
                    client.chat.completions.create(
                        model="gemini-2.5-flash", messages=messages, stream=True
                    )
                )
            else:
                client.chat.completions.create(model="gemini-2.5-flash", messages=messages)
            client.close()
        # Both workers must have counted something (each writes counter_<pid>.db), or the
        # sums below would prove nothing; /healthz on fresh connections until they have.
        for _ in range(200):
            if len(list(values.glob("counter_*.db"))) >= 2:
                break
            httpx.get(f"{url}/healthz")
        assert len(list(values.glob("counter_*.db"))) >= 2
        for _ in range(6):  # several scrapes: different workers answer, same totals
            text = scrape(url)
            labels = {"route": "chat", "model": "gemini-2.5-flash", "status": "200"}
            assert sample(text, "adapter_requests_total", **labels) == N, text
            assert sample(text, "adapter_request_seconds_count", route="chat") == N
            assert sample(text, "adapter_first_byte_seconds_count", route="chat") == N
            assert sample(text, "adapter_upstream_responses_total", status="200") == N
            prompt = sample(text, "adapter_tokens_total", model="gemini-2.5-flash", kind="prompt")
            assert prompt >= N
            assert sample(text, "adapter_active_streams") == 0
    assert lines[-1] == "exit 0", "\n".join(lines)
    assert not list(values.glob("counter_999999.db"))


def test_prepare_multiprocess_dir_makes_and_removes_a_fresh_one() -> None:
    saved = os.environ.pop(workers.MULTIPROC_ENV, None)
    try:
        path = workers.prepare_multiprocess_dir()
        assert path is not None and os.environ[workers.MULTIPROC_ENV] == path
        assert os.path.isdir(path) and not os.listdir(path)
        workers.remove_multiprocess_dir(path)
        assert not os.path.exists(path)
    finally:
        os.environ.pop(workers.MULTIPROC_ENV, None)
        if saved is not None:
            os.environ[workers.MULTIPROC_ENV] = saved


def test_a_dead_worker_leaves_the_gauges(tmp_path: Path) -> None:
    """When a worker dies, the supervisor starts another and marks the dead one with
    prometheus_client's mark_process_dead: its live gauge file goes, so a stream it had
    open no longer counts in adapter_active_streams."""
    values = tmp_path / "prom"
    with serve("--workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(values)}) as (url, lines):
        assert wait_until(lambda: len(list(values.glob("gauge_livesum_*.db"))) == 2, 10)
        victim = int(sorted(values.glob("gauge_livesum_*.db"))[0].stem.rpartition("_")[2])
        os.kill(victim, signal.SIGKILL)
        gone = values / f"gauge_livesum_{victim}.db"
        assert wait_until(lambda: not gone.exists(), 15), list(values.iterdir())
        assert wait_until(lambda: len(list(values.glob("gauge_livesum_*.db"))) == 2, 15)
        assert sample(scrape(url), "adapter_active_streams") == 0
    assert lines[-1] == "exit 0", "\n".join(lines)
