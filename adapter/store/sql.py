"""`SqlStore`: the store on SQLite or PostgreSQL (same SQL, see drivers.py).

Writes that belong together are one transaction: a response becomes visible with its
conversation items or not at all. Every read filters on owner and expiry, so an expired
object is gone from every endpoint before the sweep deletes it.
"""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

import orjson

from adapter.errors import invalid_request
from adapter.store.base import RUNNING, Page, Store, StoredResponse
from adapter.store.drivers import Connection, Driver
from adapter.store.items import new_id, page_of
from adapter.store.owner import new_secret, owner_id

# pg_advisory_xact_lock key: replicas starting together migrate one at a time.
MIGRATION_LOCK = 0x6765_6D69_6E69  # "gemini"
LOST_RUNNER = {
    "code": "server_error",
    "message": "The background response stopped before finishing: its runner was lost.",
}
RESPONSE_COLUMNS = (
    "id, owner, created_at, status, body, input_items, previous_response_id, "
    "conversation_id, background, lease_until"
)


class _Rollback(Exception):
    pass


def migrations(dialect: str) -> list[tuple[int, str]]:
    """(version, SQL) of every migration for `dialect`, in order (files `NNNN_name.sql`)."""
    folder = resources.files("adapter.store") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text()))
    return sorted(found)


def statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class SqlStore(Store):
    def __init__(self, driver: Driver, ttl_s: float, lease_s: float = 3.0):
        self.driver = driver
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self._secret: str | None = None

    async def start(self) -> None:
        await self.driver.start()
        self.schema_version = await self._migrate()
        rows = await self.driver.fetch("SELECT value FROM adapter_meta WHERE name = 'owner_secret'")
        self._secret = rows[0][0]

    async def close(self) -> None:
        """Idempotent."""
        await self.driver.close()

    async def _migrate(self) -> int:
        async with self.driver.transaction() as tx:
            if self.driver.dialect == "postgres":
                await tx.fetch("SELECT pg_advisory_xact_lock(?)", MIGRATION_LOCK)
            await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)"
            )
            done = {row[0] for row in await tx.fetch("SELECT version FROM schema_migrations")}
            version = max(done, default=0)
            for version, script in migrations(self.driver.dialect):
                if version in done:
                    continue
                for statement in statements(script):
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    version,
                    time.time(),
                )
            await tx.execute(
                "INSERT INTO adapter_meta (name, value) VALUES ('owner_secret', ?) "
                "ON CONFLICT (name) DO NOTHING",
                new_secret(),
            )
            return version

    def owner_for(self, key: str | None) -> str:
        assert self._secret is not None, "store not started"
        return owner_id(self._secret, key)

    # responses ----------------------------------------------------------------------------

    async def save_response(
        self, response: StoredResponse, conversation_items: list[dict[str, Any]] | None = None
    ) -> bool:
        if not response.conversation_id and not response.background:
            # One statement is atomic on its own: no BEGIN/COMMIT round trips.
            await self._insert_response(self.driver, response, None)
            return True
        now = time.time()
        try:
            async with self.driver.transaction() as tx:
                if response.conversation_id:
                    if not await self._touch_conversation(
                        tx, response.owner, response.conversation_id, now
                    ):
                        raise _Rollback
                    await self._insert_items(tx, response.conversation_id, conversation_items or [])
                if response.background:
                    changed = await tx.execute(
                        "UPDATE responses SET status = ?, body = ?, input_items = ?, "
                        "lease_until = NULL WHERE id = ? AND owner = ? "
                        "AND status IN ('queued', 'in_progress')",
                        response.status,
                        _dumps(response.body),
                        _dumps(response.input_items),
                        response.id,
                        response.owner,
                    )
                    if not changed:
                        raise _Rollback
                else:
                    await self._insert_response(tx, response, None)
        except _Rollback:
            return False
        return True

    async def _insert_response(
        self, tx: Connection, response: StoredResponse, lease_until: float | None
    ) -> None:
        await tx.execute(
            "INSERT INTO responses (id, owner, created_at, expires_at, status, background, "
            "lease_until, previous_response_id, conversation_id, input_items, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            response.id,
            response.owner,
            float(response.created_at),
            float(response.created_at) + self.ttl_s,
            response.status,
            int(response.background),
            lease_until,
            response.previous_response_id,
            response.conversation_id,
            _dumps(response.input_items),
            _dumps(response.body),
        )

    def _response_from(self, row: tuple[Any, ...]) -> StoredResponse:
        body = orjson.loads(row[4])
        status = row[3]
        if status in RUNNING and row[9] is not None and row[9] < time.time():
            status = "failed"  # its runner is gone; shown so even before any process marks it
        body["status"] = status
        if status == "failed" and not body.get("error"):
            body["error"] = dict(LOST_RUNNER)
        return StoredResponse(
            id=row[0],
            owner=row[1],
            created_at=row[2],
            status=status,
            body=body,
            input_items=orjson.loads(row[5]),
            previous_response_id=row[6],
            conversation_id=row[7],
            background=bool(row[8]),
        )

    async def get_response(self, owner: str, response_id: str) -> StoredResponse | None:
        rows = await self.driver.fetch(
            f"SELECT {RESPONSE_COLUMNS} FROM responses "
            "WHERE id = ? AND owner = ? AND expires_at > ?",
            response_id,
            owner,
            time.time(),
        )
        return self._response_from(rows[0]) if rows else None

    async def delete_response(self, owner: str, response_id: str) -> bool:
        changed = await self.driver.execute(
            "DELETE FROM responses WHERE id = ? AND owner = ? AND expires_at > ?",
            response_id,
            owner,
            time.time(),
        )
        return changed > 0

    async def history(self, owner: str, response_id: str) -> list[dict[str, Any]] | None:
        now = time.time()
        rows = await self.driver.fetch(
            "WITH RECURSIVE chain (id, previous, depth, status, input_items, body) AS ("
            " SELECT id, previous_response_id, 0, status, input_items, body FROM responses"
            " WHERE id = ? AND owner = ? AND expires_at > ?"
            " UNION ALL"
            " SELECT r.id, r.previous_response_id, c.depth + 1, r.status, r.input_items, r.body"
            " FROM responses r JOIN chain c ON r.id = c.previous"
            " WHERE r.owner = ? AND r.expires_at > ? AND c.depth < 100000"
            ") SELECT depth, status, input_items, body FROM chain ORDER BY depth DESC",
            response_id,
            owner,
            now,
            owner,
            now,
        )
        if not rows:
            return None
        if rows[-1][1] in RUNNING:
            raise invalid_request(
                f"Response '{response_id}' is still in progress; continue from it once it "
                "has finished.",
                param="previous_response_id",
            )
        items: list[dict[str, Any]] = []
        for _, _, input_items, body in rows:
            items.extend(orjson.loads(input_items))
            items.extend(orjson.loads(body).get("output") or [])
        return items

    async def input_items(
        self, owner: str, response_id: str, limit: int, order: str, after: str | None
    ) -> Page | None:
        rows = await self.driver.fetch(
            "SELECT input_items FROM responses WHERE id = ? AND owner = ? AND expires_at > ?",
            response_id,
            owner,
            time.time(),
        )
        if not rows:
            return None
        page = page_of(orjson.loads(rows[0][0]), limit, order, after)
        if page is None:
            raise invalid_request(f"No input item '{after}' in this response.", param="after")
        return Page(*page)

    # background runs ----------------------------------------------------------------------

    async def start_background(self, response: StoredResponse) -> None:
        async with self.driver.transaction() as tx:
            await self._insert_response(tx, response, time.time() + self.lease_s)

    async def renew_lease(self, response_id: str) -> str | None:
        now = time.time()
        changed = await self.driver.execute(
            "UPDATE responses SET lease_until = ?, status = 'in_progress' "
            "WHERE id = ? AND status IN ('queued', 'in_progress')",
            now + self.lease_s,
            response_id,
        )
        if changed:
            return "in_progress"
        rows = await self.driver.fetch("SELECT status FROM responses WHERE id = ?", response_id)
        return rows[0][0] if rows else None

    async def cancel_response(self, owner: str, response_id: str) -> StoredResponse | None:
        await self.driver.execute(
            "UPDATE responses SET status = 'cancelled', lease_until = NULL "
            "WHERE id = ? AND owner = ? AND expires_at > ? AND background = 1 "
            "AND status IN ('queued', 'in_progress')",
            response_id,
            owner,
            time.time(),
        )
        return await self.get_response(owner, response_id)

    async def fail_lapsed(self) -> int:
        return await self.driver.execute(
            "UPDATE responses SET status = 'failed', lease_until = NULL "
            "WHERE status IN ('queued', 'in_progress') AND lease_until < ?",
            time.time(),
        )

    # conversations ------------------------------------------------------------------------

    async def _touch_conversation(
        self, tx: Connection, owner: str, conversation_id: str, now: float
    ) -> bool:
        """Extend the conversation's retention; False if it is not the owner's (or expired).

        On PostgreSQL the update also locks the row, so appends to one conversation queue.
        """
        changed = await tx.execute(
            "UPDATE conversations SET expires_at = ? WHERE id = ? AND owner = ? AND expires_at > ?",
            now + self.ttl_s,
            conversation_id,
            owner,
            now,
        )
        return changed > 0

    async def _insert_items(
        self, tx: Connection, conversation_id: str, items: list[dict[str, Any]]
    ) -> None:
        if not items:
            return
        # One multi-row statement: one round trip (a thread hop on SQLite) for all items,
        # in order, so their sequence numbers follow the list.
        args: list[Any] = []
        for item in items:
            args += [item["id"], conversation_id, _dumps(item)]
        rows = ", ".join(["(?, ?, ?)"] * len(items))
        await tx.execute(
            f"INSERT INTO conversation_items (id, conversation_id, item) VALUES {rows}", *args
        )

    async def create_conversation(
        self, owner: str, metadata: dict[str, str], items: list[dict[str, Any]]
    ) -> dict[str, Any]:
        now = time.time()
        conversation_id = new_id("conv")
        async with self.driver.transaction() as tx:
            await tx.execute(
                "INSERT INTO conversations (id, owner, created_at, expires_at, metadata) "
                "VALUES (?, ?, ?, ?, ?)",
                conversation_id,
                owner,
                now,
                now + self.ttl_s,
                _dumps(metadata),
            )
            await self._insert_items(tx, conversation_id, items)
        return _conversation(conversation_id, now, metadata)

    async def get_conversation(self, owner: str, conversation_id: str) -> dict[str, Any] | None:
        rows = await self.driver.fetch(
            "SELECT created_at, metadata FROM conversations "
            "WHERE id = ? AND owner = ? AND expires_at > ?",
            conversation_id,
            owner,
            time.time(),
        )
        if not rows:
            return None
        return _conversation(conversation_id, rows[0][0], orjson.loads(rows[0][1]))

    async def update_conversation(
        self, owner: str, conversation_id: str, metadata: dict[str, str]
    ) -> dict[str, Any] | None:
        now = time.time()
        changed = await self.driver.execute(
            "UPDATE conversations SET metadata = ?, expires_at = ? "
            "WHERE id = ? AND owner = ? AND expires_at > ?",
            _dumps(metadata),
            now + self.ttl_s,
            conversation_id,
            owner,
            now,
        )
        return await self.get_conversation(owner, conversation_id) if changed else None

    async def delete_conversation(self, owner: str, conversation_id: str) -> bool:
        async with self.driver.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM conversations WHERE id = ? AND owner = ? AND expires_at > ?",
                conversation_id,
                owner,
                time.time(),
            )
            if changed:
                await tx.execute(
                    "DELETE FROM conversation_items WHERE conversation_id = ?", conversation_id
                )
        return changed > 0

    async def add_items(
        self, owner: str, conversation_id: str, items: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        try:
            async with self.driver.transaction() as tx:
                if not await self._touch_conversation(tx, owner, conversation_id, time.time()):
                    raise _Rollback
                await self._insert_items(tx, conversation_id, items)
        except _Rollback:
            return None
        return items

    async def list_items(
        self, owner: str, conversation_id: str, limit: int, order: str, after: str | None
    ) -> Page | None:
        if await self.get_conversation(owner, conversation_id) is None:
            return None
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")
        args: list[Any] = [conversation_id]
        where = "conversation_id = ?"
        if after is not None:
            rows = await self.driver.fetch(
                "SELECT seq FROM conversation_items WHERE conversation_id = ? AND id = ? "
                "ORDER BY seq LIMIT 1",
                conversation_id,
                after,
            )
            if not rows:
                raise invalid_request(f"No item '{after}' in this conversation.", param="after")
            where += f" AND seq {compare} ?"
            args.append(rows[0][0])
        rows = await self.driver.fetch(
            f"SELECT item FROM conversation_items WHERE {where} ORDER BY seq {direction} LIMIT ?",
            *args,
            limit + 1,
        )
        data = [orjson.loads(row[0]) for row in rows[:limit]]
        return Page(data, len(rows) > limit)

    async def all_items(self, owner: str, conversation_id: str) -> list[dict[str, Any]] | None:
        if await self.get_conversation(owner, conversation_id) is None:
            return None
        rows = await self.driver.fetch(
            "SELECT item FROM conversation_items WHERE conversation_id = ? ORDER BY seq",
            conversation_id,
        )
        return [orjson.loads(row[0]) for row in rows]

    async def get_item(
        self, owner: str, conversation_id: str, item_id: str
    ) -> dict[str, Any] | None:
        rows = await self.driver.fetch(
            "SELECT i.item FROM conversation_items i "
            "JOIN conversations c ON c.id = i.conversation_id "
            "WHERE i.conversation_id = ? AND i.id = ? AND c.owner = ? AND c.expires_at > ? "
            "ORDER BY i.seq LIMIT 1",
            conversation_id,
            item_id,
            owner,
            time.time(),
        )
        return orjson.loads(rows[0][0]) if rows else None

    async def delete_item(
        self, owner: str, conversation_id: str, item_id: str
    ) -> dict[str, Any] | None:
        try:
            async with self.driver.transaction() as tx:
                if not await self._touch_conversation(tx, owner, conversation_id, time.time()):
                    raise _Rollback
                changed = await tx.execute(
                    "DELETE FROM conversation_items WHERE conversation_id = ? AND id = ?",
                    conversation_id,
                    item_id,
                )
                if not changed:
                    raise _Rollback
        except _Rollback:
            return None
        return await self.get_conversation(owner, conversation_id)

    # retention ----------------------------------------------------------------------------

    async def sweep(self) -> int:
        now = time.time()
        async with self.driver.transaction() as tx:
            gone = await tx.execute("DELETE FROM responses WHERE expires_at <= ?", now)
            gone += await tx.execute(
                "DELETE FROM conversation_items WHERE conversation_id IN "
                "(SELECT id FROM conversations WHERE expires_at <= ?)",
                now,
            )
            gone += await tx.execute("DELETE FROM conversations WHERE expires_at <= ?", now)
        return gone


def _conversation(conversation_id: str, created_at: float, metadata: Any) -> dict[str, Any]:
    return {
        "id": conversation_id,
        "object": "conversation",
        "created_at": int(created_at),
        "metadata": metadata or {},
    }
