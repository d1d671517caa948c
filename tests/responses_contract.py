"""The Responses stream contract (docs/responses.md), checked on a list of decoded events."""

from __future__ import annotations

from typing import Any

from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter
from schema_check import assert_valid

EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def check_stream(
    events: list[dict[str, Any]], validate: bool = True, schema: bool = True
) -> dict[str, Any]:
    """Assert the contract; return the final response. With `validate`, every event is
    checked against the SDK's pydantic types and (with `schema`) against
    schemas/openai.response_stream_event.json.

    Sequence numbers count from 0; created and in_progress come first; items open and close
    one at a time, in output order; every event of an item names that item; `.done` repeats
    the id, call_id and name of `.added`; message items start with empty content and get
    exactly one content part; the final response's output is exactly the done items.
    """
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert [e["type"] for e in events[:2]] == ["response.created", "response.in_progress"]
    assert events[-1]["type"] in TERMINAL
    assert all(e["type"] not in TERMINAL for e in events[:-1])
    done_items: list[dict[str, Any]] = []
    open_item: dict[str, Any] | None = None
    parts_added = 0
    seen: list[dict[str, Any]] = []  # events of the open item
    for event in events[2:-1]:
        if validate:
            EVENTS.validate_python(event)
            if schema:
                assert_valid("openai.response_stream_event", event)
        kind = event["type"]
        if kind == "response.output_item.added":
            assert open_item is None, "items must not interleave"
            assert event["output_index"] == len(done_items)
            open_item = event["item"]
            parts_added = 0
            seen = []
            if open_item["type"] == "message":
                assert open_item["content"] == []
        elif kind == "response.output_item.done":
            assert open_item is not None
            assert event["output_index"] == len(done_items)
            for key in ("id", "type", "call_id", "name"):
                assert event["item"].get(key) == open_item.get(key), key
                if open_item["type"] in ("function_call", "custom_tool_call") and key != "type":
                    assert event["item"].get(key), f"{key} must not be blank"
            if open_item["type"] == "message":
                assert parts_added == 1 and len(event["item"]["content"]) == 1
            _check_item_events(event["item"], seen)
            done_items.append(event["item"])
            open_item = None
        else:
            assert open_item is not None, f"{kind} outside an item"
            assert event["item_id"] == open_item["id"]
            assert event["output_index"] == len(done_items)
            seen.append(event)
            if kind == "response.content_part.added":
                parts_added += 1
                assert event["part"]["type"] in ("output_text", "refusal")
                assert event["part"].get("text", event["part"].get("refusal")) == ""
    assert open_item is None
    final = events[-1]["response"]
    if validate:
        for event in (events[0], events[1], events[-1]):
            EVENTS.validate_python(event)
            if schema:
                assert_valid("openai.response_stream_event", event)
        Response.model_validate(final)
        if schema:
            assert_valid("openai.response", final)
    assert final["output"] == done_items
    return final


def _deltas(seen: list[dict[str, Any]], kind: str) -> str:
    return "".join(e["delta"] for e in seen if e["type"] == kind)


def _one(seen: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [e for e in seen if e["type"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def _check_item_events(item: dict[str, Any], seen: list[dict[str, Any]]) -> None:
    """Each item kind's own events, in order, adding up to the done item."""
    kinds = [e["type"] for e in seen]
    if item["type"] == "message":
        part = item["content"][0]
        if part["type"] == "output_text":
            assert kinds[0] == "response.content_part.added"
            assert kinds[-2:] == ["response.output_text.done", "response.content_part.done"]
            text = _deltas(seen, "response.output_text.delta")
            assert text == _one(seen, "response.output_text.done")["text"] == part["text"]
            assert _one(seen, "response.content_part.done")["part"] == part
        else:
            assert _one(seen, "response.refusal.done")["refusal"] == part["refusal"]
            assert _deltas(seen, "response.refusal.delta") == part["refusal"]
    elif item["type"] == "function_call":
        arguments = _deltas(seen, "response.function_call_arguments.delta")
        done = _one(seen, "response.function_call_arguments.done")
        assert arguments == done["arguments"] == item["arguments"]
        assert kinds[-1] == "response.function_call_arguments.done"
    elif item["type"] == "custom_tool_call":
        value = _deltas(seen, "response.custom_tool_call_input.delta")
        done = _one(seen, "response.custom_tool_call_input.done")
        assert value == done["input"] == item["input"]
        assert kinds[-1] == "response.custom_tool_call_input.done"
    elif item["type"] == "reasoning" and item["summary"]:
        assert kinds[0] == "response.reasoning_summary_part.added"
        text = _deltas(seen, "response.reasoning_summary_text.delta")
        assert text == _one(seen, "response.reasoning_summary_text.done")["text"]
        assert _one(seen, "response.reasoning_summary_part.done")["part"] == item["summary"][0]
        assert text == item["summary"][0]["text"]
