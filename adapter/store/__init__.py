"""Stored responses and conversations (docs/store.md): `open_store(url, ttl_s)`.

URL forms (`--store` / ADAPTER_STORE):
  sqlite (or empty)           SQLite file under the user's state directory (the default)
  sqlite:///relative/path     SQLite file, path relative to the working directory
  sqlite:////absolute/path    SQLite file, absolute path
  postgresql://user@host/db   PostgreSQL (also postgres://), shared by any number of replicas
  memory                      per-process, in memory (tests)
  none                        nothing stored
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from adapter.store.base import NullStore, Page, Store, StoreDisabled, StoredResponse
from adapter.store.drivers import PostgresDriver, SqliteDriver
from adapter.store.sql import SqlStore

__all__ = [
    "NullStore",
    "Page",
    "Store",
    "StoreDisabled",
    "StoredResponse",
    "SqlStore",
    "default_sqlite_path",
    "open_store",
    "store_kind",
]


def default_sqlite_path(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/gemini-adapter/store.db`, else `~/.local/state/gemini-adapter/…`."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "gemini-adapter" / "store.db"


def store_kind(url: str) -> str:
    """`sqlite`, `postgres`, `memory` or `none`; ValueError for anything else."""
    if not url or url == "sqlite" or url.startswith("sqlite://"):
        if url.startswith("sqlite://") and not url.startswith("sqlite:///"):
            raise ValueError("a SQLite store URL is sqlite:///relative/path or sqlite:////abs/path")
        return "sqlite"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgres"
    if url in ("memory", "none"):
        return url
    scheme = url.partition("://")[0] if "://" in url else url[:20]
    # Only the scheme is shown: a store URL may carry a password.
    raise ValueError(
        f"unknown store kind {scheme!r}: use sqlite:///path, postgresql://…, memory or none"
    )


def open_store(url: str, ttl_s: float, lease_s: float = 3.0) -> Store:
    """A store for `url` (not started: `await store.start()`)."""
    kind = store_kind(url)
    if kind == "none":
        return NullStore()
    if kind == "memory":
        return SqlStore(SqliteDriver(None), ttl_s, lease_s)
    if kind == "postgres":
        return SqlStore(PostgresDriver(url), ttl_s, lease_s)
    path = url[len("sqlite:///") :] if url.startswith("sqlite:") else str(default_sqlite_path())
    if not path:
        raise ValueError("the SQLite store URL has no path")
    return SqlStore(SqliteDriver(path), ttl_s, lease_s)
