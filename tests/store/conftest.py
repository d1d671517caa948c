"""Stores on real databases: SQLite files, in-memory SQLite, and a PostgreSQL server this
test session starts itself (tests/pgserver.py). No PostgreSQL means failing tests, not skips."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pgserver import PostgresServer

from adapter.store import Store, open_store

_databases = itertools.count()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres.create_database(f"t{next(_databases)}")


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return "memory"


@pytest.fixture
async def make_store(store_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Open (and start) stores on this test's database; all closed at the end."""
    opened: list[Store] = []

    async def make(ttl_s: float = 3600, lease_s: float = 3.0, url: str | None = None) -> Store:
        store = open_store(url or store_url, ttl_s, lease_s)
        await store.start()
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
async def store(make_store: Callable[..., Any]) -> Store:
    return await make_store()
