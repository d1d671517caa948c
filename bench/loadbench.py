"""Load benchmark orchestrator (run it through bench/run.sh, which installs wrk/nginx).

One run, all on 127.0.0.1:
  1. nginx (generated config in a temp dir) as the fake native upstream, answering
     POST ...:generateContent with bench/fixtures/generate_content.json and
     POST ...:streamGenerateContent with bench/fixtures/stream_generate_content.sse
     (20 events); checked alone with wrk first so the reader sees it is not the
     bottleneck;
  2. the reference pass-through (bench/reference_proxy.py, aiohttp client) and the
     adapter (python -m adapter serve), same worker count;
  3. wrk (1 thread, POST via bench/post.lua) against each, non-stream and stream,
     at 1, 16 and 64 connections, reference and adapter interleaved per cell;
     CPU time (utime+stime from /proc, summed over the proxy's process tree) and
     RSS sampled before/after every run;
  4. unless --quick: bench/concurrency.py (1,000 open streams, 1 worker) for the
     adapter and the reference;
  5. bench/micro.py (translation µs per call).
Optional target `litellm` (--targets reference,adapter,litellm): the LiteLLM proxy from
bench/.litellm-venv (run.sh installs it there on first use), routed to the same nginx.
Prints a Markdown report and writes it to bench/results/latest.md (+ latest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from proc import free_port, stop_group, tree_pids

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = HERE / "fixtures"
RESULTS = HERE / "results"
MODEL = "gemini-2.5-flash"
CLK_TCK = os.sysconf("SC_CLK_TCK")
IMAGE_MODEL = "gemini-2.5-flash-image"
MODES = {
    "non-stream": "chat_request.json",
    "stream": "chat_request_stream.json",
    "responses": "responses_request.json",
    "responses-stream": "responses_request_stream.json",
    "images": "images_request.json",
}
# The OpenAI route each mode posts to (the reference forwards each to the native call).
ROUTES = {
    "non-stream": "/v1/chat/completions",
    "stream": "/v1/chat/completions",
    # the Responses API: the same conversation, the same upstream replies
    "responses": "/v1/responses",
    "responses-stream": "/v1/responses",
    "images": "/v1/images/generations",
}
NATIVE_PATHS = {
    "non-stream": f"/v1beta/models/{MODEL}:generateContent",
    "stream": f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse",
    "images": f"/v1beta/models/{IMAGE_MODEL}:generateContent",
}
RESPONSES_MODES = ("responses", "responses-stream")
# Modes a target has no route for (LiteLLM is set up for chat only).
SKIPPED_MODES = {"litellm": {"images", *RESPONSES_MODES}}

LITELLM_BIN = HERE / ".litellm-venv" / "bin" / "litellm"
# LiteLLM's gemini provider with a custom api_base posts to
# {api_base}/models/{model}:generateContent (…:streamGenerateContent?alt=sse).
LITELLM_CONFIG = """\
model_list:
  - model_name: {model}
    litellm_params:
      model: gemini/{model}
      api_base: {upstream}/v1beta
      api_key: bench-upstream-key
litellm_settings:
  telemetry: false
general_settings:
  # the wrk/sanity requests send `Authorization: Bearer bench-key`; LiteLLM refuses to
  # start without a master key, and accepts requests bearing it without a database
  master_key: bench-key
