"""Database drivers behind `SqlStore`: one small interface, two real databases.

SQL is written once with `?` placeholders. Chosen by measurement (bench/store_drivers.py,
numbers in docs/store.md): asyncpg for PostgreSQL (less CPU per query than psycopg 3 on
this workload) and the stdlib `sqlite3` on dedicated threads for SQLite (less CPU than
aiosqlite, no dependency). The event loop never waits on the database: SQLite calls run on
their own threads, asyncpg is asynchronous.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Row = tuple[Any, ...]


class Connection(Protocol):
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; returns the number of rows it changed."""
        ...


class Driver(Connection, Protocol):
    dialect: str  # "sqlite" or "postgres"

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        ...


class SqliteDriver:
    """A SQLite file in WAL mode (or a private in-memory database when `path` is None).

    Writes go through one connection on one thread, one transaction at a time
    (`BEGIN IMMEDIATE`, so other processes on the same file wait their turn via
    `busy_timeout`). Reads of a file use a second connection on a second thread and see
    committed data only. The in-memory database has a single connection for both.
    """

    dialect = "sqlite"

    def __init__(self, path: str | None):
        self.path = path
        self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="store-sqlite-write")
        self._reader_thread = (
            ThreadPoolExecutor(1, thread_name_prefix="store-sqlite-read") if path else None
        )
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path or ":memory:", isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout = 10000")
        if self.path:
            _set_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    async def _on(self, thread: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(thread, fn)

    async def start(self) -> None:
        if self.path:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._writer = await self._on(self._writer_thread, self._connect)
        if self._reader_thread is not None:
            self._reader = await self._on(self._reader_thread, self._connect)
            if self.path:
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)

    async def close(self) -> None:
        pairs = ((self._reader, self._reader_thread), (self._writer, self._writer_thread))
        self._reader = self._writer = None
        for conn, thread in pairs:
            if conn is not None and thread is not None:
                await self._on(thread, conn.close)
                thread.shutdown(wait=True)

    def _fetch_on(self, conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[Row]:
        return conn.execute(sql, args).fetchall()

    def _execute_on(self, conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> int:
        return conn.execute(sql, args).rowcount

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        if self._reader is not None and self._reader_thread is not None:
            return await self._on(
                self._reader_thread, functools.partial(self._fetch_on, self._reader, sql, args)
            )
        async with self._lock:
            return await self._writer_fetch(sql, args)

    async def _writer_fetch(self, sql: str, args: tuple[Any, ...]) -> list[Row]:
        assert self._writer is not None
        return await self._on(
            self._writer_thread, functools.partial(self._fetch_on, self._writer, sql, args)
        )

    async def _writer_execute(self, sql: str, args: tuple[Any, ...]) -> int:
        assert self._writer is not None
        return await self._on(
            self._writer_thread, functools.partial(self._execute_on, self._writer, sql, args)
        )

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._lock:
            return await self._writer_execute(sql, args)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            await self._writer_execute("BEGIN IMMEDIATE", ())
            try:
                yield _SqliteTransaction(self)
            except BaseException:
                await asyncio.shield(self._writer_execute("ROLLBACK", ()))
                raise
            await asyncio.shield(self._writer_execute("COMMIT", ()))


class _SqliteTransaction:
    def __init__(self, driver: SqliteDriver):
        self._driver = driver

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._driver._writer_fetch(sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._driver._writer_execute(sql, args)


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """`?` placeholders -> asyncpg's `$1, $2, …` (no `?` appears in the store's literals)."""
    parts = sql.split("?")
    out = [parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        out.append(f"${index}{part}")
    return "".join(out)


def _rowcount(status: str) -> int:
    # asyncpg returns the command tag: "UPDATE 3", "INSERT 0 1", "DELETE 0".
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isascii() and tail.isdigit() else 0


class PostgresDriver:
    """asyncpg with a connection pool; any number of replicas may share the database."""

    dialect = "postgres"

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10):
        self.url = url
        self.min_size = min_size
        self.max_size = max_size
        self._pool: Any = None

    async def start(self) -> None:
        import asyncpg

        self._pool = await asyncpg.create_pool(
            self.url, min_size=self.min_size, max_size=self.max_size
        )

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [tuple(row) for row in await self._pool.fetch(_numbered(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> int:
        return _rowcount(await self._pool.execute(_numbered(sql), *args))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PostgresConnection(conn)


class _PostgresConnection:
    def __init__(self, conn: Any):
        self._conn = conn

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [tuple(row) for row in await self._conn.fetch(_numbered(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> int:
        return _rowcount(await self._conn.execute(_numbered(sql), *args))


def _set_wal(conn: sqlite3.Connection, attempts: int = 200) -> None:
    """Switch the file to WAL. Changing the journal mode takes an exclusive lock and SQLite
    answers "database is locked" at once, without its busy handler, while another process
    opens the same new file: so retry for up to ~10 s (runs on the store's own thread).
    Bug seen in the wild: two replicas starting together on one SQLite file."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
