"""Item shapes the store hands out: every stored item has an `id` and a `type`.

Pure functions. Conversation items and response input items follow the OpenAI item shape
(openai-python `ConversationItem`, `ResponseInputItem`): a message written as
`{"role": "user", "content": "hi"}` is kept as `{"type": "message", "id": "msg_…",
"role": "user", "status": "completed", "content": [{"type": "input_text", "text": "hi"}]}`.
"""

from __future__ import annotations

import secrets
from typing import Any

from adapter.errors import invalid_request

ID_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "reasoning": "rs",
}


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(24)}"


def normalize_items(items: Any, param: str) -> list[dict[str, Any]]:
    """Items as stored: a `type`, an `id` (kept if given), message content as parts.

    Raises a 400 naming `param[i]` for anything that is not an item object.
    """
    if not isinstance(items, list):
        raise invalid_request(f"'{param}' must be an array of items.", param=param)
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid_request("Each item must be an object.", param=f"{param}[{index}]")
        out.append(normalize_item(item, f"{param}[{index}]"))
    return out


def normalize_item(item: dict[str, Any], param: str) -> dict[str, Any]:
    item = dict(item)
    kind = item.get("type") or ("message" if "role" in item else None)
    if not isinstance(kind, str):
        raise invalid_request("An item needs a 'type' (or a 'role').", param=f"{param}.type")
    if kind == "item_reference":
        raise invalid_request(
            "item_reference items are resolved in /v1/responses input, not stored.",
            param=f"{param}.type",
        )
    item["type"] = kind
    if kind == "message":
        role = item.get("role")
        if role not in ("user", "assistant", "system", "developer"):
            raise invalid_request(
                "A message's role must be user, assistant, system or developer.",
                param=f"{param}.role",
            )
        content = item.get("content")
        if isinstance(content, str):
            part = "output_text" if role == "assistant" else "input_text"
            extra: dict[str, Any] = {"annotations": []} if part == "output_text" else {}
            item["content"] = [{"type": part, "text": content, **extra}]
        elif not isinstance(content, list):
            raise invalid_request(
                "A message's content must be a string or an array of parts.",
                param=f"{param}.content",
            )
        item.setdefault("status", "completed")
    if not isinstance(item.get("id"), str) or not item["id"]:
        item["id"] = new_id(ID_PREFIX.get(kind, "item"))
    return item


def page_of(
    items: list[dict[str, Any]], limit: int, order: str, after: str | None
) -> tuple[list[dict[str, Any]], bool] | None:
    """A page of `items` (oldest first) in `order`, starting after the item `after`.

    None when `after` names no item of the list.
    """
    ordered = items if order == "asc" else items[::-1]
    start = 0
    if after is not None:
        for index, item in enumerate(ordered):
            if item.get("id") == after:
                start = index + 1
                break
        else:
            return None
    chunk = ordered[start : start + limit]
    return chunk, start + limit < len(ordered)
