"""Shared fixtures: real servers on 127.0.0.1 (adapter, emulator-backed adapter, fake upstream)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pgserver import PostgresServer
from servers import FakeUpstream, ServerThread, free_port

from adapter.app import create_app
from adapter.config import Config


@pytest.fixture(scope="session", autouse=True)
def private_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default store (a SQLite file under $XDG_STATE_HOME) goes to a temp dir, never to
    the user's own state directory, for adapters started here and in subprocesses."""
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    yield
    if old is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = old


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (tests/pgserver.py), started on first use;
    each user makes its own database. Fails, never skips, when it cannot start."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_upstream() -> Iterator[FakeUpstream]:
    upstream = FakeUpstream()
    server = ServerThread(upstream.app()).start()
    upstream.url = server.url  # type: ignore[attr-defined]
    yield upstream
    server.stop()


@pytest.fixture(scope="session")
def adapter_factory() -> Iterator[Callable[..., str]]:
    """Start an adapter with the given Config fields; returns its base URL (with /v1)."""
    servers: list[ServerThread] = []

    def start(**fields: Any) -> str:
        fields.setdefault("store", "memory")  # never the user's own state directory
        port = free_port()
        config = Config(host="127.0.0.1", port=port, **fields)
        config.check()
        servers.append(ServerThread(create_app(config), port=port).start())
        return f"http://127.0.0.1:{port}/v1"

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def emulator_base_url(adapter_factory: Callable[..., str]) -> str:
    """An adapter serving the built-in emulator in-process, as `--upstream-url emulator`."""
    return adapter_factory(upstream_url="emulator")


@pytest.fixture(scope="session")
def fake_base_url(adapter_factory: Callable[..., str], fake_upstream: FakeUpstream) -> str:
    """An adapter in front of the recording fake upstream (key forwarding mode)."""
    return adapter_factory(upstream_url=fake_upstream.url, upstream_retries=0)  # type: ignore[attr-defined]
