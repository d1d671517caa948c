"""Real HTTP servers for end-to-end tests: uvicorn in a background thread on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from schema_check import first_error
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """Runs an ASGI app with uvicorn (same server as production) until `stop()`."""

    def __init__(self, app: Any, port: int | None = None, grace_s: float | None = None):
        self.port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=grace_s,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Recorded:
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class Scripted:
    status: int = 200
    json: Any = None
    events: list[Any] | None = None  # SSE events (dicts, or raw bytes to send as is)
    delay_s: float = 0.0  # between SSE events; before a JSON reply
    cut_after: int | None = None  # stop the stream (no error) after this many events


@dataclass
class FakeUpstream:
    """A native-API stand-in that records what the adapter sent and replies as scripted.

    The script is a queue: each request takes the next reply (the last one repeats).
    """

    replies: list[Scripted] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    # Streams whose client (the adapter) went away before the last event was sent.
    abandoned_streams: int = 0

    def script(self, *replies: Scripted) -> None:
        self.replies = list(replies)
        self.requests.clear()

    def _next(self) -> Scripted:
        if len(self.replies) > 1:
            return self.replies.pop(0)
        return self.replies[0] if self.replies else Scripted(json={"candidates": []})

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        body = orjson.loads(raw) if raw else None
        if request.url.path.endswith(("generateContent", "streamGenerateContent")):
            # Every native request the adapter builds must match the discovery-derived schema;
            # answer like the real API would if it does not, so the test sees a failure.
            problem = first_error("gemini.generate_content_request", body)
            if problem is not None:
                message = f"schema: {problem.json_path}: {problem.message}"
                error = {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}
                return Response(orjson.dumps(error), 400, media_type="application/json")
        self.requests.append(
            Recorded(
                path=request.url.path,
                query=request.url.query,
                headers=dict(request.headers),
                body=body,
            )
        )
        reply = self._next()
        if reply.events is None:
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            return Response(orjson.dumps(reply.json), reply.status, media_type="application/json")

        async def events() -> Any:
            finished = False
            try:
                for i, event in enumerate(reply.events or []):
                    if reply.cut_after is not None and i >= reply.cut_after:
                        break
                    if reply.delay_s:
                        await asyncio.sleep(reply.delay_s)
                    data = event if isinstance(event, bytes) else orjson.dumps(event)
                    yield b"data: " + data + b"\r\n\r\n"
                finished = True
            finally:
                if not finished:
                    self.abandoned_streams += 1

        return StreamingResponse(events(), reply.status, media_type="text/event-stream")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST", "GET"])])


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def is_healthy(url: str) -> bool:
    """True when `{url}/healthz` answers 200 (url without /v1)."""
    import httpx

    try:
        return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def start_server_process(
    command: list[str], port: int, env: dict[str, str] | None = None, timeout: float = 20
) -> tuple[subprocess.Popen[bytes], str]:
    """Run a server command (its output captured), wait until it is healthy on `port` and
    return it with its base URL (no /v1). Raises RuntimeError with its output otherwise."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    if not wait_until(lambda: is_healthy(url), timeout=timeout):
        process.kill()
        raise RuntimeError(process.communicate()[0].decode())
    return process, url