"""

_procs: list[subprocess.Popen] = []


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- processes
def spawn(cmd: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    f = open(log_path, "wb")
    p = subprocess.Popen(
        cmd, cwd=REPO, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )  # own process group: we kill the group
    _procs.append(p)
    return p


def stop(p: subprocess.Popen) -> None:
    stop_group(p, 8)


def stop_all() -> None:
    for p in reversed(_procs):
        stop(p)


def wait_port(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def tail(path: Path, n: int = 2500) -> str:
    try:
        return path.read_bytes()[-n:].decode(errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------- /proc sampling
def sample(root: int) -> dict:
    """CPU seconds (utime+stime) and RSS MB summed over the process tree."""
    ticks, rss_kb, n = 0, 0, 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            rest = stat[stat.rfind(b")") + 2 :].split()
            ticks += int(rest[11]) + int(rest[12])  # fields 14, 15: utime, stime
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss_kb += int(line.split()[1])
                        break
            n += 1
        except (OSError, IndexError, ValueError):
            continue
    return {"cpu_s": ticks / CLK_TCK, "rss_mb": rss_kb / 1024.0, "procs": n}


# --------------------------------------------------------------------------- upstream
NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx_error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nodelay on;
    etag off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_buffer_size 1m;
    client_max_body_size 64m;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 600s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        # nginx's static module refuses POST (405); turn that into an internal
        # GET of the canned body, answered 200. Image models get an image reply
        # (regex locations match in order: this one first).
        location ~ -image:generateContent$ {{
            error_page 405 =200 /_canned/generate_image.json;
            return 405;
        }}
        location ~ :generateContent$ {{
            error_page 405 =200 /_canned/generate_content.json;
            return 405;
        }}
        location ~ :streamGenerateContent$ {{
            error_page 405 =200 /_canned/stream_generate_content.sse;
            return 405;
        }}
        location /_canned/ {{
            internal;
            alias {fixtures}/;
            types {{ application/json json; text/event-stream sse; }}
        }}
        location / {{
            default_type application/json;
            return 404 '{{"error":{{"code":404,"message":"not found","status":"NOT_FOUND"}}}}';
        }}
    }}
}}
"""


