"""1,000 concurrent open streams through one worker: RSS while all are open.

Starts a deliberately slow fake native upstream (an aiohttp server in this
process: one SSE event per --interval seconds, --events events per stream),
starts the target proxy with ONE worker in front of it (the adapter, or the
reference pass-through for comparison), opens --streams concurrent streaming
chat requests with an aiohttp client (127.0.0.1 only), samples the proxy's RSS
from /proc while every stream is open, and checks that every stream finished
complete (all events, and ``data: [DONE]`` for the adapter).

    python bench/concurrency.py --target adapter     # or: --target reference
    python bench/concurrency.py --target adapter --streams 1000 --events 15 --interval 1

Prints a human summary and one machine-readable line ``CONCURRENCY_RESULT {json}``.
Exit status 0 when all streams completed and (for the adapter) RSS < --rss-limit-mb.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from proc import free_port, stop_group, tree_pids

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = HERE / "fixtures"
MODEL = "gemini-2.5-flash"


# --------------------------------------------------------------------------- helpers
def rss_mb(root: int) -> float:
    total_kb = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
        except OSError:
            pass
    return total_kb / 1024.0


def raise_nofile(want: int = 8192) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --------------------------------------------------------------------------- slow upstream
def make_events(n: int) -> list[bytes]:
    """n Gemini-shaped SSE events (framed like the real API), last one with STOP."""
    out = []
    for i in range(n):
        last = i == n - 1
        cand: dict = {"content": {"parts": [{"text": f" word{i}"}], "role": "model"}}
        usage: dict = {"promptTokenCount": 12, "totalTokenCount": 12}
        if last:
            cand["finishReason"] = "STOP"
            cand["index"] = 0
            usage = {"promptTokenCount": 12, "candidatesTokenCount": n, "totalTokenCount": 12 + n}
        ev = {"candidates": [cand], "usageMetadata": usage, "modelVersion": MODEL}
        out.append(b"data: " + json.dumps(ev, separators=(",", ":")).encode() + b"\r\n\r\n")
    return out


class SlowUpstream:
    def __init__(self, events: int, interval: float):
        self.events = make_events(events)
        self.interval = interval
        self.open_streams = 0
        self.max_open = 0
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        tail = request.match_info["tail"]
        if tail.endswith(":generateContent"):
            body = json.loads(self.events[-1][6:].decode())
            return web.json_response(body)
        if not tail.endswith(":streamGenerateContent"):
            return web.json_response({"error": {"code": 404, "status": "NOT_FOUND"}}, status=404)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        self.open_streams += 1
        self.max_open = max(self.max_open, self.open_streams)
        try:
            for i, ev in enumerate(self.events):
                if i:
                    await asyncio.sleep(self.interval)
                await resp.write(ev)
            await resp.write_eof()
        finally:
            self.open_streams -= 1
        return resp

    async def start(self, port: int) -> None:
        app = web.Application()
        app.router.add_route("POST", "/v1beta/models/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port, backlog=4096).start()

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


# --------------------------------------------------------------------------- target proxy
def start_target(target: str, port: int, upstream: str, log_path: Path, args) -> subprocess.Popen:
    python = args.python
    if target == "adapter":
        base = (
            shlex.split(args.adapter_cmd)
            if args.adapter_cmd
            else [python, "-m", "adapter", "serve"]
        )
        extra = shlex.split(args.adapter_args)
    else:
        base, extra = [python, str(HERE / "reference_proxy.py")], []
    cmd = [
        *base,
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--upstream-url", upstream),
        *extra,
    ]
    env = dict(os.environ)
    env.pop("GEMINI_API_KEY", None)  # caller-key mode: forward the bench key
    log = open(log_path, "wb")
    return subprocess.Popen(
        cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


async def wait_port(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return True
        except OSError:
            await asyncio.sleep(0.1)
    return False


def stop_proc(proc: subprocess.Popen) -> None:
    stop_group(proc, 5)


# --------------------------------------------------------------------------- client
async def one_stream(session, url, body, state, expect_done: bool, n_events: int) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer bench-key"}
    try:
        async with session.post(url, data=body, headers=headers) as resp:
            if resp.status != 200:
                state["errors"].append(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                return
            events = 0
            done = False
            first = True
            buf = b""
            async for chunk in resp.content.iter_any():
                if first:
                    first = False
                    state["open"] += 1
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.startswith(b"data:"):
                        if line.strip() == b"data: [DONE]":
                            done = True
                        else:
                            events += 1
            if not first:
                state["open"] -= 1
            ok = events >= n_events and (done or not expect_done)
            if ok:
                state["completed"] += 1
            else:
                state["errors"].append(f"incomplete stream: {events} events, done={done}")
    except Exception as e:  # noqa: BLE001 - report every failure kind
        state["errors"].append(f"{type(e).__name__}: {e}")


async def run(args) -> dict:
    nofile = raise_nofile(8192)
    up_port, px_port = free_port(), free_port()
    upstream = SlowUpstream(args.events, args.interval)
    await upstream.start(up_port)
    log_path = Path(args.log_dir) / f"concurrency_{args.target}.log"
    proc = start_target(args.target, px_port, f"http://127.0.0.1:{up_port}", log_path, args)
    result: dict = {
        "target": args.target,
        "streams": args.streams,
        "events": args.events,
        "interval_s": args.interval,
        "nofile": nofile,
    }
    try:
        if not await wait_port(px_port, proc, args.start_timeout):
            tail = log_path.read_bytes()[-2000:].decode(errors="replace")
            result.update(
                ok=False,
                error=f"{args.target} did not start (exit={proc.poll()}); log tail:\n{tail}",
            )
            return result
        await asyncio.sleep(0.5)
        rss_idle = rss_mb(proc.pid)
        body = (FIXTURES / "chat_request_stream.json").read_bytes()
        url = f"http://127.0.0.1:{px_port}/v1/chat/completions"
        state = {"open": 0, "completed": 0, "errors": []}
        conn = aiohttp.TCPConnector(limit=0, force_close=True)
        timeout = aiohttp.ClientTimeout(total=args.events * args.interval + 60)
        t0 = time.monotonic()
        async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
            tasks = [
                asyncio.create_task(
                    one_stream(session, url, body, state, args.target == "adapter", args.events)
                )
                for _ in range(args.streams)
            ]
            rss_all_open = None
            all_open_at = None
            rss_peak = rss_idle
            max_open = 0
            while not all(t.done() for t in tasks):
                await asyncio.sleep(0.25)
                r = rss_mb(proc.pid)
                rss_peak = max(rss_peak, r)
                max_open = max(max_open, state["open"])
                if rss_all_open is None and state["open"] >= args.streams:
                    all_open_at = time.monotonic() - t0
                    await asyncio.sleep(1.0)  # let every stream get a couple of events
                    rss_all_open = rss_mb(proc.pid)
                    rss_peak = max(rss_peak, rss_all_open)
            await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0
        errors = state["errors"]
        result.update(
            ok=state["completed"] == args.streams,
            completed=state["completed"],
            max_open_client=max_open,
            max_open_upstream=upstream.max_open,
            all_open_after_s=None if all_open_at is None else round(all_open_at, 2),
            rss_idle_mb=round(rss_idle, 1),
            rss_all_open_mb=None if rss_all_open is None else round(rss_all_open, 1),
            rss_peak_mb=round(rss_peak, 1),
            elapsed_s=round(elapsed, 1),
            n_errors=len(errors),
            first_errors=sorted(set(errors))[:5],
        )
        if proc.poll() is not None:
            result.update(ok=False, error=f"{args.target} exited during the test ({proc.poll()})")
        return result
    finally:
        stop_proc(proc)
        await upstream.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description="1,000 concurrent open streams, one worker: RSS")
    ap.add_argument("--target", choices=["adapter", "reference"], default="adapter")
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--events", type=int, default=15)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--rss-limit-mb", type=float, default=150.0)
    ap.add_argument("--start-timeout", type=float, default=30.0)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--adapter-cmd", default=None, help="default: PYTHON -m adapter serve")
    ap.add_argument("--adapter-args", default="", help="extra arguments for the adapter")
    ap.add_argument("--log-dir", default=os.environ.get("BENCH_TMP", "/tmp"))
    args = ap.parse_args()
    try:
        import uvloop  # noqa: PLC0415

        uvloop.install()
    except ImportError:
        pass
    res = asyncio.run(run(args))
    if "error" in res:
        print(f"[concurrency] {args.target}: FAILED: {res['error']}")
    else:
        verdict = (
            "all completed" if res["ok"] else f"only {res['completed']}/{args.streams} completed"
        )
        print(
            f"[concurrency] {args.target}: {args.streams} streams x {args.events} events "
            f"@ {args.interval}s: {verdict}; all open after {res['all_open_after_s']} s; "
            f"RSS idle {res['rss_idle_mb']} MB, with all open {res['rss_all_open_mb']} MB, "
            f"peak {res['rss_peak_mb']} MB; {res['elapsed_s']} s"
        )
        if res["first_errors"]:
            print(f"[concurrency] {res['n_errors']} errors, e.g.: {res['first_errors']}")
    print("CONCURRENCY_RESULT " + json.dumps(res))
    rss = res.get("rss_all_open_mb") or res.get("rss_peak_mb") or 0
    good = res.get("ok") and (args.target != "adapter" or rss < args.rss_limit_mb)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
