"""Where `POST /v1/responses` meets the store (docs/store.md): `store`,
`previous_response_id`, `conversation`, `background`.

The route calls, in order:
  1. `plan = await plan_for(request, body, raw_items)`: validates the four fields, loads the
     history (`previous_response_id`'s chain, or the conversation's items) and gives this
     request's own items ids; 400s name the field.
  2. translate `translator_body(body)` with `plan.items` (history first, then the new items;
     `item_reference`s resolved), and `echo.update(plan.echo())` before building the reply.
  3. `await save(plan, response)` with the final response (completed, incomplete, failed or
     cancelled): one atomic write of the response and, for a conversation, its new items.
  or, for `background: true`: `await start_background(svc, plan, queued, produce)` and
     answer `queued` at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from adapter.errors import AdapterError, invalid_request
from adapter.keys import caller_key
from adapter.services import Services, services
from adapter.store import Store, StoreDisabled, StoredResponse
from adapter.store.items import normalize_item

log = logging.getLogger("adapter")

STORE_FIELDS = ("store", "previous_response_id", "conversation", "background")
FINAL = ("completed", "incomplete", "failed", "cancelled")


@dataclass
class StorePlan:
    """What the store does for one request."""

    store: Store
    owner: str
    save: bool  # `store` (default true when the store is on)
    previous_response_id: str | None = None
    conversation_id: str | None = None
    background: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # prepended, oldest first
    new_items: list[dict[str, Any]] = field(default_factory=list)  # this request's, with ids

    @property
    def items(self) -> list[dict[str, Any]]:
        """The full input the model sees: the history, then this request's items."""
        return self.history + self.new_items

    def echo(self) -> dict[str, Any]:
        """The Response fields that echo the request's store settings."""
        return {
            "store": self.save,
            "previous_response_id": self.previous_response_id,
            "background": self.background,
            "conversation": {"id": self.conversation_id} if self.conversation_id else None,
        }


def translator_body(body: dict[str, Any]) -> dict[str, Any]:
    """The body without the store's fields, for the (store-less) translator."""
    return {k: v for k, v in body.items() if k not in STORE_FIELDS}


