"""Fixtures for the emulator tests: an in-process client, and a real uvicorn server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from gemini_emulator import create_app

# Real-server pacing: slow enough that incremental delivery is measurable.
SERVED_EVENT_DELAY = 0.15


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(event_delay=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://emu") as http:
        yield http


@pytest.fixture(scope="module")
async def served_url() -> AsyncIterator[str]:
    """The emulator mounted at /emulator inside another app, behind real uvicorn HTTP,
    exactly as the adapter hosts it; yields the base URL including the prefix."""
    app = Starlette(routes=[Mount("/emulator", app=create_app(event_delay=SERVED_EVENT_DELAY))])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/emulator"
    server.should_exit = True
    await task
