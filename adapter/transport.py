"""The one upstream client: native calls over a shared aiohttp session, SSE reading, retries.

aiohttp is used on the hot path because it measured 4-9x httpx's throughput for this
workload (docs/performance.md). Everything client-specific stays in this module, so the
library can be swapped without touching translation or routing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import orjson

from adapter.config import Config
from adapter.errors import AdapterError, error_from_native, retry_delay_seconds
from adapter.observability import context as observed
from adapter.translate.response.reply import is_native_response

log = logging.getLogger("adapter.upstream")

T = TypeVar("T")

RETRYABLE = (429, 503)


class SSEDecoder:
    """Incremental `text/event-stream` decoder: bytes in, `data` payloads out.

    Handles LF and CRLF framing and events split across reads; multi-line data is joined
    with newlines as the SSE spec says.
    """

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
            if buffer.endswith(b"\r"):  # a CRLF split across reads: wait for the LF
                self._buffer = buffer
                return []
        *blocks, self._buffer = buffer.split(b"\n\n")
        events = []
        for block in blocks:
            if block.startswith(b"data: ") and b"\n" not in block:
                events.append(block[6:])  # the usual case: one data line
                continue
            data = [
                line[5:].lstrip(b" ") for line in block.split(b"\n") if line.startswith(b"data:")
            ]
            if data:
                events.append(b"\n".join(data))
        return events

    def close(self) -> list[bytes]:
        """A final event not followed by a blank line still counts."""
        if self._buffer.strip():
            return self.feed(b"\n\n")
        return []


class Deadlines:
    """Timeouts for many concurrent awaits with one timer: a sweeper task cancels the
    tasks whose deadline passed. A timer per await (asyncio.timeout) measured as the
    adapter's largest cost growing with concurrency (docs/performance.md); timeouts here
    are seconds long, so a quarter-second sweep is precise enough.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self._interval = interval
        self._due: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._interval)
            now = loop.time()
            for task, due in list(self._due.items()):
                if due <= now and task not in self._expired:
                    self._expired.add(task)
                    task.cancel()

    def arm(self, task: asyncio.Task[Any], seconds: float) -> None:
        self._due[task] = asyncio.get_running_loop().time() + seconds

    def disarm(self, task: asyncio.Task[Any]) -> bool:
        """Forget the deadline; True if it had passed (the task was cancelled for it)."""
        del self._due[task]
        if task in self._expired:
            self._expired.discard(task)
            task.uncancel()
            return True
        return False

    async def run(self, awaitable: Awaitable[T], seconds: float, message: str) -> T:
        """`await awaitable`; a 504 saying `message` if it takes longer than `seconds`."""
        task = asyncio.current_task()
        assert task is not None
        self._due[task] = asyncio.get_running_loop().time() + seconds
        try:
            return await awaitable
        except asyncio.CancelledError:
            if task in self._expired:
                task.uncancel()
                raise AdapterError(504, message, code="upstream_timeout") from None
            raise
        finally:
            del self._due[task]
            self._expired.discard(task)


def native_url(base: str, model: str, stream: bool) -> str:
    version = "" if base.endswith(("/v1beta", "/v1", "/v1alpha")) else "/v1beta"
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{base}{version}/models/{quote(model, safe='')}:{method}"


