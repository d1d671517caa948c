"""What the store keeps and the interface every backend serves (docs/store.md).

Every read and write names the `owner` (see `adapter.store.owner`): an object another
owner made is, to every method here, an object that does not exist. Expired objects too.
Methods return None (or False) for "not found"; the routes decide between 404 and 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapter.errors import AdapterError

RUNNING = ("queued", "in_progress")


@dataclass
class StoredResponse:
    """A response object and the input items it was made from.

    `body` is the OpenAI `response` object as returned to the client; its `status` is
    replaced on read by the stored `status` column (which cancellation and lapsed leases
    change). `input_items` are this request's own input items (each with an `id`), not the
    history a `previous_response_id` or `conversation` prepended.
    """

    id: str
    owner: str
    created_at: float
    status: str
    body: dict[str, Any]
    input_items: list[dict[str, Any]] = field(default_factory=list)
    previous_response_id: str | None = None
    conversation_id: str | None = None
    background: bool = False


@dataclass
class Page:
    """A list page in the OpenAI list shape (`data`, `first_id`, `last_id`, `has_more`)."""

    data: list[dict[str, Any]]
    has_more: bool

    def body(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": self.data,
            "first_id": self.data[0].get("id") if self.data else None,
            "last_id": self.data[-1].get("id") if self.data else None,
            "has_more": self.has_more,
        }


class StoreDisabled(AdapterError):
    def __init__(self, what: str) -> None:
        super().__init__(
            400,
            f"{what} needs the response store, which is off on this adapter (--store none).",
            code="store_disabled",
        )


class Store:
    """The interface. `SqlStore` (SQLite, PostgreSQL, memory) and `NullStore` implement it.

    Times are Unix seconds. `ttl_s` is the retention of every object (--store-ttl).
    `lease_s` is how long a background run's lease lasts without renewal.
    """

    enabled = True
    ttl_s: float = 30 * 86400
    lease_s: float = 3.0

    async def start(self) -> None:
        """Connect, create or migrate the schema, load the owner secret."""

    async def close(self) -> None:
        """Release connections and threads."""

    def owner_for(self, key: str | None) -> str:
        """The owner id of a caller presenting `key` (never the key; see owner.py)."""
        raise NotImplementedError

    # responses ----------------------------------------------------------------------------
    async def save_response(
        self, response: StoredResponse, conversation_items: list[dict[str, Any]] | None = None
    ) -> bool:
        """Store a finished response, atomically with the items it appends to its
        conversation (if `conversation_id`). A background row is overwritten only while it
        is still running (so a cancelled one stays cancelled). False: not stored (the
        conversation is gone, or the background row is no longer running)."""
        raise NotImplementedError

    async def get_response(self, owner: str, response_id: str) -> StoredResponse | None:
        raise NotImplementedError

    async def delete_response(self, owner: str, response_id: str) -> bool:
        raise NotImplementedError

    async def history(self, owner: str, response_id: str) -> list[dict[str, Any]] | None:
        """The input and output items of the chain ending at `response_id`, oldest first
        (what `previous_response_id` prepends). None if that response is not found."""
        raise NotImplementedError

    async def input_items(
        self, owner: str, response_id: str, limit: int, order: str, after: str | None
    ) -> Page | None:
        raise NotImplementedError

    # background runs ----------------------------------------------------------------------
    async def start_background(self, response: StoredResponse) -> None:
        """Insert a running (queued / in_progress) response holding a lease of `lease_s`."""
        raise NotImplementedError

    async def renew_lease(self, response_id: str) -> str | None:
        """Extend a running response's lease (a queued one becomes in_progress); returns its
        status (`in_progress`, or `cancelled` / `failed` telling the runner to stop), None if
        it is gone."""
        raise NotImplementedError

    async def cancel_response(self, owner: str, response_id: str) -> StoredResponse | None:
        """Mark a running response cancelled; returns it (in whatever state it is)."""
        raise NotImplementedError

    async def fail_lapsed(self) -> int:
        """Mark `failed` every running response whose lease lapsed (its runner died)."""
        raise NotImplementedError

    # conversations ------------------------------------------------------------------------
    async def create_conversation(
        self, owner: str, metadata: dict[str, str], items: list[dict[str, Any]]
    ) -> dict[str, Any]:
        raise NotImplementedError

    async def get_conversation(self, owner: str, conversation_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    async def update_conversation(
        self, owner: str, conversation_id: str, metadata: dict[str, str]
    ) -> dict[str, Any] | None:
        raise NotImplementedError

    async def delete_conversation(self, owner: str, conversation_id: str) -> bool:
        raise NotImplementedError

    async def add_items(
        self, owner: str, conversation_id: str, items: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        raise NotImplementedError

    async def list_items(
        self, owner: str, conversation_id: str, limit: int, order: str, after: str | None
    ) -> Page | None:
        raise NotImplementedError

    async def all_items(self, owner: str, conversation_id: str) -> list[dict[str, Any]] | None:
        """Every item of the conversation, oldest first (what `conversation` prepends)."""
        raise NotImplementedError

    async def get_item(
        self, owner: str, conversation_id: str, item_id: str
    ) -> dict[str, Any] | None:
        raise NotImplementedError

    async def delete_item(
        self, owner: str, conversation_id: str, item_id: str
    ) -> dict[str, Any] | None:
        """Delete one item; returns the conversation object, None if either is not found."""
        raise NotImplementedError

    # retention ----------------------------------------------------------------------------
    async def sweep(self) -> int:
        """Delete every expired object; returns how many rows went."""
        raise NotImplementedError


class NullStore(Store):
    """`--store none`: nothing is kept; what needs the store is a 400 saying it is off."""

    enabled = False

    def owner_for(self, key: str | None) -> str:
        return ""

    async def save_response(
        self, response: StoredResponse, conversation_items: list[dict[str, Any]] | None = None
    ) -> bool:
        return False

    async def fail_lapsed(self) -> int:
        return 0

    async def sweep(self) -> int:
        return 0


def _refuse(name: str) -> Any:
    async def refuse(self: NullStore, *args: Any, **kwargs: Any) -> Any:
        raise StoreDisabled("This request")

    refuse.__name__ = name
    return refuse


for _name in (
    "get_response delete_response history input_items start_background renew_lease "
    "cancel_response create_conversation get_conversation update_conversation "
    "delete_conversation add_items list_items all_items get_item delete_item"
).split():
    setattr(NullStore, _name, _refuse(_name))
