"""Stored responses: `GET` / `DELETE /v1/responses/{id}`, `GET /v1/responses/{id}/input_items`,
`POST /v1/responses/{id}/cancel` (docs/store.md).

Another caller's response, an expired or deleted one: 404, never its content.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import json_response
from adapter.api.stored import list_params, not_found, store_owner
from adapter.errors import invalid_request
from adapter.store.base import RUNNING


async def get_response(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Retrieving a response")
    response_id = request.path_params["response_id"]
    stored = await store.get_response(owner, response_id)
    if stored is None:
        raise not_found("response", response_id)
    return json_response(stored.body)


async def delete_response(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Deleting a response")
    response_id = request.path_params["response_id"]
    if not await store.delete_response(owner, response_id):
        raise not_found("response", response_id)
    task = svc.background.pop(response_id, None)
    if task is not None:
        task.cancel()
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


async def input_items(request: Request) -> Response:
    svc, store, owner = store_owner(request, "Listing input items")
    response_id = request.path_params["response_id"]
    limit, order, after = list_params(request)
    page = await store.input_items(owner, response_id, limit, order, after)
    if page is None:
        raise not_found("response", response_id)
    return json_response(page.body())


async def cancel_response(request: Request) -> Response:
    """Cancel a background response: status `cancelled` at once, wherever its runner is (the
    runner sees it at its next lease renewal; on this process its task is cancelled now)."""
    svc, store, owner = store_owner(request, "Cancelling a response")
    response_id = request.path_params["response_id"]
    stored = await store.get_response(owner, response_id)
    if stored is None:
        raise not_found("response", response_id)
    if not stored.background:
        raise invalid_request("Only responses created with background=true can be cancelled.")
    if stored.status in RUNNING:
        stored = await store.cancel_response(owner, response_id)
        if stored is None:
            raise not_found("response", response_id)
        task = svc.background.pop(response_id, None)
        if task is not None:
            task.cancel()
    return json_response(stored.body)


ROUTES = [
    route
    for prefix in ("/v1", "")
    for route in (
        Route(f"{prefix}/responses/{{response_id}}", get_response, methods=["GET"]),
        Route(f"{prefix}/responses/{{response_id}}", delete_response, methods=["DELETE"]),
        Route(f"{prefix}/responses/{{response_id}}/input_items", input_items, methods=["GET"]),
        Route(f"{prefix}/responses/{{response_id}}/cancel", cancel_response, methods=["POST"]),
    )
]
