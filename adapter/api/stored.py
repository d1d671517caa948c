"""What the stored-object routes share: the caller's store identity and list parameters.

Ownership (docs/store.md, "Isolation"): the owner is a keyed hash of the key the caller
presented (the client key in server-key mode, the forwarded key otherwise). The key policy
is checked first, exactly as for a generation request.
"""

from __future__ import annotations

from starlette.requests import Request

from adapter.errors import AdapterError, invalid_request
from adapter.keys import caller_key, upstream_key
from adapter.services import Services, services
from adapter.store import Store, StoreDisabled

MAX_LIMIT = 100


def store_owner(request: Request, what: str) -> tuple[Services, Store, str]:
    """(services, store, owner id) for this caller. Raises 401 (key policy) or 400 (store
    off, naming `what` needs it)."""
    svc = services(request)
    upstream_key(request, svc.config)
    store = svc.store
    if not store.enabled:
        raise StoreDisabled(what)
    return svc, store, store.owner_for(caller_key(request))


def list_params(request: Request) -> tuple[int, str, str | None]:
    """`limit` (1-100, default 20), `order` (`asc` | `desc`, default `desc`), `after`."""
    query = request.query_params
    text = query.get("limit", "20")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise invalid_request(f"'limit' must be an integer from 1 to {MAX_LIMIT}.", param="limit")
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid_request("'order' must be 'asc' or 'desc'.", param="order")
    return int(text), order, query.get("after") or None


def not_found(kind: str, object_id: str) -> AdapterError:
    return AdapterError(404, f"No {kind} found with id '{object_id}'.", code="not_found")
