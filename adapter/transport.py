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
from urllib.parse import urlsplit

import aiohttp
import orjson

from adapter.config import Config
from adapter.credentials import CredentialsError, UpstreamAuth, upstream_auth
from adapter.endpoints import Endpoints, native_url
from adapter.errors import AdapterError, retry_delay_seconds, upstream_error
from adapter.native_shape import is_native_response
from adapter.observability import context as observed
from adapter.sse import SSEDecoder

__all__ = ["SSEDecoder", "UpstreamClient", "UpstreamStream", "native_url"]

log = logging.getLogger("adapter.upstream")

T = TypeVar("T")

RETRYABLE = (429, 503)


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


class UpstreamStream:
    """An open upstream SSE response whose status was 2xx; iterate `batches()` once.

    `UpstreamClient.open_stream` returns it only once the first event has arrived (see
    `first_batch`), so a stream that fails before any event is a normal HTTP error.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        deadlines: Deadlines,
        idle_timeout: float,
        secrets: tuple[str, ...],
        upstream: str | None = None,
    ):
        self._response = response
        self._deadlines = deadlines
        self._idle = idle_timeout
        self._secrets = secrets
        self._upstream = upstream
        self._reader: AsyncIterator[list[dict[str, Any]]] | None = None
        self._first: list[dict[str, Any]] | None = None

    async def first_batch(self) -> None:
        """Read until the first event (kept for `batches()`); AdapterError if the stream
        fails or ends before one."""
        self._reader = self._read()
        try:
            self._first = await self._reader.__anext__()
        except StopAsyncIteration:  # pragma: no cover - _read raises before it ends empty
            raise AdapterError(
                502, "The upstream stream ended without an event.", code="upstream_stream_cut"
            ) from None
        except BaseException:
            await self._reader.aclose()  # type: ignore[attr-defined]
            raise

    async def batches(self) -> AsyncIterator[list[dict[str, Any]]]:
        """The events of each upstream read, together: the client gets one write per read
        (as early as per-event writes would), which costs far less than one per event."""
        reader = self._reader if self._reader is not None else self._read()
        try:
            if self._first is not None:
                first, self._first = self._first, None
                yield first
            async for batch in reader:
                yield batch
        finally:
            await reader.aclose()  # type: ignore[attr-defined]

    async def _read(self) -> AsyncIterator[list[dict[str, Any]]]:
        decoder = SSEDecoder()
        finished = False
        content = self._response.content
        try:
            deadlines = self._deadlines
            while True:
                # The task is looked up per read: the first read happens in the request's
                # task (open_stream), the rest in the relay's.
                task = asyncio.current_task()
                assert task is not None
                # Inline rather than Deadlines.run: this runs once per upstream read.
                deadlines.arm(task, self._idle)
                try:
                    chunk = await content.readany()
                except asyncio.CancelledError:
                    if deadlines.disarm(task):
                        raise _stalled(self._upstream) from None
                    raise
                if deadlines.disarm(task):
                    raise _stalled(self._upstream)
                batch = []
                try:
                    for payload in decoder.feed(chunk) if chunk else decoder.close():
                        if not payload.strip():
                            continue  # an empty `data:` event carries nothing
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
                f"The upstream stream broke off: {type(exc).__name__}{self._where()}.",
                code="upstream_stream_cut",
            ) from None
        finally:
            self._response.release()
        if not finished:
            raise AdapterError(
                502,
                f"The upstream stream ended before the reply finished{self._where()}.",
                code="upstream_stream_cut",
            )

    def _where(self) -> str:
        return f" (upstream {self._upstream})" if self._upstream else ""

    def _parse(self, payload: bytes) -> dict[str, Any]:
        try:
            event = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise AdapterError(
                502,
                f"The upstream sent an event that is not JSON{self._where()}.",
                code="bad_upstream_response",
            ) from None
        if is_native_response(event):
            return event
        if isinstance(event, dict) and "error" in event:
            raise upstream_error(500, event, secrets=self._secrets, upstream=self._upstream)
        raise AdapterError(
            502,
            f"The upstream sent an event that is not a GenerateContentResponse{self._where()}.",
            code="bad_upstream_response",
        )

    async def aclose(self) -> None:
        self._response.close()
        if self._reader is not None:  # read ahead by first_batch, maybe never iterated
            with contextlib.suppress(RuntimeError):  # still running: its owner closes it
                await self._reader.aclose()  # type: ignore[attr-defined]


def _stalled(upstream: str | None) -> AdapterError:
    where = f" (upstream {upstream})" if upstream else ""
    return AdapterError(504, f"The upstream stream stalled{where}.", code="upstream_timeout")


def _has_finish(event: dict[str, Any]) -> bool:
    if (event.get("promptFeedback") or {}).get("blockReason"):
        return True
    return any(c.get("finishReason") for c in event.get("candidates") or ())


class UpstreamClient:
    """Created on start-up, closed on shutdown; one pooled session for all requests."""

    def __init__(self, config: Config, base_url: str):
        self._config = config
        self._base = base_url.rstrip("/")
        # Named in upstream error messages: the host only, never a path, query or key.
        self.host = urlsplit(self._base).hostname or "upstream"
        self._session: aiohttp.ClientSession | None = None
        self.deadlines = Deadlines()
        # Paths and credentials per upstream flavour (docs/vertex.md).
        self.auth: UpstreamAuth = upstream_auth(config)
        self.endpoints = Endpoints(
            config.upstream, self._base, config.vertex_project, config.vertex_location
        )

    async def start(self) -> None:
        await self.auth.start()
        if self.endpoints.is_vertex and self.endpoints.project is None:
            if self._config.uses_google_credentials and not self.auth.project:
                raise CredentialsError(
                    "no Vertex AI project: pass --vertex-project or set GOOGLE_CLOUD_PROJECT"
                )
            self.endpoints = self.endpoints.with_project(self.auth.project)
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

    async def _send(
        self, method: str, url: str, key: str, body: bytes | None
    ) -> aiohttp.ClientResponse:
        """Until the response headers: 504 past the first-byte timeout, 502 if unreachable."""
        headers = await self.auth.headers(key)  # auth and Content-Type, ready to send
        try:
            response = await self.deadlines.run(
                self.session.request(method, url, data=body, headers=headers),
                self._config.upstream_timeout_s,
                f"The upstream {self.host} did not answer in time.",
            )
            observed.upstream_status(response.status)  # metrics: every status, 2xx included
            return response
        except aiohttp.ClientError as exc:
            log.warning("upstream unreachable: %s", type(exc).__name__)
            raise AdapterError(
                502,
                f"The upstream {self.host} could not be reached ({type(exc).__name__}).",
                code="upstream_unreachable",
            ) from None

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole (non-stream) body, then the connection goes back to the pool."""
        try:
            return await self.deadlines.run(
                response.read(),
                self._config.upstream_timeout_s,
                f"The upstream {self.host} reply stalled.",
            )
        except aiohttp.ClientError as exc:
            raise AdapterError(
                502,
                f"The upstream {self.host} reply broke off ({type(exc).__name__}).",
                code="upstream_unreachable",
            ) from None
        finally:
            response.release()

    def default_retries(self) -> int:
        return self._config.upstream_retries

    async def _open(
        self, model: str, body: bytes, key: str, stream: bool, retries: int | None
    ) -> aiohttp.ClientResponse:
        """POST with retries for 429/503 before any byte reached the client (docs/behaviour.md E3).

        `retries`: how many times to retry (None: the configured count). A client that
        retries itself (the OpenAI SDK sends `x-stainless-retry-count`) should get 0, or
        every failure would be tried (1 + 2) * (1 + 2) times."""
        url = self._base + self.endpoints.generate(model, stream)
        limit = self.default_retries() if retries is None else retries
        attempt = 0
        while True:
            response = await self._send("POST", url, key, body)
            if response.status < 300:
                return response
            payload = _json_or_none(await self._read(response))
            error = upstream_error(response.status, payload, secrets=(key,), upstream=self.host)
            log.warning("upstream error %s for model %s", response.status, model)
            if response.status in RETRYABLE and attempt < limit:
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
        """A native call whose 2xx JSON body is returned; errors map as for chat (behaviour E1)."""
        response = await self.call(method, path, key, body, query)
        payload = _json_or_none(await self._read(response))
        if response.status >= 300:
            raise upstream_error(response.status, payload, secrets=(key,), upstream=self.host)
        if payload is None:
            raise AdapterError(
                502,
                f"The upstream {self.host} reply is not JSON.",
                code="bad_upstream_response",
            )
        return payload

    async def call_json_many(
        self, method: str, path: str, key: str, bodies: list[bytes]
    ) -> list[Any]:
        """`call_json` for each body, concurrently; the replies in the bodies' order (the
        first error is raised). For requests split to fit a native limit (embeddings)."""
        return list(
            await asyncio.gather(*(self.call_json(method, path, key, body) for body in bodies))
        )

    async def generate(
        self,
        model: str,
        body: bytes,
        key: str,
        *,
        retries: int | None = None,
    ) -> dict[str, Any]:
        """One generateContent reply, checked to be a GenerateContentResponse (else 502).
        Naming the OpenAI field of a native violation is the translator's job
        (translate.response.errors)."""
        response = await self._open(model, body, key, False, retries)
        native = _json_or_none(await self._read(response))
        if not is_native_response(native):
            raise AdapterError(
                502,
                f"The upstream {self.host} reply is not a GenerateContentResponse.",
                code="bad_upstream_response",
            )
        return native

    async def open_stream(
        self,
        model: str,
        body: bytes,
        key: str,
        *,
        retries: int | None = None,
    ) -> UpstreamStream:
        """The stream, returned once its first event has arrived: until then nothing is
        committed to the client, so any failure (an error status, a stream that breaks or
        ends before an event, a first event that is not a reply) raises AdapterError and
        becomes a normal HTTP error instead of a 200 with an error event."""
        response = await self._open(model, body, key, True, retries)
        stream = UpstreamStream(
            response, self.deadlines, self._config.stream_idle_timeout_s, (key,), self.host
        )
        await stream.first_batch()
        return stream


def _json_or_none(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
