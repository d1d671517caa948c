"""The ASGI app: the routes of every API surface, the exception handlers, the lifespan.

Each surface is one module of `adapter.api` with a `ROUTES` list; add a new surface there
and list it in `SURFACES` (docs/architecture.md, "Adding a surface").
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from adapter.api import (
    audio,
    chat,
    conversations,
    embeddings,
    images,
    models,
    native,
    operations,
    responses,
    stored_responses,
)
from adapter.api.errors import EXCEPTION_HANDLERS
from adapter.config import CONFIG_ENV, Config, from_environment
from adapter.observability import tracing, workers
from adapter.observability.middleware import Observability
from adapter.services import EMULATOR_PREFIX, Services, upstream_base

# Order matters only for `native`: its `/v1/{path}` catch-all comes after every OpenAI route.
SURFACES = [
    chat,
    responses,
    embeddings,
    models,
    operations,
    images,
    audio,
    stored_responses,
    conversations,
]

__all__ = ["CONFIG_ENV", "app_from_environment", "create_app"]


def create_app(config: Config) -> Starlette:
    """The adapter for one worker process. Raises nothing; the config is already checked."""
    services = Services(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tracing.configure(config.upstream, upstream_base(config))
        await services.start()
        # Move everything loaded so far out of the collector's reach: a full collection
        # over the import-time objects costs ~30 ms, which otherwise sets the p99.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await services.close()
            tracing.shutdown()
            workers.mark_process_dead(os.getpid())

    routes: list[BaseRoute] = [route for surface in SURFACES for route in surface.ROUTES]
    routes += native.ROUTES
    if config.uses_emulator:
        from gemini_emulator.app import create_app as create_emulator

        routes.insert(0, Mount(EMULATOR_PREFIX, app=_ends_quietly(create_emulator())))
    handlers: dict[Any, Any] = dict(EXCEPTION_HANDLERS)
    app = _ObservedApp(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    app.state.services = services
    app.observability = {
        "skip_prefix": EMULATOR_PREFIX if config.uses_emulator else "",
        "access_log": config.access_log,
        "json_logs": config.log_format == "json",
    }
    return app


class _ObservedApp(Starlette):
    """Starlette with the observability middleware outside its error middleware, so
    replies to unhandled errors get their request id and are counted too."""

    observability: dict[str, Any]

    def build_middleware_stack(self) -> ASGIApp:
        return Observability(super().build_middleware_stack(), **self.observability)


def _ends_quietly(app: ASGIApp) -> ASGIApp:
    """The in-process emulator, whose streams end without a traceback when the shutdown
    grace runs out (uvicorn cancels them; that is the expected end, not an error)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()

    return wrapped


def app_from_environment() -> Starlette:
    """uvicorn factory for worker processes: the CLI serialises the Config it built once."""
    return create_app(from_environment(os.environ[CONFIG_ENV]))
