"""The one upstream client: native calls over a shared aiohttp session, SSE reading, retries.

aiohttp is used on the hot path because it measured 4-9x httpx's throughput for this
workload (docs/performance.md). Everything client-specific stays in this module, so the
library can be swapped without touching translation or routing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from adapter.config import Config
from adapter.errors import AdapterError, error_from_native, retry_delay_seconds
from adapter.translate.response.reply import is_native_response

log = logging.getLogger("adapter.upstream")

RETRYABLE = (429, 503)


class SSEDecoder:
    """Incremental `text/event-stream` decoder: bytes in, `data` payloads out.

    Handles LF and CRLF framing and events split across reads; multi-line data is joined
    with newlines as the SSE spec says.
    """

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        buffer = self._buffer + chunk
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
            if buffer.endswith(b"\r"):  # a CRLF split across reads: wait for the LF
                self._buffer = buffer
                return []
        events = []
        while True:
            end = buffer.find(b"\n\n")
            if end < 0:
                break
            block, buffer = buffer[:end], buffer[end + 2 :]
            data = [
                line[5:].lstrip(b" ") for line in block.split(b"\n") if line.startswith(b"data:")
            ]
            if data:
                events.append(b"\n".join(data))
        self._buffer = buffer
        return events

    def close(self) -> list[bytes]:
        """A final event not followed by a blank line still counts."""
        if self._buffer.strip():
            return self.feed(b"\n\n")
        return []


def native_url(base: str, model: str, stream: bool) -> str:
    version = "" if base.endswith(("/v1beta", "/v1", "/v1alpha")) else "/v1beta"
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{base}{version}/models/{quote(model, safe='')}:{method}"


class UpstreamStream:
    """An open upstream SSE response whose status was 2xx; iterate `events()` once."""

    def __init__(
        self, response: aiohttp.ClientResponse, idle_timeout: float, secrets: tuple[str, ...]
    ):
        self._response = response
        self._idle = idle_timeout
        self._secrets = secrets

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        decoder = SSEDecoder()
        finished = False
        content = self._response.content
        try:
            while True:
                try:
                    async with asyncio.timeout(self._idle):
                        chunk = await content.readany()
                except TimeoutError:
                    raise AdapterError(
                        504, "The upstream stream stalled.", code="upstream_timeout"
                    ) from None
                payloads = decoder.feed(chunk) if chunk else decoder.close()
                for payload in payloads:
                    event = self._parse(payload)
                    if _has_finish(event):
                        finished = True
                    yield event
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

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, keepalive_timeout=30)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._config.connect_timeout_s),
            skip_auto_headers=("User-Agent",),
            auto_decompress=True,
        )

    async def close(self) -> None:
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
            async with asyncio.timeout(self._config.upstream_timeout_s):
                return await self.session.request(
                    method, url, data=body, headers=self._headers(key)
                )
        except TimeoutError:
            raise AdapterError(
                504, "The upstream did not answer in time.", code="upstream_timeout"
            ) from None
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
            async with asyncio.timeout(self._config.upstream_timeout_s):
                return await response.read()
        except TimeoutError:
            raise AdapterError(
                504, "The upstream reply stalled.", code="upstream_timeout"
            ) from None
        except aiohttp.ClientError as exc:
            raise AdapterError(
                502,
                f"The upstream reply broke off ({type(exc).__name__}).",
                code="upstream_unreachable",
            ) from None
        finally:
            response.release()

    async def _open(
        self, model: str, body: bytes, key: str, stream: bool, sources: list[int]
    ) -> aiohttp.ClientResponse:
        """POST with retries for 429/503 before any byte reached the client (SPEC E3)."""
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
            if response.status in RETRYABLE and attempt < self._config.max_retries:
                native = payload.get("error", {}) if isinstance(payload, dict) else {}
                delay = retry_delay_seconds(native) if isinstance(native, dict) else None
                if delay is None:
                    delay = 0.25 * 2**attempt
                if delay <= self._config.max_retry_wait_s:
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
        self, model: str, body: bytes, key: str, sources: list[int]
    ) -> dict[str, Any]:
        response = await self._open(model, body, key, False, sources)
        native = _json_or_none(await self._read(response))
        if not is_native_response(native):
            raise AdapterError(
                502,
                "The upstream reply is not a GenerateContentResponse.",
                code="bad_upstream_response",
            )
        return native

    async def open_stream(
        self, model: str, body: bytes, key: str, sources: list[int]
    ) -> UpstreamStream:
        response = await self._open(model, body, key, True, sources)
        return UpstreamStream(response, self._config.stream_idle_timeout_s, (key,))


def _json_or_none(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
