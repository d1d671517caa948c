"""Per-process state shared by every route: the config, the upstream client, the image
fetcher and the response store. Created by `adapter.app.create_app`, started and
closed by its lifespan, reached from a route as `services(request)`. Holds no request state."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os

import aiohttp
from starlette.requests import Request

from adapter.config import Config
from adapter.errors import invalid_request
from adapter.fetch import FetchPolicy, FetchRefused, fetch_media, new_fetch_session
from adapter.store import Store, open_store
from adapter.store.maintenance import maintain
from adapter.translate.request import NativeRequest
from adapter.translate.request.parts import RemoteMedia
from adapter.translate.request.parts import fill_remote_media as fill_remote_part
from adapter.translate.request.vertex import for_vertex
from adapter.transport import UpstreamClient

EMULATOR_PREFIX = "/emulator"


def upstream_base(config: Config) -> str:
    """The native API base URL: the configured one, or the in-process emulator's mount."""
    if config.uses_emulator:
        host = "127.0.0.1" if config.host in ("0.0.0.0", "", "localhost", "::") else config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{config.port}{EMULATOR_PREFIX}"
    return config.upstream_url


class Services:
    """One per worker process."""

    def __init__(self, config: Config):
        self.config = config
        self.upstream = UpstreamClient(config, upstream_base(config))
        # Ids when the upstream gives none: unique per process without a syscall per request.
        self.id_prefix = os.urandom(8).hex()
        self.id_counter = itertools.count()
        # Image fetches get their own session: it resolves and checks every address itself,
        # which the upstream session (with its DNS cache) must not do (docs/remote-media.md).
        self.fetch_session: aiohttp.ClientSession | None = None
        self.fetch_policy = FetchPolicy(
            enabled=config.remote_fetch,
            allow_hosts=config.fetch_allow_hosts,
            allow_private=config.fetch_allow_private,
        )
        # Stored responses and conversations (docs/store.md); `background` runs of this
        # process by response id, so a cancel reaching this process stops the task at once.
        self.store: Store = open_store(config.store, config.store_ttl_s)
        self.background: dict[str, asyncio.Task[None]] = {}
        self._maintenance: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.upstream.start()
        self.fetch_session = new_fetch_session()
        await self.store.start()
        if self.store.enabled:
            self._maintenance = asyncio.create_task(maintain(self.store))

    async def close(self) -> None:
        for task in [self._maintenance, *self.background.values()]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        await self.store.close()
        await self.upstream.close()
        if self.fetch_session is not None:
            await self.fetch_session.close()

    def for_upstream(self, native: NativeRequest) -> None:
        """Reshape a native request for the upstream's flavour: on Vertex, the Gemini-API-only
        fields are dropped and reported in `x-adapter-adjusted` (docs/vertex.md)."""
        if self.upstream.endpoints.is_vertex:
            native.body, adjusted = for_vertex(native.body)
            native.adjusted.extend(adjusted)

    def new_id(self, prefix: str) -> str:
        """`{prefix}{process-unique hex}`, e.g. `chatcmpl-3f2a...`."""
        return f"{prefix}{self.id_prefix}{next(self.id_counter):x}"

    def upstream_retries(self, request: Request) -> int:
        """Retries of 429/503 for this request: none when the client retries by itself (the
        OpenAI SDKs send `x-stainless-retry-count`), else `--upstream-retries`."""
        if "x-stainless-retry-count" in request.headers:
            return 0
        return self.config.upstream_retries

    async def fetch_remote_media(self, remote: list[RemoteMedia]) -> None:
        """Fill each `RemoteMedia` part's inlineData by fetching its URL (SSRF-guarded),
        concurrently. Raises 400 naming the part when a URL is refused."""

        async def fetch_one(item: RemoteMedia) -> None:
            try:
                media = await fetch_media(item.url, self.fetch_policy, self.fetch_session)
            except FetchRefused as exc:
                raise invalid_request(
                    f"Could not use the image URL: {exc}", param=item.param
                ) from None
            fill_remote_part(item, media.mime_type, media.data)  # type checked, 400 if refused

        await asyncio.gather(*(fetch_one(item) for item in remote))


def services(request: Request) -> Services:
    """The process's Services, from the app state."""
    return request.app.state.services  # type: ignore[no-any-return]
