"""What the response store costs (numbers in docs/store.md).

For each backend (a SQLite file, and PostgreSQL started here in a temp dir with
tests/pgserver.py), one adapter process (`gemini-adapter serve --upstream-url emulator
--store ...`) and, in the same run:

1. `store: true` vs `store: false`: rounds of R non-stream `POST /v1/responses` at
   concurrency C, alternating the two so both see the same machine; the ratios of their
   mean latencies, throughputs and the adapter process's CPU per request (the steadiest
   of the three on a shared machine; it includes the SQLite threads, not PostgreSQL's
   own processes). The emulator runs inside the adapter process, in both arms alike.
2. A `previous_response_id` chain of 50 turns: the latency of turn 1 and of turn 50
   (median of 15 repeats of the turn-50 call, each continuing from turn 49), next to the
   same call with `store: false` (history read, nothing written) and to the history resent
   inline with `store: false` (what the store saves the client from doing).

    python bench/store_overhead.py [--requests 200] [--concurrency 16] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from pgserver import PostgresServer  # noqa: E402
from servers import free_port, wait_until  # noqa: E402

MODEL = "gemini-2.5-flash"
KEY = "bench-key"


def serve(store: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "serve", "--port", str(port), "--store", store,
         "--upstream-url", "emulator", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    if not wait_until(healthy, timeout=30):
        process.kill()
        raise RuntimeError("adapter did not start")
    return url, process


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    reply = await client.post("/v1/responses", json=body)
    elapsed = time.perf_counter() - start
    reply.raise_for_status()
    return elapsed, reply.json()


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def round_of(
    client: httpx.AsyncClient, store: bool, n: int, concurrency: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            body = {"model": MODEL, "input": f"Hello number {i}", "store": store}
            latencies.append((await post(client, body))[0])

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, n / (time.perf_counter() - start)


async def overhead(url: str, pid: int, n: int, concurrency: int, rounds: int) -> dict[str, float]:
    headers = {"authorization": f"Bearer {KEY}"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as c:
        await round_of(c, True, 50, concurrency)  # warm-up
        await round_of(c, False, 50, concurrency)
        lat: dict[bool, list[float]] = {True: [], False: []}
        rate: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, float] = {True: 0.0, False: 0.0}
        for _ in range(rounds):
            for store in (False, True):
                before = cpu_s(pid)
                latencies, throughput = await round_of(c, store, n, concurrency)
                cpu[store] += cpu_s(pid) - before
                lat[store] += latencies
                rate[store].append(throughput)
    return {
        "mean_ms_store": statistics.fmean(lat[True]) * 1000,
        "mean_ms_nostore": statistics.fmean(lat[False]) * 1000,
        "p99_ms_store": statistics.quantiles(lat[True], n=100)[98] * 1000,
        "p99_ms_nostore": statistics.quantiles(lat[False], n=100)[98] * 1000,
        "rps_store": statistics.fmean(rate[True]),
        "rps_nostore": statistics.fmean(rate[False]),
        "cpu_us_store": cpu[True] / (n * rounds) * 1e6,
        "cpu_us_nostore": cpu[False] / (n * rounds) * 1e6,
    }


async def chain(url: str, turns: int = 50, repeats: int = 15) -> dict[str, float]:
    headers = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        previous = None
        first_ms = 0.0
        history: list[dict[str, Any]] = []
        for turn in range(1, turns):
            body: dict[str, Any] = {"model": MODEL, "input": f"Turn {turn}: tell me more."}
            if previous:
                body["previous_response_id"] = previous
            elapsed, response = await post(c, body)
            if turn == 1:
                first_ms = elapsed * 1000
            previous = response["id"]
            history.append({"role": "user", "content": f"Turn {turn}: tell me more."})
            history += response["output"]
        last = {"role": "user", "content": f"Turn {turns}: tell me more."}
        variants = {
            "chained": {"input": [last], "previous_response_id": previous},
            "chained_nostore": {"input": [last], "previous_response_id": previous, "store": False},
            "inline": {"input": [*history, last], "store": False},
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repeats):  # interleaved, so all three see the same machine
            for name, body in variants.items():
                times[name].append((await post(c, {"model": MODEL, **body}))[0] * 1000)
    return {
        "turn1_ms": first_ms,
        "turn50_chained_ms": statistics.median(times["chained"]),
        "turn50_chained_nostore_ms": statistics.median(times["chained_nostore"]),
        "turn50_inline_ms": statistics.median(times["inline"]),
    }


def report(name: str, o: dict[str, float], ch: dict[str, float]) -> None:
    print(
        f"{name:9s} store:true/false mean latency {o['mean_ms_store']:.2f}/"
        f"{o['mean_ms_nostore']:.2f} ms = {o['mean_ms_store'] / o['mean_ms_nostore']:.2f}x; "
        f"p99 {o['p99_ms_store']:.1f}/{o['p99_ms_nostore']:.1f} ms; "
        f"throughput {o['rps_store']:.0f}/{o['rps_nostore']:.0f} req/s "
        f"= {o['rps_store'] / o['rps_nostore']:.2f}x; adapter CPU per request "
        f"{o['cpu_us_store']:.0f}/{o['cpu_us_nostore']:.0f} us "
        f"= {o['cpu_us_store'] / o['cpu_us_nostore']:.2f}x"
    )
    print(
        f"{name:9s} chain: turn 1 {ch['turn1_ms']:.1f} ms; turn 50 (median) with "
        f"previous_response_id {ch['turn50_chained_ms']:.1f} ms, the same with store:false "
        f"{ch['turn50_chained_nostore_ms']:.1f} ms, the history resent inline with "
        f"store:false {ch['turn50_inline_ms']:.1f} ms"
    )


async def run(store: str, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float]]:
    url, process = serve(store)
    try:
        return (
            await overhead(url, process.pid, args.requests, args.concurrency, args.rounds),
            await chain(url),
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("sqlite", *asyncio.run(run(f"sqlite:///{tmp}/bench.db", args)))
    server = PostgresServer().start()
    try:
        report("postgres", *asyncio.run(run(server.url, args)))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