class UpstreamStream:
    """An open upstream SSE response whose status was 2xx; iterate `batches()` once."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        deadlines: Deadlines,
        idle_timeout: float,
        secrets: tuple[str, ...],
    ):
        self._response = response
        self._deadlines = deadlines
        self._idle = idle_timeout
        self._secrets = secrets

    async def batches(self) -> AsyncIterator[list[dict[str, Any]]]:
        """The events of each upstream read, together: the client gets one write per read
        (as early as per-event writes would), which costs far less than one per event."""
        decoder = SSEDecoder()
        finished = False
        content = self._response.content
        try:
            task = asyncio.current_task()
            assert task is not None
            deadlines = self._deadlines
            while True:
                # Inline rather than Deadlines.run: this runs once per upstream read.
                deadlines.arm(task, self._idle)
                try:
                    chunk = await content.readany()
                except asyncio.CancelledError:
                    if deadlines.disarm(task):
                        raise _stalled() from None
                    raise
                if deadlines.disarm(task):
                    raise _stalled()
                batch = []
                try:
                    for payload in decoder.feed(chunk) if chunk else decoder.close():
                        event = self._parse(payload)
                        finished = finished or _has_finish(event)
                        batch.append(event)
                except AdapterError:
                    if batch:  # events before a bad one still reach the client
                        yield batch
                    raise
                if batch:
                    yield batch
                if not chunk:
                    break
        except aiohttp.ClientError as exc:
            raise AdapterError(
                502,
                f"The upstream stream broke off: {type(exc).__name__}.",
                code="upstream_stream_cut",
            ) from None
        finally:
            self._response.release()
        if not finished:
            raise AdapterError(
                502,
                "The upstream stream ended before the reply finished.",
                code="upstream_stream_cut",
            )

    def _parse(self, payload: bytes) -> dict[str, Any]:
        try:
            event = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise AdapterError(
                502, "The upstream sent an event that is not JSON.", code="bad_upstream_response"
            ) from None
        candidates = event.get("candidates") if type(event) is dict else None
        if type(candidates) is list and all(type(c) is dict for c in candidates):
            return event  # the usual case, checked cheaply
        if isinstance(event, dict) and "error" in event:
            raise error_from_native(500, event, secrets=self._secrets)
        if not is_native_response(event):
            raise AdapterError(
                502,
                "The upstream sent an event that is not a GenerateContentResponse.",
                code="bad_upstream_response",
            )
        return event

    async def aclose(self) -> None:
        self._response.close()


def _stalled() -> AdapterError:
    return AdapterError(504, "The upstream stream stalled.", code="upstream_timeout")


def _has_finish(event: dict[str, Any]) -> bool:
    if (event.get("promptFeedback") or {}).get("blockReason"):
        return True
    return any(c.get("finishReason") for c in event.get("candidates") or ())


class UpstreamClient:
    """Created on start-up, closed on shutdown; one pooled session for all requests."""

    def __init__(self, config: Config, base_url: str):
        self._config = config
        self._base = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self.deadlines = Deadlines()

    async def start(self) -> None:
        self.deadlines.start()
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, keepalive_timeout=30)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._config.connect_timeout_s),
            skip_auto_headers=("User-Agent",),
            auto_decompress=True,
        )

    async def close(self) -> None:
        await self.deadlines.stop()
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "UpstreamClient.start() was not awaited"
        return self._session

    def _headers(self, key: str) -> dict[str, str]:
        if self._config.upstream_auth == "bearer":
            return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        return {"x-goog-api-key": key, "Content-Type": "application/json"}

    async def _send(
        self, method: str, url: str, key: str, body: bytes | None
    ) -> aiohttp.ClientResponse:
        """Until the response headers: 504 past the first-byte timeout, 502 if unreachable."""
        try:
            response = await self.deadlines.run(
                self.session.request(method, url, data=body, headers=self._headers(key)),
                self._config.upstream_timeout_s,
                "The upstream did not answer in time.",
            )
            observed.upstream_status(response.status)  # metrics: every status, 2xx included
            return response
        except aiohttp.ClientError as exc:
            log.warning("upstream unreachable: %s", type(exc).__name__)
            raise AdapterError(
                502,
                f"The upstream could not be reached ({type(exc).__name__}).",
                code="upstream_unreachable",
            ) from None

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole (non-stream) body, then the connection goes back to the pool."""
        try:
            return await self.deadlines.run(
                response.read(),
                self._config.upstream_timeout_s,
                "The upstream reply stalled.",
            )
        except aiohttp.ClientError as exc:
            raise AdapterError(
                502,
                f"The upstream reply broke off ({type(exc).__name__}).",
                code="upstream_unreachable",
            ) from None
        finally:
            response.release()

    async def _open(
        self,
        model: str,
        body: bytes,
        key: str,
        stream: bool,
        sources: list[int],
        retries: int | None = None,
    ) -> aiohttp.ClientResponse:
        """POST with up to `retries` retries (default `--upstream-retries`) for 429/503,
        before any byte reached the client (SPEC E3)."""
        if retries is None:
            retries = self._config.upstream_retries
        url = native_url(self._base, model, stream)
        attempt = 0
        while True:
            response = await self._send("POST", url, key, body)
            if response.status < 300:
                return response
            payload = _json_or_none(await self._read(response))
            error = error_from_native(
                response.status, payload, secrets=(key,), content_sources=sources
            )
            log.warning("upstream error %s for model %s", response.status, model)
            if response.status in RETRYABLE and attempt < retries:
                native = payload.get("error", {}) if isinstance(payload, dict) else {}
                delay = retry_delay_seconds(native) if isinstance(native, dict) else None
                if delay is None:
                    delay = 0.25 * 2**attempt
                if delay <= self._config.max_retry_wait_s:
                    observed.upstream_retry(response.status)
                    attempt += 1
                    await asyncio.sleep(delay)
                    continue
            raise error

    async def call(
        self, method: str, path: str, key: str, body: bytes | None = None, query: str = ""
    ) -> aiohttp.ClientResponse:
        """A raw native call (models, embeddings, passthrough); the caller releases it."""
        url = f"{self._base}{path}" + (f"?{query}" if query else "")
        return await self._send(method, url, key, body)

    async def call_json(
        self, method: str, path: str, key: str, body: bytes | None = None, query: str = ""
    ) -> Any:
        """A native call whose 2xx JSON body is returned; errors map as for chat (SPEC E1)."""
        response = await self.call(method, path, key, body, query)
        payload = _json_or_none(await self._read(response))
        if response.status >= 300:
            raise error_from_native(response.status, payload, secrets=(key,))
        if payload is None:
            raise AdapterError(502, "The upstream reply is not JSON.", code="bad_upstream_response")
        return payload

    async def generate(
        self, model: str, body: bytes, key: str, sources: list[int], retries: int | None = None
    ) -> dict[str, Any]:
        response = await self._open(model, body, key, False, sources, retries)
        native = _json_or_none(await self._read(response))
        if not is_native_response(native):
            raise AdapterError(
                502,
                "The upstream reply is not a GenerateContentResponse.",
                code="bad_upstream_response",
            )
        return native

    async def open_stream(
        self, model: str, body: bytes, key: str, sources: list[int], retries: int | None = None
    ) -> UpstreamStream:
        response = await self._open(model, body, key, True, sources, retries)
        return UpstreamStream(response, self.deadlines, self._config.stream_idle_timeout_s, (key,))


def _json_or_none(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