def _optional(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        raise invalid_request(f"'{name}' must be a {kind.__name__}.", param=name)
    return value


def _conversation_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not value:
        raise invalid_request(
            "'conversation' must be a conversation id or {\"id\": ...}.", param="conversation"
        )
    return value


async def plan_for(request: Request, body: dict[str, Any], raw_items: list[Any]) -> StorePlan:
    """Validate `store`, `previous_response_id`, `conversation`, `background` and load the
    history. `raw_items` is this request's `input` as a list of items.

    Raises 400: a field of the wrong type; `conversation` with `previous_response_id`;
    `background` with `store: false`; an unknown, deleted, expired or someone else's
    response / conversation (param names it); any of them while the store is off
    (`store_disabled`); an `item_reference` to nothing in the history or input.
    """
    svc = services(request)
    store = svc.store
    save = _optional(body, "store", bool)
    previous = _optional(body, "previous_response_id", str) or None
    conversation = _conversation_id(body.get("conversation"))
    background = bool(_optional(body, "background", bool))
    if previous and conversation:
        raise invalid_request(
            "'conversation' and 'previous_response_id' cannot be used together.",
            param="conversation",
        )
    if not store.enabled:
        for name, used in (
            ("previous_response_id", previous),
            ("conversation", conversation),
            ("background", background),
        ):
            if used:
                error = StoreDisabled(f"'{name}'")
                error.param = name
                raise error
        return StorePlan(store, "", save=False, new_items=list(raw_items))
    save = True if save is None else save
    if background and not save:
        raise invalid_request("'background' needs 'store': true.", param="background")
    if background and body.get("stream"):
        raise invalid_request(
            "'background' with 'stream' is not supported here: poll GET /v1/responses/{id}.",
            param="stream",
        )
    owner = store.owner_for(caller_key(request))
    plan = StorePlan(store, owner, save, previous, conversation, background)
    if previous:
        history = await store.history(owner, previous)
        if history is None:
            raise invalid_request(
                f"Previous response with id '{previous}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        plan.history = history
    elif conversation:
        items = await store.all_items(owner, conversation)
        if items is None:
            raise invalid_request(
                f"Conversation with id '{conversation}' not found.", param="conversation"
            )
        plan.history = items
    plan.new_items = _own_items(raw_items, plan.history)
    return plan


def _own_items(raw_items: list[Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """This request's items with ids (stored and listed by input_items); `item_reference`s
    replaced by the item they name, from the history or earlier in this input."""
    known = {item.get("id"): item for item in history if isinstance(item, dict)}
    out: list[dict[str, Any]] = []
    for index, item in enumerate(raw_items):
        param = f"input[{index}]"
        if not isinstance(item, dict):
            raise invalid_request("Each input item must be an object.", param=param)
        if item.get("type") == "item_reference":
            reference = item.get("id")
            if not isinstance(reference, str):
                raise invalid_request(
                    "An item_reference needs the string 'id' of an earlier item.",
                    param=f"{param}.id",
                )
            target = known.get(reference)
            if target is None:
                raise invalid_request(
                    f"No item with id {item.get('id')!r} in this conversation's history.",
                    param=f"{param}.id",
                )
            item = target
        elif item.get("type", "message") == "message" and "role" not in item:
            out.append(dict(item))  # the translator names what is missing
            continue
        stored = normalize_item(item, param)
        known[stored["id"]] = stored
        out.append(stored)
    return out


def stored_response(plan: StorePlan, response: dict[str, Any]) -> StoredResponse:
    return StoredResponse(
        id=response["id"],
        owner=plan.owner,
        created_at=float(response.get("created_at") or 0),
        status=response.get("status", "completed"),
        body=response,
        input_items=plan.new_items,
        previous_response_id=plan.previous_response_id,
        conversation_id=plan.conversation_id,
        background=plan.background,
    )


async def save(plan: StorePlan, response: dict[str, Any]) -> bool:
    """Store the final response (and append its input and output items to its
    conversation) in one transaction; nothing when `store` is false. A response still
    `in_progress` (a stream the client left) is stored `cancelled` with what it had.
    Shielded: a client going away does not cut the write in half."""
    if not plan.save:
        return False
    if response.get("status") not in FINAL:
        response = {**response, "status": "cancelled"}
    conversation_items = None
    if plan.conversation_id:
        conversation_items = plan.new_items + list(response.get("output") or [])
    record = stored_response(plan, response)
    saved = await asyncio.shield(plan.store.save_response(record, conversation_items))
    if not saved:
        log.warning("response %s not stored: its conversation or run is gone", record.id)
    return saved


def queued_response(
    response_id: str, created_at: int, model: str, echo: dict[str, Any]
) -> dict[str, Any]:
    """The `queued` Response a background request answers with at once."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "queued",
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": [],
        **echo,
        "usage": None,
    }


_FAIL_CODES = {429: "rate_limit_exceeded", 400: "invalid_prompt"}


async def start_background(
    svc: Services,
    plan: StorePlan,
    queued: dict[str, Any],
    produce: Callable[[], Awaitable[dict[str, Any]]],
) -> None:
    """Store `queued` (status queued, holding a lease) and run `produce()` (the upstream
    call and translation, returning the final Response) in this process. The runner renews
    the lease every third of it and stops when the response was cancelled (here or on
    another replica); if this process dies, any replica fails it once the lease lapses."""
    await plan.store.start_background(stored_response(plan, queued))
    task = asyncio.create_task(_run(plan, queued, produce))
    svc.background[queued["id"]] = task
    task.add_done_callback(lambda _: svc.background.pop(queued["id"], None))


async def _run(
    plan: StorePlan, queued: dict[str, Any], produce: Callable[[], Awaitable[dict[str, Any]]]
) -> None:
    store, response_id = plan.store, queued["id"]
    work: asyncio.Task[dict[str, Any]] = asyncio.create_task(_call(produce))
    try:
        status: str | None = "in_progress"
        while status == "in_progress":
            try:
                status = await store.renew_lease(response_id)
            except Exception as exc:  # the database blinked: the lease has slack, go on
                log.warning("background lease renewal failed: %s", type(exc).__name__)
            done, _ = await asyncio.wait({work}, timeout=store.lease_s / 3)
            if done:
                break
        if not work.done():  # cancelled or failed elsewhere: stop the upstream call
            work.cancel()
            return
        response = work.result()
    except asyncio.CancelledError:
        work.cancel()
        raise
    except AdapterError as error:
        code = _FAIL_CODES.get(error.status, "server_error")
        response = {**queued, "status": "failed", "error": {"code": code, "message": error.message}}
    except Exception:
        log.exception("background response failed")
        response = {
            **queued,
            "status": "failed",
            "error": {"code": "server_error", "message": "Internal error in the adapter."},
        }
    await save(plan, response)


async def _call(produce: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    return await produce()
