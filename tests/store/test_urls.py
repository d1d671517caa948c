"""--store URL forms (docs/store.md) and where the default SQLite file goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapter.store import NullStore, SqlStore, default_sqlite_path, open_store, store_kind
from adapter.store.drivers import PostgresDriver, SqliteDriver


def test_default_path_follows_xdg_state_home(tmp_path: Path) -> None:
    assert default_sqlite_path({"XDG_STATE_HOME": str(tmp_path)}) == (
        tmp_path / "gemini-adapter" / "store.db"
    )
    assert default_sqlite_path({}) == Path.home() / ".local/state/gemini-adapter/store.db"


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///rel/store.db", "rel/store.db"), ("sqlite:////abs/store.db", "/abs/store.db")],
)
def test_sqlite_urls(url: str, path: str) -> None:
    store = open_store(url, 60)
    assert isinstance(store, SqlStore) and isinstance(store.driver, SqliteDriver)
    assert store.driver.path == path


def test_other_kinds() -> None:
    assert isinstance(open_store("none", 60), NullStore)
    pg = open_store("postgresql://u@127.0.0.1:5/db", 60)
    assert isinstance(pg, SqlStore) and isinstance(pg.driver, PostgresDriver)
    assert store_kind("postgres://x/y") == "postgres"
    memory = open_store("memory", 60)
    assert isinstance(memory, SqlStore) and memory.driver.path is None  # type: ignore[attr-defined]
    for bad in ("mysql://x", "sqlite://x.db", "file.db"):
        with pytest.raises(ValueError):
            store_kind(bad)


async def test_default_store_is_created_on_first_use(tmp_path: Path) -> None:
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path / "state")
    try:
        store = open_store("sqlite", 60)
        await store.start()
        await store.close()
    finally:
        if old is None:
            del os.environ["XDG_STATE_HOME"]
        else:
            os.environ["XDG_STATE_HOME"] = old
    assert (tmp_path / "state" / "gemini-adapter" / "store.db").is_file()
