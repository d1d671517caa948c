"""The cleaner's fast path (schemas already in Gemini's subset are copied, not walked)
must give exactly what the full cleaner gives, for any such schema."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.translate.request.schema import _clean_fully, _is_plain, to_native_json_schema

names = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
text = st.text(max_size=10)


def with_extras(base: dict[str, Any], draw_extras: st.SearchStrategy[dict[str, Any]]) -> Any:
    return st.builds(lambda extra: {**base, **extra}, draw_extras)


common = st.fixed_dictionaries(
    {}, optional={"description": text, "title": text, "nullable": st.booleans()}
)
string = st.builds(
    lambda c, extra: {"type": "string", **c, **extra},
    common,
    st.fixed_dictionaries(
        {},
        optional={
            "enum": st.lists(text, min_size=1, max_size=3),
            "format": st.sampled_from(["date-time", "date", "time", "enum", "email", "uuid"]),
        },
    ),
)
number = st.builds(
    lambda kind, c, extra: {"type": kind, **c, **extra},
    st.sampled_from(["number", "integer"]),
    common,
    st.fixed_dictionaries(
        {},
        optional={
            "minimum": st.integers(-5, 5),
            "maximum": st.integers(5, 50),
            "format": st.sampled_from(["int32", "int64", "float", "double", "date"]),
        },
    ),
)
leaf = st.one_of(
    string, number, st.builds(lambda c: {"type": "boolean", **c}, common), st.just({"type": "null"})
)


def grow(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    obj = st.builds(
        lambda props, req_count, extra, c: {
            "type": "object",
            "properties": props,
            **({"required": list(props)[:req_count]} if req_count else {}),
            **extra,
            **c,
        },
        st.dictionaries(names, inner, max_size=3),
        st.integers(0, 3),
        st.fixed_dictionaries({}, optional={"additionalProperties": st.booleans()}),
        common,
    )
    arr = st.builds(lambda items, c: {"type": "array", "items": items, **c}, inner, common)
    union = st.builds(lambda branches: {"anyOf": branches}, st.lists(inner, min_size=1, max_size=3))
    return st.one_of(obj, arr, union)


schemas = st.recursive(leaf, grow, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(schemas)
def test_fast_path_equals_full_cleaner(schema: dict[str, Any]) -> None:
    full = _clean_fully(schema, "p")
    assert to_native_json_schema(schema, "p") == full
    if _is_plain(schema, 0):
        assert full == schema  # plain really means "unchanged by cleaning"


def test_fast_path_is_taken_for_typical_tool_schemas() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["city"],
        "properties": {
            "city": {"type": "string", "description": "City"},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "when": {"type": "string", "format": "date"},
            "unit": {"anyOf": [{"type": "string", "enum": ["c", "f"]}, {"type": "null"}]},
        },
    }
    assert _is_plain(schema, 0)
    result = to_native_json_schema(schema, "p")
    assert result == schema and result is not schema
    assert result["properties"] is not schema["properties"]
