"""Which database drivers the store uses, by measurement (numbers in docs/store.md).

Each driver does the store's hot pair, N times at concurrency C: one transaction that
inserts a ~4 KB JSON response row, then a read of that row by id.

PostgreSQL: asyncpg (pool) vs psycopg 3 async (psycopg_pool) against a throwaway server
started here (tests/pgserver.py). SQLite: the stdlib sqlite3 on one dedicated thread vs
aiosqlite, on a WAL file.

    python bench/store_drivers.py [--n 4000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from pgserver import PostgresServer  # noqa: E402

PAYLOAD = '{"output": [' + ",".join(['{"type": "message", "text": "hello world"}'] * 90) + "]}"
DDL = "CREATE TABLE r (id TEXT PRIMARY KEY, owner TEXT NOT NULL, body TEXT NOT NULL)"


async def drive(
    op: Callable[[int], Awaitable[None]], n: int, concurrency: int
) -> tuple[float, float]:
    """(operations per second, adapter-process CPU microseconds per operation)."""
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await op(i)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - start), (time.process_time() - cpu) / n * 1e6


async def bench_asyncpg(url: str, n: int, c: int) -> tuple[float, float]:
    import asyncpg

    pool = await asyncpg.create_pool(url, min_size=c // 2, max_size=c // 2)
    await pool.execute("DROP TABLE IF EXISTS r; " + DDL)

    async def op(i: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO r VALUES ($1, $2, $3)", f"a{i}", "o", PAYLOAD)
        row = await pool.fetchrow("SELECT body FROM r WHERE id = $1 AND owner = $2", f"a{i}", "o")
        assert row is not None

    rate = await drive(op, n, c)
    await pool.close()
    return rate


async def bench_psycopg(url: str, n: int, c: int) -> tuple[float, float]:
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(url, min_size=c // 2, max_size=c // 2, open=False)
    await pool.open()
    async with pool.connection() as conn:
        await conn.execute("DROP TABLE IF EXISTS r")
        await conn.execute(DDL)

    async def op(i: int) -> None:
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("INSERT INTO r VALUES (%s, %s, %s)", (f"p{i}", "o", PAYLOAD))
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT body FROM r WHERE id = %s AND owner = %s", (f"p{i}", "o")
            )
            assert await cur.fetchone() is not None

    rate = await drive(op, n, c)
    await pool.close()
    return rate


def _sqlite_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


async def bench_sqlite_thread(path: str, n: int, c: int) -> tuple[float, float]:
    conn = _sqlite_connect(path)
    conn.execute(DDL)
    thread = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()

    def insert(i: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO r VALUES (?, ?, ?)", (f"s{i}", "o", PAYLOAD))
        conn.execute("COMMIT")

    def read(i: int) -> None:
        row = conn.execute("SELECT body FROM r WHERE id = ? AND owner = ?", (f"s{i}", "o"))
        assert row.fetchone() is not None

    async def op(i: int) -> None:
        await loop.run_in_executor(thread, insert, i)
        await loop.run_in_executor(thread, read, i)

    rate = await drive(op, n, c)
    thread.shutdown()
    conn.close()
    return rate


async def bench_aiosqlite(path: str, n: int, c: int) -> tuple[float, float]:
    import aiosqlite

    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute(DDL)
    lock = asyncio.Lock()  # one connection: a transaction must not interleave with another

    async def op(i: int) -> None:
        async with lock:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute("INSERT INTO r VALUES (?, ?, ?)", (f"q{i}", "o", PAYLOAD))
            await conn.execute("COMMIT")
        cur = await conn.execute("SELECT body FROM r WHERE id = ? AND owner = ?", (f"q{i}", "o"))
        assert await cur.fetchone() is not None

    rate = await drive(op, n, c)
    await conn.close()
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    n, c = args.n, args.concurrency
    server = PostgresServer().start()
    try:
        for name, fn in (("asyncpg", bench_asyncpg), ("psycopg3+pool", bench_psycopg)) * 2:
            rate, cpu = await fn(server.url, n, c)
            print(f"postgres {name:16s} {rate:8.0f} insert+get/s {cpu:6.0f} us CPU/op")
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(2):
            pairs = (("sqlite3+thread", bench_sqlite_thread), ("aiosqlite", bench_aiosqlite))
            for name, fn in pairs:
                path = os.path.join(tmp, f"{name}{round_}.db")
                rate, cpu = await fn(path, n, c)
                print(f"sqlite   {name:16s} {rate:8.0f} insert+get/s {cpu:6.0f} us CPU/op")


if __name__ == "__main__":
    asyncio.run(main())