def start_nginx(tmp: Path, port: int) -> subprocess.Popen:
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, fixtures=FIXTURES))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    test = subprocess.run(
        [nginx, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True
    )
    if test.returncode != 0:
        raise SystemExit(f"nginx config test failed:\n{test.stderr}")
    p = spawn([nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], tmp / "nginx.log")
    if not wait_port(port, p, 10):
        raise SystemExit(
            f"nginx did not start:\n{tail(tmp / 'nginx.log')}{tail(tmp / 'nginx_error.log')}"
        )
    return p


# --------------------------------------------------------------------------- wrk
WRK_RE = re.compile(r"^BENCH_RESULT (\{.*\})\s*$", re.M)


def wrk(url: str, body_file: Path, conns: int, seconds: float, timeout_s: int = 10) -> dict:
    cmd = [
        "wrk",
        "-t1",
        f"-c{conns}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        f"{timeout_s}s",
        "-s",
        str(HERE / "post.lua"),
        url,
    ]
    env = dict(os.environ, BENCH_BODY=str(body_file))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 60)
    m = WRK_RE.search(out.stdout)
    if not m:
        return {
            "error": f"wrk failed (rc={out.returncode}): {out.stdout[-500:]}{out.stderr[-500:]}"
        }
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    r["errors"] = sum(
        r[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout")
    )
    return r


def wait_idle(root: int, max_s: float = 60.0) -> None:
    """Wait until the process tree has (almost) stopped using CPU: a slow proxy keeps
    working on requests wrk abandoned at the end of a run, which must not overlap the
    next measurement."""
    deadline = time.monotonic() + max_s
    last = sample(root)["cpu_s"]
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = sample(root)["cpu_s"]
        if now - last <= 0.02:  # < 8% of one CPU
            return
        last = now


def measured_run(target: dict, mode: str, conns: int, seconds: float, timeout_s: int = 10) -> dict:
    before = sample(target["proc"].pid)
    r = wrk(target["base"] + ROUTES[mode], FIXTURES / MODES[mode], conns, seconds, timeout_s)
    if target.get("slow"):
        wait_idle(target["proc"].pid)  # its CPU for the abandoned requests is counted too
    after = sample(target["proc"].pid)
    r.update(
        target=target["name"],
        mode=mode,
        conns=conns,
        rss_before_mb=round(before["rss_mb"], 1),
        rss_mb=round(after["rss_mb"], 1),
        cpu_s=round(after["cpu_s"] - before["cpu_s"], 3),
        procs=after["procs"],
    )
    ok = r.get("requests", 0) - r.get("err_status", 0)
    r["cpu_ms_per_req"] = (r["cpu_s"] * 1000 / ok) if ok > 0 else None
    if target["proc"].poll() is not None:
        r["error"] = f"{target['name']} exited (rc={target['proc'].returncode})"
    return r


def combine(parts: list[dict]) -> dict:
    """Merge the interleaved slices of one (target, mode, conns) cell: req/s over the
    total time, CPU over the total requests, p50/p99 = median of the slices."""
    good = [p for p in parts if "rps" in p]
    if not good:
        return parts[-1]
    r = dict(good[-1])
    r["requests"] = sum(p["requests"] for p in good)
    r["duration_us"] = sum(p["duration_us"] for p in good)
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    for k in (
        "errors",
        "err_connect",
        "err_read",
        "err_write",
        "err_status",
        "err_timeout",
        "bytes",
        "cpu_s",
    ):
        r[k] = sum(p.get(k, 0) for p in good)
    for k in ("p50_us", "p90_us", "p99_us"):
        vals = sorted(p[k] for p in good)
        r[k] = vals[len(vals) // 2]
    r["max_us"] = max(p["max_us"] for p in good)
    r["rss_before_mb"] = good[0]["rss_before_mb"]
    ok = r["requests"] - r["err_status"]
    r["cpu_ms_per_req"] = (r["cpu_s"] * 1000 / ok) if ok > 0 else None
    rates = [p["rps"] for p in good]
    r["slices_rps"] = [round(x) for x in rates]
    mean = sum(rates) / len(rates)
    if len(rates) > 1:
        r["spread"] = (max(rates) - min(rates)) / mean if mean else 0.0
    errs = [p["error"] for p in parts if p.get("error")]
    if errs:
        r["error"] = errs[-1]
    else:
        r.pop("error", None)
    return r


# --------------------------------------------------------------------------- sanity
def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, bytes, str]:
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer bench-key"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), resp.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("content-type", "")
    except OSError as e:
        return 0, str(e).encode(), ""


class Insane(Exception):
    """A target answered a sanity request wrongly; the message says how."""


def post_mode(mode: str, base: str) -> tuple[bytes, str]:
    """POST `mode`'s fixture to its route: (body, content type); Insane unless HTTP 200."""
    st, body, ctype = post(base + ROUTES[mode], (FIXTURES / MODES[mode]).read_bytes())
    if st != 200:
        raise Insane(f"{mode}: HTTP {st}: {body[:300]!r}")
    return body, ctype


def json_of(mode: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise Insane(f"{mode}: not JSON: {body[:300]!r}") from None


def sanity_images(name: str, base: str) -> str | None:
    body, _ = post_mode("images", base)
    doc = json_of("images", body)
    if name == "adapter":
        ok = bool((doc.get("data") or [{}])[0].get("b64_json"))
    else:
        ok = bool(doc.get("candidates"))
    return None if ok else f"images: no image in {body[:300]!r}"


def sanity_responses(name: str, base: str) -> str | None:
    """The Responses modes: a `response` object, and a stream ending in response.completed
    (the reference relays the native replies unchanged)."""
    body, _ = post_mode("responses", base)
    doc = json_of("responses", body)
    if name == "adapter" and doc.get("object") != "response":
        return f"responses: not a response: {body[:300]!r}"
    body, ctype = post_mode("responses-stream", base)
    if not ctype.startswith("text/event-stream"):
        return f"responses-stream: content-type {ctype!r}"
    if name == "adapter" and b"event: response.completed" not in body:
        return f"responses-stream: no response.completed: ...{body[-300:]!r}"
    return None


def sanity(name: str, base: str) -> str | None:
    """None if every mode answers correctly, else a reason."""
    try:
        return _sanity(name, base)
    except Insane as exc:
        return str(exc)


def _sanity(name: str, base: str) -> str | None:
    if "images" not in SKIPPED_MODES.get(name, ()):
        reason = sanity_images(name, base)
        if reason:
            return reason
    if "responses" not in SKIPPED_MODES.get(name, ()):
        reason = sanity_responses(name, base)
        if reason:
            return reason
    body, _ = post_mode("non-stream", base)
    doc = json_of("non-stream", body)
    openai = name in ("adapter", "litellm")  # translating proxies answer in OpenAI's format
    if openai and not (doc.get("object") == "chat.completion" and doc.get("choices")):
        return f"non-stream: not a chat.completion: {body[:300]!r}"
    body, ctype = post_mode("stream", base)
    if not ctype.startswith("text/event-stream"):
        return f"stream: content-type {ctype!r}"
    n = body.count(b"data:")
    if openai:
        if not body.rstrip().endswith(b"data: [DONE]"):
            return f"stream: does not end with data: [DONE]: ...{body[-300:]!r}"
        if b"chat.completion.chunk" not in body:
            return f"stream: no chat.completion.chunk: {body[:300]!r}"
    elif n != 20:
        return f"stream: expected 20 events, got {n}"
    return None


def litellm_version() -> str:
    py = LITELLM_BIN.parent / "python"
    out = subprocess.run(
        [str(py), "-c", "from importlib.metadata import version; print(version('litellm'))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "?"


# --------------------------------------------------------------------------- report
def fmt_ms(us) -> str:
    return "" if us is None else f"{us / 1000:.2f}"


def machine_info() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        wrk_v = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        wrk_v = wrk_v.split("Copyright")[0].strip()
    except OSError:
        wrk_v = "?"
    try:
        ng = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    except OSError:
        ng = "?"
    versions = {}
    for mod in ("aiohttp", "uvicorn", "starlette", "uvloop", "httptools", "orjson"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
        except Exception:  # noqa: BLE001
            versions[mod] = "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": wrk_v,
        "nginx": ng,
        **versions,
    }


def render(results: dict) -> str:
    m = results["machine"]
    cfg = results["config"]
    out = []
    out.append(f"# Load benchmark — {results['started']}\n")
    out.append(
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, "
        f"kernel {m['kernel']}; {m['wrk']}; {m['nginx']}; aiohttp {m['aiohttp']}, "
        f"uvicorn {m['uvicorn']}, starlette {m['starlette']}, uvloop {m['uvloop']}, "
        f"httptools {m['httptools']}."
    )
    out.append(
        f"Run: wrk (1 thread) {cfg['seconds']} s per target and cell, in {cfg['rounds']} "
        f"interleaved slice(s) of {cfg['slice_s']} s; workers={cfg['workers']}; "
        f"load generator + proxy + fake upstream on the same {m['nproc']} CPUs, "
        f"127.0.0.1. req/s = total requests / total time; p50/p99 = median over the "
        f"slices; spread = (max-min)/mean of the slices' req/s; CPU = utime+stime of the "
        f"proxy's process tree / requests; RSS after the run.\n"
    )

    out.append("## Fake upstream alone (nginx, canned bodies)\n")
    out.append("| mode | conns | req/s | p50 ms | p99 ms | errors |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for r in results["upstream"]:
        if "error" in r and "rps" not in r:
            out.append(f"| {r['mode']} | {r['conns']} | {r['error']} | | | |")
            continue
        out.append(
            f"| {r['mode']} | {r['conns']} | {r['rps']:,.0f} | {fmt_ms(r['p50_us'])} | "
            f"{fmt_ms(r['p99_us'])} | {r['errors']} |"
        )
    out.append("")

    out.append("## Proxies\n")
    for name, note in results["notes"].items():
        out.append(f"- **{name}**: {note}")
    out.append("")
    out.append(
        "| target | mode | conns | req/s | spread | p50 ms | p99 ms | ÷ reference | "
        "CPU ms/req | RSS MB | errors |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ref = {(r["mode"], r["conns"]): r for r in results["runs"] if r["target"] == "reference"}
    for r in results["runs"]:
        if "rps" not in r:
            out.append(
                f"| {r['target']} | {r['mode']} | {r['conns']} | "
                f"{r.get('error', 'not run')} | | | | | | | |"
            )
            continue
        ratio = ""
        if r["target"] != "reference":
            base = ref.get((r["mode"], r["conns"]))
            if base and base.get("rps"):
                ratio = f"{r['rps'] / base['rps']:.2f}x"
        cpu = "" if r.get("cpu_ms_per_req") is None else f"{r['cpu_ms_per_req']:.3f}"
        err = r["errors"]
        if r.get("err_status"):
            err = f"{err} ({r['err_status']} non-2xx)"
        if r.get("error"):
            err = f"{err}; {r['error']}"
        spread = f"±{r['spread'] / 2:.0%}" if "spread" in r else ""
        out.append(
            f"| {r['target']} | {r['mode']} | {r['conns']} | {r['rps']:,.0f} | {spread} | "
            f"{fmt_ms(r['p50_us'])} | {fmt_ms(r['p99_us'])} | {ratio} | {cpu} | "
            f"{r['rss_mb']:.0f} | {err} |"
        )
    out.append("")

    out.append("## Targets (same run)\n")
    for line in results["targets"]:
        out.append(f"- {line}")
    out.append("")

    if results.get("concurrency"):
        out.append("## 1,000 concurrent open streams, 1 worker (slow upstream)\n")
        out.append(
            "| target | completed | all open after s | RSS idle MB | RSS all open MB | "
            "RSS peak MB | errors |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---|")
        for c in results["concurrency"]:
            if c.get("error") and "completed" not in c:
                out.append(f"| {c['target']} | FAILED: {c['error'][:200]} | | | | | |")
                continue
            errs = c.get("n_errors", 0)
            if c.get("first_errors"):
                errs = f"{errs}: {'; '.join(c['first_errors'])[:200]}"
            out.append(
                f"| {c['target']} | {c['completed']}/{c['streams']} | "
                f"{c['all_open_after_s']} | {c['rss_idle_mb']} | {c['rss_all_open_mb']} | "
                f"{c['rss_peak_mb']} | {errs} |"
            )
        out.append("")

    if results.get("micro"):
        out.append("## Translation micro-benchmark (bench/micro.py)\n")
        out.append(results["micro"].strip())
        out.append("")
    return "\n".join(out) + "\n"


def evaluate(results: dict) -> list[str]:
    runs = results["runs"]
    get = {(r["target"], r["mode"], r["conns"]): r for r in runs if "rps" in r}
    lines = []
    if not any(r["target"] == "adapter" for r in runs if "rps" in r):
        return ["adapter: not measured in this run (see above) — targets not evaluated"]

    def ratio_line(mode: str, c: int, other: str, target: float, digits: int) -> None:
        a, b = get.get(("adapter", mode, c)), get.get((other, mode, c))
        if not a or not b:
            return
        ratio = a["rps"] / b["rps"] if b["rps"] else 0
        ok = ratio >= target and not a.get("err_status")
        lines.append(
            f"{'PASS' if ok else 'FAIL'} adapter/{other} {mode} @{c}: "
            f"{ratio:.{digits}f}x (target ≥ {target:.{digits}f}x)"
        )

    for mode in MODES:
        for c in (16, 64):
            ratio_line(mode, c, "reference", 0.8, 2)
        a16, a64 = get.get(("adapter", mode, 16)), get.get(("adapter", mode, 64))
        if a16 and a64:
            change = a64["rps"] / a16["rps"] - 1 if a16["rps"] else 0
            ok = change >= -0.05
            r16, r64 = get.get(("reference", mode, 16)), get.get(("reference", mode, 64))
            ref_change = ""
            if r16 and r64 and r16["rps"]:
                ref_change = f"; reference: {r64['rps'] / r16['rps'] - 1:+.1%}"
            lines.append(
                f"{'PASS' if ok else 'FAIL'} adapter {mode} 16→64 conns: "
                f"{change:+.1%} (target: no drop; 5% tolerance for run-to-run noise"
                f"{ref_change})"
            )
    for mode in MODES:
        for c in (16, 64):
            ratio_line(mode, c, "litellm", 10, 1)
    for c in results.get("concurrency") or []:
        if c["target"] != "adapter":
            continue
        rss = c.get("rss_all_open_mb") or c.get("rss_peak_mb")
        ok = bool(c.get("ok")) and rss is not None and rss < 150
        lines.append(
            f"{'PASS' if ok else 'FAIL'} adapter 1,000 open streams, 1 worker: "
            f"{c.get('completed', 0)}/{c['streams']} completed, RSS {rss} MB "
            f"(target < 150 MB)"
        )
    return lines


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description="adapter vs aiohttp reference, wrk load benchmark")
    ap.add_argument("--quick", action="store_true", help="2 s runs, no 1,000-stream test")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="wrk seconds per target and cell (default 6, quick 2)",
    )
    ap.add_argument(
        "--rounds", type=int, default=None, help="interleaved slices per cell (default 3, quick 1)"
    )
    ap.add_argument(
        "--adapter-cmd",
        default=None,
        help="command that starts the adapter (default: PYTHON -m adapter serve); "
        "--host/--port/--workers/--upstream-url are appended",
    )
    ap.add_argument("--adapter-args", default="", help="extra arguments for the adapter")
    ap.add_argument("--conns", default="1,16,64")
    ap.add_argument(
        "--targets",
        default="reference,adapter",
        help="any of reference (aiohttp pass-through), adapter, httpx (pass-through over "
        "httpx's own transport), litellm (LiteLLM proxy from bench/.litellm-venv; run.sh "
        "installs it)",
    )
    ap.add_argument(
        "--litellm-seconds",
        type=float,
        default=20.0,
        help="litellm only: one run of this length per cell, after the interleaved "
        "slices of the others (its latency at 64 connections is seconds; wrk timeout 30 s)",
    )
    ap.add_argument("--no-concurrency", action="store_true")
    ap.add_argument("--no-micro", action="store_true")
    ap.add_argument(
        "--python", default=sys.executable, help="interpreter for the proxies (default: this one)"
    )
    args = ap.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 6.0)
    rounds = args.rounds or (1 if args.quick else 3)
    slice_s = max(1, round(seconds / rounds))
    conns = [int(c) for c in args.conns.split(",")]
    targets_wanted = [t.strip() for t in args.targets.split(",") if t.strip()]
    t_start = time.monotonic()

    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} not found (bench/run.sh installs it via apt)")

    tmp = Path(tempfile.mkdtemp(prefix="gemini-bench-"))
    RESULTS.mkdir(exist_ok=True)
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine_info(),
        "config": {
            "seconds": slice_s * rounds,
            "rounds": rounds,
            "slice_s": slice_s,
            "workers": args.workers,
            "conns": conns,
            "quick": args.quick,
        },
        "upstream": [],
        "runs": [],
        "notes": {},
        "concurrency": [],
        "micro": "",
    }

    def on_signal(signum, frame):
        stop_all()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        # 1. fake upstream, alone
        up_port = free_port()
        start_nginx(tmp, up_port)
        upstream = f"http://127.0.0.1:{up_port}"
        log(f"[bench] fake upstream: nginx on {upstream} (temp dir {tmp})")
        for mode in NATIVE_PATHS:  # the Responses modes get the chat modes' replies
            body = FIXTURES / MODES[mode]
            st, data, _ = post(upstream + NATIVE_PATHS[mode], body.read_bytes())
            if st != 200:
                raise SystemExit(f"fake upstream answered {st} for {mode}: {data[:200]!r}")
            for c in (16, 64):
                r = wrk(upstream + NATIVE_PATHS[mode], body, c, min(seconds, 3))
                r.update(mode=mode, conns=c)
                results["upstream"].append(r)
                log(
                    f"[bench] upstream alone {mode:10s} @{c:<3d}: "
                    + (
                        f"{r['rps']:,.0f} req/s, p99 {fmt_ms(r['p99_us'])} ms, errors {r['errors']}"
                        if "rps" in r
                        else r["error"]
                    )
                )

        # 2. proxies
        env = dict(os.environ)
        env["XDG_STATE_HOME"] = str(tmp)  # the default SQLite store lands in the run's temp dir
        env.pop("GEMINI_API_KEY", None)  # caller-key mode: the bench key is forwarded
        targets: list[dict] = []
        specs = {
            "reference": [args.python, str(HERE / "reference_proxy.py")],
            "httpx": [args.python, str(HERE / "reference_proxy.py"), "--client", "httpx"],
            "adapter": (
                shlex.split(args.adapter_cmd)
                if args.adapter_cmd
                else [args.python, "-m", "adapter", "serve"]
            ),
        }
        for name in targets_wanted:
            port = free_port()
            proc_env = env
            if name == "litellm":
                if not LITELLM_BIN.exists():
                    raise SystemExit(f"{LITELLM_BIN} not found (bench/run.sh installs it)")
                cfg = tmp / "litellm_config.yaml"
                cfg.write_text(LITELLM_CONFIG.format(model=MODEL, upstream=upstream))
                cmd = [
                    str(LITELLM_BIN),
                    "--config",
                    str(cfg),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--num_workers",
                    str(args.workers),
                ]
                # no model-cost-map download at start-up, errors only in the log
                proc_env = dict(env, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR")
            else:
                cmd = specs[name] + [
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--upstream-url",
                    upstream,
                ]
            if name == "adapter":
                cmd += shlex.split(args.adapter_args)
            logf = tmp / f"{name}.log"
            proc = spawn(cmd, logf, proc_env)
            shown = ["python", *cmd[1:]] if cmd[0] == args.python else cmd
            if name == "litellm":
                shown = ["bench/.litellm-venv/bin/litellm", "--config", "CONFIG", *cmd[3:]]
            results["notes"][name] = f"`{shlex.join(shown)}`"
            if name == "litellm":
                results["notes"][name] += (
                    f" (LiteLLM {litellm_version()}; CONFIG routes `{MODEL}` to "
                    f"`gemini/{MODEL}` with `api_base: {{upstream}}/v1beta`, "
                    "`master_key: bench-key`); measured in one "
                    f"{args.litellm_seconds:g} s run per cell (wrk timeout 30 s) after the "
                    "other targets' slices, then left to go idle"
                )
            t = {
                "name": name,
                "proc": proc,
                "base": f"http://127.0.0.1:{port}",
                "log": logf,
                "slow": name == "litellm",
            }
            if not wait_port(port, proc, 120 if name == "litellm" else 30):
                reason = f"did not start (exit code {proc.poll()}). Log tail:\n{tail(logf)}"
                log(f"[bench] {name.upper()} FAILED TO START — {reason}")
                shutil.copy(logf, RESULTS / f"{name}.log")
                results["notes"][name] += f" — **failed to start** (log: bench/results/{name}.log)"
                for mode in MODES:
                    for c in conns:
                        results["runs"].append(
                            {"target": name, "mode": mode, "conns": c, "error": "failed to start"}
                        )
                stop(proc)
                continue
            time.sleep(0.3)
            reason = sanity(name, t["base"])
            if reason:
                log(
                    f"[bench] {name.upper()} GAVE A WRONG ANSWER — {reason}\n"
                    f"Log tail:\n{tail(logf)}"
                )
                shutil.copy(logf, RESULTS / f"{name}.log")
                results["notes"][name] += f" — **wrong answer**: {reason[:300]}"
                for mode in MODES:
                    for c in conns:
                        results["runs"].append(
                            {
                                "target": name,
                                "mode": mode,
                                "conns": c,
                                "error": "wrong answer (see notes)",
                            }
                        )
                stop(proc)
                continue
            log(f"[bench] {name} up on port {port}, pid {proc.pid}, answers correctly")
            targets.append(t)

        # 3. load, interleaved per cell
        for t in targets:  # warm-up (connection pools, lazy imports, allocator)
            for mode in MODES:
                if mode in SKIPPED_MODES.get(t["name"], ()):
                    continue
                wrk(t["base"] + ROUTES[mode], FIXTURES / MODES[mode], 16, 1)
                if t["slow"]:
                    wait_idle(t["proc"].pid)
        fast = [t for t in targets if not t["slow"]]
        # Each cell is measured in `rounds` slices, the targets alternating ABBA..., so
        # drift in the machine's speed (a shared VM) hits both targets alike. A slow
        # target (litellm, tens of req/s, latency of seconds) is measured once per cell
        # with a longer run after those slices, and left to go idle before the next.
        for mode in MODES:
            for c in conns:
                here = [t for t in targets if mode not in SKIPPED_MODES.get(t["name"], ())]
                parts: dict[str, list[dict]] = {t["name"]: [] for t in here}
                for i in range(rounds):
                    order = [t for t in fast if t in here]
                    for t in order if i % 2 == 0 else order[::-1]:
                        parts[t["name"]].append(measured_run(t, mode, c, slice_s))
                for t in here:
                    if t["slow"]:
                        parts[t["name"]].append(
                            measured_run(t, mode, c, args.litellm_seconds, timeout_s=30)
                        )
                for t in here:
                    r = combine(parts[t["name"]])
                    results["runs"].append(r)
                    if "rps" in r:
                        log(
                            f"[bench] {t['name']:9s} {mode:10s} @{c:<3d}: {r['rps']:8,.0f} req/s "
                            f"(slices {r['slices_rps']}) p50 {fmt_ms(r['p50_us'])} ms "
                            f"p99 {fmt_ms(r['p99_us'])} ms "
                            f"cpu {r['cpu_ms_per_req'] or 0:.3f} ms/req rss {r['rss_mb']:.0f} MB"
                            f" errors {r['errors']}"
                            + (f" [{r['error']}]" if r.get("error") else "")
                        )
                    else:
                        log(f"[bench] {t['name']} {mode} @{c}: {r['error']}")
        # order rows: target, mode, conns
        order = {n: i for i, n in enumerate(targets_wanted)}
        results["runs"].sort(
            key=lambda r: (order.get(r["target"], 9), list(MODES).index(r["mode"]), r["conns"])
        )
        for t in targets:
            stop(t["proc"])

        # 4. 1,000 open streams
        if not (args.quick or args.no_concurrency):
            for name in [n for n in targets_wanted if n in ("reference", "adapter")]:
                log(f"[bench] 1,000 concurrent streams through the {name} (about 20 s)...")
                out = subprocess.run(
                    [
                        args.python,
                        str(HERE / "concurrency.py"),
                        "--target",
                        name,
                        "--python",
                        args.python,
                        "--log-dir",
                        str(tmp),
                        *(["--adapter-cmd", args.adapter_cmd] if args.adapter_cmd else []),
                        *(["--adapter-args", args.adapter_args] if args.adapter_args else []),
                    ],
                    capture_output=True,
                    text=True,
                    cwd=REPO,
                    env=env,
                    timeout=180,
                )
                m = re.search(r"^CONCURRENCY_RESULT (\{.*\})\s*$", out.stdout, re.M)
                if m:
                    c = json.loads(m.group(1))
                else:
                    c = {
                        "target": name,
                        "streams": 1000,
                        "error": f"rc={out.returncode}: {out.stdout[-300:]}{out.stderr[-300:]}",
                    }
                results["concurrency"].append(c)
                for line in out.stdout.splitlines():
                    if line.startswith("[concurrency]"):
                        log(line)

        # 5. micro
        if not args.no_micro:
            log("[bench] translation micro-benchmark...")
            cmd = [args.python, str(HERE / "micro.py")] + (["--quick"] if args.quick else [])
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=180)
            table = "\n".join(
                line for line in out.stdout.splitlines() if not line.startswith("MICRO_RESULT")
            )
            if out.returncode != 0:
                table += (
                    f"\n\nmicro.py failed (rc={out.returncode}):\n```\n{out.stderr[-1500:]}\n```"
                )
            results["micro"] = table
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)  # failed proxies' logs were copied to results/

    results["targets"] = evaluate(results)
    results["elapsed_s"] = round(time.monotonic() - t_start, 1)
    report = render(results) + f"\n_Total bench time: {results['elapsed_s']} s._\n"
    (RESULTS / "latest.md").write_text(report)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    print("\n" + report)
    print(f"(written to {RESULTS / 'latest.md'} and latest.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
