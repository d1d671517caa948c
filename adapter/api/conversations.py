"""The Conversations API (docs/store.md): `POST /v1/conversations` {items, metadata};
`GET` / `POST` (metadata) / `DELETE /v1/conversations/{id}`; `GET` / `POST
/v1/conversations/{id}/items`; `GET` / `DELETE /v1/conversations/{id}/items/{item_id}`.

Shapes as openai-python's `Conversation`, `ConversationDeletedResource`,
`ConversationItemList`. Another caller's conversation: 404, never its content.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import json_response
from adapter.api.stored import list_params, not_found, store_owner
from adapter.body import read_json
from adapter.errors import invalid_request
from adapter.store.base import Page
from adapter.store.items import normalize_items

MAX_METADATA_KEYS = 16
MAX_NEW_ITEMS = 20  # per request, as OpenAI


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_request("The body must be a JSON object.")
    return body


def _metadata(value: Any) -> dict[str, str]:
    """Up to 16 string pairs (keys up to 64 characters, values up to 512), as OpenAI."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_METADATA_KEYS:
        raise invalid_request(
            f"'metadata' must be an object of at most {MAX_METADATA_KEYS} string pairs.",
            param="metadata",
        )
    for key, item in value.items():
        if len(key) > 64 or not isinstance(item, str) or len(item) > 512:
            raise invalid_request(
                "metadata keys are strings up to 64 characters, values strings up to 512.",
                param=f"metadata.{key}",
            )
    return value


def _new_items(value: Any, param: str) -> list[dict[str, Any]]:
    items = normalize_items([] if value is None else value, param)
    if len(items) > MAX_NEW_ITEMS:
        raise invalid_request(f"At most {MAX_NEW_ITEMS} items at a time.", param=param)
    return items


async def create_conversation(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Creating a conversation")
    body = _object(await read_json(request, svc.config.max_body_bytes))
    metadata = _metadata(body.get("metadata"))
    items = _new_items(body.get("items"), "items")
    conversation = await store.create_conversation(owner, metadata, items)
    return json_response(conversation)


async def get_conversation(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Retrieving a conversation")
    conversation_id = request.path_params["conversation_id"]
    conversation = await store.get_conversation(owner, conversation_id)
    if conversation is None:
        raise not_found("conversation", conversation_id)
    return json_response(conversation)


async def update_conversation(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Updating a conversation")
    conversation_id = request.path_params["conversation_id"]
    body = _object(await read_json(request, svc.config.max_body_bytes))
    if "metadata" not in body:
        raise invalid_request("Missing required parameter: 'metadata'.", param="metadata")
    conversation = await store.update_conversation(
        owner, conversation_id, _metadata(body["metadata"])
    )
    if conversation is None:
        raise not_found("conversation", conversation_id)
    return json_response(conversation)


async def delete_conversation(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Deleting a conversation")
    conversation_id = request.path_params["conversation_id"]
    if not await store.delete_conversation(owner, conversation_id):
        raise not_found("conversation", conversation_id)
    return json_response({"id": conversation_id, "object": "conversation.deleted", "deleted": True})


async def list_items(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Listing conversation items")
    conversation_id = request.path_params["conversation_id"]
    limit, order, after = list_params(request)
    page = await store.list_items(owner, conversation_id, limit, order, after)
    if page is None:
        raise not_found("conversation", conversation_id)
    return json_response(page.body())


async def add_items(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Adding conversation items")
    conversation_id = request.path_params["conversation_id"]
    body = _object(await read_json(request, svc.config.max_body_bytes))
    if "items" not in body:
        raise invalid_request("Missing required parameter: 'items'.", param="items")
    added = await store.add_items(owner, conversation_id, _new_items(body["items"], "items"))
    if added is None:
        raise not_found("conversation", conversation_id)
    return json_response(Page(added, False).body())


async def get_item(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Retrieving a conversation item")
    conversation_id = request.path_params["conversation_id"]
    item_id = request.path_params["item_id"]
    item = await store.get_item(owner, conversation_id, item_id)
    if item is None:
        raise not_found("conversation item", item_id)
    return json_response(item)


async def delete_item(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Deleting a conversation item")
    conversation_id = request.path_params["conversation_id"]
    item_id = request.path_params["item_id"]
    conversation = await store.delete_item(owner, conversation_id, item_id)
    if conversation is None:
        raise not_found("conversation item", item_id)
    return json_response(conversation)


ROUTES = [
    route
    for p in ("/v1/conversations", "/conversations")
    for route in (
        Route(p, create_conversation, methods=["POST"]),
        Route(f"{p}/{{conversation_id}}", get_conversation, methods=["GET"]),
        Route(f"{p}/{{conversation_id}}", update_conversation, methods=["POST"]),
        Route(f"{p}/{{conversation_id}}", delete_conversation, methods=["DELETE"]),
        Route(f"{p}/{{conversation_id}}/items", list_items, methods=["GET"]),
        Route(f"{p}/{{conversation_id}}/items", add_items, methods=["POST"]),
        Route(f"{p}/{{conversation_id}}/items/{{item_id}}", get_item, methods=["GET"]),
        Route(f"{p}/{{conversation_id}}/items/{{item_id}}", delete_item, methods=["DELETE"]),
    )
]
