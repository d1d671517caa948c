"""No key, nor a piece of one, is ever written to the database: scan the SQLite file (and
its WAL) and a pg_dump of the PostgreSQL database after storing objects for two keys."""

from __future__ import annotations

import time
from pathlib import Path

from pgserver import PostgresServer

from adapter.store import Store, StoredResponse, open_store
from adapter.store.items import new_id, normalize_items

KEYS = ("AIzaSyD-secret-forwarded-key-9f8e7d6c5b4a", "sk-adapter-client-key-0123456789abcdef")


def pieces(key: str, size: int = 8) -> list[bytes]:
    return [key[i : i + size].encode() for i in range(len(key) - size + 1)]


async def fill(store: Store) -> None:
    for key in KEYS:
        owner = store.owner_for(key)
        rid = new_id("resp")
        await store.save_response(
            StoredResponse(
                id=rid,
                owner=owner,
                created_at=time.time(),
                status="completed",
                body={"id": rid, "object": "response", "output": []},
                input_items=normalize_items([{"role": "user", "content": "hello"}], "input"),
            )
        )
        await store.create_conversation(owner, {"k": "v"}, [])


def assert_no_key(data: bytes) -> None:
    assert data, "nothing to scan"
    for key in KEYS:
        for piece in pieces(key):
            assert piece not in data, f"a piece of a key ({piece!r}) is in the database"


async def test_sqlite_file_holds_no_key(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/store.db", 3600)
    await store.start()
    await fill(store)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the file, its -wal, -shm
    await store.close()
    data += b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"owner_secret" in data  # the scan does see the tables
    assert_no_key(data)


async def test_postgres_dump_holds_no_key(postgres: PostgresServer) -> None:
    url = postgres.create_database("nokeys")
    store = open_store(url, 3600)
    await store.start()
    await fill(store)
    await store.close()
    dump = postgres.dump("nokeys")
    assert b"owner_secret" in dump
    assert_no_key(dump)
