"""Tests for the JSON Schema cleaner behind responseJsonSchema / parametersJsonSchema."""

from __future__ import annotations

import copy
import json
from enum import StrEnum
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field

from adapter.errors import AdapterError
from adapter.translate.request.schema import (
    MAX_SUBSCHEMAS,
    RECURSION_DEPTH,
    to_native_json_schema,
    to_native_parameters,
)

P = "response_format.json_schema.schema"
T = "tools[2].function.parameters"

# Written out here rather than imported: the test must catch the module
# widening its own list by mistake.
NATIVE_KEYWORDS = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description",
        "enum", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum",
        "anyOf", "oneOf", "properties", "additionalProperties", "required",
        "propertyOrdering", "nullable",
    }
)  # fmt: skip
# The cleaner inlines references, so these must not survive either.
REFERENCE_KEYWORDS = frozenset({"$ref", "$defs", "$id", "$anchor"})


def keyword_violations(schema: object, path: str = "$") -> list[str]:
    """Every keyword outside the native subset, at any depth.

    Keys of `properties` (and `$defs`) are names, not keywords, and are never
    reported; the schemas under them are checked.
    """
    if not isinstance(schema, dict):
        return [f"{path}: not a schema object"]
    found: list[str] = []
    for key, value in schema.items():
        if key not in NATIVE_KEYWORDS or key in REFERENCE_KEYWORDS:
            found.append(f"{path}.{key}")
        elif key == "properties":
            for name, sub in value.items():
                found += keyword_violations(sub, f"{path}.properties[{name!r}]")
        elif key in ("items", "additionalProperties"):
            if not isinstance(value, bool):
                found += keyword_violations(value, f"{path}.{key}")
        elif key in ("anyOf", "oneOf", "prefixItems"):
            for i, sub in enumerate(value):
                found += keyword_violations(sub, f"{path}.{key}[{i}]")
        elif key == "type":
            if not isinstance(value, str):
                found.append(f"{path}.type is {value!r}")
    return found


def clean(schema: object, param: str = P) -> dict[str, Any]:
    """Clean, and check the two invariants every case must hold."""
    before = copy.deepcopy(schema)
    out = to_native_json_schema(schema, param)
    assert schema == before, "the input schema was mutated"
    assert keyword_violations(out) == [], keyword_violations(out)
    return out


# ------------------------------------------------------------------ the checker


def test_checker_reports_keywords_but_not_property_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "pattern": "^a"},
            "$ref": {"items": {"minLength": 1}},
        },
    }
    assert keyword_violations(schema) == [
        "$.properties['pattern'].pattern",
        "$.properties['$ref'].items.minLength",
    ]
    assert keyword_violations({"$defs": {}, "anyOf": [{"const": 1}]}) == [
        "$.$defs",
        "$.anyOf[0].const",
    ]


# ------------------------------------------------------------- pydantic output


class Color(StrEnum):
    red = "red"
    green = "green"


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street: str = Field(min_length=1, max_length=100, pattern=r"^\w")
    zip: str | None = None


class Person(BaseModel):
    name: str
    age: int = Field(gt=0, le=150)
    color: Color = Color.red
    kind: Literal["person"]
    mood: Literal["calm", "angry"]
    addresses: list[Address]
    home: Address | None = None
    pair: tuple[int, str]
    score: float = Field(gt=0.5, description="Confidence")


NATIVE_ADDRESS = {
    "type": "object",
    "title": "Address",
    "properties": {
        "street": {
            "type": "string",
            "title": "Street",
            "description": "pattern: ^\\w; length: 1..100",
        },
        "zip": {"title": "Zip", "anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["street"],
    "additionalProperties": False,
}

NATIVE_PERSON = {
    "type": "object",
    "title": "Person",
    "properties": {
        "name": {"type": "string", "title": "Name"},
        "age": {"type": "integer", "title": "Age", "minimum": 1, "maximum": 150},
        "color": {
            "type": "string",
            "title": "Color",
            "enum": ["red", "green"],
            "description": 'default: "red"',
        },
        "kind": {"type": "string", "title": "Kind", "enum": ["person"]},
        "mood": {"type": "string", "title": "Mood", "enum": ["calm", "angry"]},
        "addresses": {"type": "array", "title": "Addresses", "items": NATIVE_ADDRESS},
        "home": {"anyOf": [NATIVE_ADDRESS, {"type": "null"}]},
        "pair": {
            "type": "array",
            "title": "Pair",
            "minItems": 2,
            "maxItems": 2,
            "prefixItems": [{"type": "integer"}, {"type": "string"}],
        },
        "score": {
            "type": "number",
            "title": "Score",
            "minimum": 0.5,
            "description": "Confidence (must be > 0.5)",
        },
    },
    "required": ["name", "age", "kind", "mood", "addresses", "pair", "score"],
}


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float


class Owner(BaseModel):
    pet: Cat | Dog = Field(discriminator="pet_type")
    scores: dict[str, int] = {}


NATIVE_OWNER = {
    "type": "object",
    "title": "Owner",
    "properties": {
        "pet": {
            "title": "Pet",
            "oneOf": [
                {
                    "type": "object",
                    "title": "Cat",
                    "properties": {
                        "pet_type": {"type": "string", "title": "Pet Type", "enum": ["cat"]},
                        "meows": {"type": "integer", "title": "Meows"},
                    },
                    "required": ["pet_type", "meows"],
                },
                {
                    "type": "object",
                    "title": "Dog",
                    "properties": {
                        "pet_type": {"type": "string", "title": "Pet Type", "enum": ["dog"]},
                        "barks": {"type": "number", "title": "Barks"},
                    },
                    "required": ["pet_type", "barks"],
                },
            ],
        },
        "scores": {
            "type": "object",
            "title": "Scores",
            "additionalProperties": {"type": "integer"},
            "description": "default: {}",
        },
    },
    "required": ["pet"],
}


class Step(BaseModel):
    explanation: str
    output: str | None


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str


def openai_strict_schema() -> dict[str, Any]:
    """What the OpenAI SDK itself sends for `response_format=MathReasoning` (strict mode)."""
    from openai.lib._parsing._completions import type_to_response_format_param

    param = type_to_response_format_param(MathReasoning)
    assert param["json_schema"]["strict"] is True  # type: ignore[index]
    return param["json_schema"]["schema"]  # type: ignore[index,return-value]


NATIVE_MATH = {
    "type": "object",
    "title": "MathReasoning",
    "properties": {
        "steps": {
            "type": "array",
            "title": "Steps",
            "items": {
                "type": "object",
                "title": "Step",
                "properties": {
                    "explanation": {"type": "string", "title": "Explanation"},
                    "output": {"title": "Output", "anyOf": [{"type": "string"}, {"type": "null"}]},
                },
                "required": ["explanation", "output"],
                "additionalProperties": False,
            },
        },
        "final_answer": {"type": "string", "title": "Final Answer"},
    },
    "required": ["steps", "final_answer"],
    "additionalProperties": False,
}


# zod-to-json-schema output for a named `z.object` (draft-07, `definitions`,
# a root `$ref`, a reused sub-schema referenced by path, `.nullable()` as a
# type list, `.positive()` as exclusiveMinimum, `.strict()` objects).
ZOD_ORDER = {
    "$ref": "#/definitions/Order",
    "definitions": {
        "Order": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "email": {"type": "string", "format": "email"},
                "quantity": {"type": "integer", "exclusiveMinimum": 0},
                "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                "status": {"type": "string", "enum": ["pending", "shipped"]},
                "kind": {"type": "string", "const": "order"},
                "note": {"type": ["string", "null"], "maxLength": 200},
                "createdAt": {"type": "string", "format": "date-time"},
                "billing": {
                    "type": "object",
                    "properties": {
                        "street": {"type": "string", "minLength": 1},
                        "city": {"type": "string"},
                    },
                    "required": ["street", "city"],
                    "additionalProperties": False,
                },
                "shipping": {"$ref": "#/definitions/Order/properties/billing"},
                "tags": {"type": "array", "items": {"type": "string"}, "default": []},
            },
            "required": ["id", "email", "quantity", "status", "kind", "billing"],
            "additionalProperties": False,
        }
    },
    "$schema": "http://json-schema.org/draft-07/schema#",
}

NATIVE_BILLING = {
    "type": "object",
    "properties": {
        "street": {"type": "string", "description": "min length: 1"},
        "city": {"type": "string"},
    },
    "required": ["street", "city"],
    "additionalProperties": False,
}

NATIVE_ORDER = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "format: uuid"},
        "email": {"type": "string", "description": "format: email"},
        "quantity": {"type": "integer", "minimum": 1},
        "price": {"type": "number", "minimum": 0, "maximum": 1000, "description": "must be > 0"},
        "status": {"type": "string", "enum": ["pending", "shipped"]},
        "kind": {"type": "string", "enum": ["order"]},
        "note": {"description": "max length: 200", "anyOf": [{"type": "string"}, {"type": "null"}]},
        "createdAt": {"type": "string", "format": "date-time"},
        "billing": NATIVE_BILLING,
        "shipping": NATIVE_BILLING,
        "tags": {"type": "array", "items": {"type": "string"}, "description": "default: []"},
    },
    "required": ["id", "email", "quantity", "status", "kind", "billing"],
    "additionalProperties": False,
}

# instructor's `openai_schema` on a pydantic-v1 style model: `definitions`,
# a field description next to `allOf: [{$ref}]`, the model docstring as
# description, no top-level `type` in some versions.
INSTRUCTOR_PARAMETERS = {
    "properties": {
        "name": {"type": "string", "description": "The user's full name"},
        "age": {"type": "integer", "description": "Age in years"},
        "role": {"allOf": [{"$ref": "#/definitions/Role"}], "description": "The user's role"},
        "friends": {"type": "array", "items": {"$ref": "#/definitions/Friend"}},
    },
    "required": ["name", "age", "role"],
    "definitions": {
        "Role": {
            "title": "Role",
            "description": "An enumeration.",
            "enum": ["admin", "user"],
            "type": "string",
        },
        "Friend": {
            "title": "Friend",
            "type": "object",
            "properties": {"name": {"title": "Name", "type": "string"}},
            "required": ["name"],
        },
    },
}

NATIVE_INSTRUCTOR = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The user's full name"},
        "age": {"type": "integer", "description": "Age in years"},
        "role": {
            "title": "Role",
            "description": "The user's role",
            "enum": ["admin", "user"],
            "type": "string",
        },
        "friends": {
            "type": "array",
            "items": {
                "title": "Friend",
                "type": "object",
                "properties": {"name": {"title": "Name", "type": "string"}},
                "required": ["name"],
            },
        },
    },
    "required": ["name", "age", "role"],
}


REAL_WORLD = [
    pytest.param(lambda: Person.model_json_schema(), NATIVE_PERSON, id="pydantic-nested"),
    pytest.param(lambda: Owner.model_json_schema(), NATIVE_OWNER, id="pydantic-discriminated"),
    pytest.param(openai_strict_schema, NATIVE_MATH, id="openai-strict"),
    pytest.param(lambda: ZOD_ORDER, NATIVE_ORDER, id="zod-to-json-schema"),
    pytest.param(lambda: INSTRUCTOR_PARAMETERS, NATIVE_INSTRUCTOR, id="instructor"),
]


@pytest.mark.parametrize(("make", "expected"), REAL_WORLD)
def test_real_world_schemas(make: Any, expected: dict[str, Any]) -> None:
    out = clean(make())
    if "type" not in out:  # instructor omits it; the parameters path adds it
        out = to_native_parameters(make(), T)
    assert out == expected


def test_meaning_is_kept_for_pydantic_model() -> None:
    """A valid instance still validates, and typical invalid ones are still refused."""
    out = clean(Person.model_json_schema())
    good = Person(
        name="Ann",
        age=30,
        kind="person",
        mood="calm",
        addresses=[Address(street="Main")],
        home=None,
        pair=(1, "a"),
        score=0.9,
    ).model_dump(mode="json")
    validator = jsonschema.Draft202012Validator(out)
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**good, "kind": "robot"},  # const
        {**good, "age": 0},  # exclusiveMinimum 0 on an integer
        {**good, "color": "blue"},  # enum via $ref
        {**good, "addresses": [{"street": "x", "extra": 1}]},  # extra="forbid"
        {k: v for k, v in good.items() if k != "mood"},  # required
    ):
        assert list(validator.iter_errors(bad)), bad


# ------------------------------------------------------------------- recursion


class Node(BaseModel):
    value: int
    children: list[Node] = []


def node_depth(schema: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """How many Node levels are inlined, and what the innermost `items` is."""
    depth = 0
    while schema.get("title") == "Node":
        depth += 1
        schema = schema["properties"]["children"]["items"]
    return depth, schema


def test_recursive_model_is_unrolled_then_stubbed() -> None:
    out = clean(Node.model_json_schema())
    depth, innermost = node_depth(out)
    assert depth == RECURSION_DEPTH + 1
    assert innermost == {"type": "object"}
    assert out["properties"]["value"] == {"type": "integer", "title": "Value"}
    assert out["required"] == ["value"]


def test_recursion_through_root_reference() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "parent": {"$ref": "#"}},
    }
    out = clean(schema)
    level = out
    for _ in range(RECURSION_DEPTH + 1):
        assert set(level["properties"]) == {"name", "parent"}
        level = level["properties"]["parent"]
    assert level == {"type": "object"}


def test_recursive_non_object_becomes_any() -> None:
    # JSON-like value: an array of itself or a string.  An object stub would
    # contradict the definition, so the stub is the any-schema.
    schema = {
        "$defs": {
            "V": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/$defs/V"}}]}
        },
        "$ref": "#/$defs/V",
    }
    out = clean(schema)
    level = out
    for _ in range(RECURSION_DEPTH + 1):
        assert level["anyOf"][0] == {"type": "string"}
        level = level["anyOf"][1]["items"]
    assert level == {}


def test_wide_recursion_is_unrolled_less_to_stay_small() -> None:
    # 20 recursive fields: 20**3 nodes at the default depth, over the budget.
    props = {f"f{i}": {"$ref": "#/$defs/N"} for i in range(20)}
    schema = {"$defs": {"N": {"type": "object", "properties": props}}, "$ref": "#/$defs/N"}
    out = clean(schema)
    assert out["properties"]["f0"]["properties"]["f7"] == {"type": "object"}
    assert len(json.dumps(out)) < 50_000


def test_exponential_inlining_is_a_400() -> None:
    defs: dict[str, Any] = {"D0": {"type": "string"}}
    for i in range(1, 16):
        ref = {"$ref": f"#/$defs/D{i - 1}"}
        defs[f"D{i}"] = {"type": "object", "properties": {"a": ref, "b": ref}}
    with pytest.raises(AdapterError) as err:
        to_native_json_schema({"$defs": defs, "$ref": "#/$defs/D15"}, P)
    assert err.value.status == 400
    assert err.value.param == P
    assert str(MAX_SUBSCHEMAS) in err.value.message


def test_absurd_nesting_is_a_400_not_a_crash() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(5000):
        schema = {"type": "array", "items": schema}
    with pytest.raises(AdapterError) as err:
        to_native_json_schema(schema, P)
    assert err.value.status == 400
    assert err.value.param == P


# -------------------------------------------------------------- rewrite table

REWRITES = [
    pytest.param({}, {}, id="any-stays-any"),
    pytest.param(True, {}, id="true-is-any"),
    pytest.param(
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {}},
        id="empty-properties-kept",
    ),
    pytest.param(
        {"type": "string", "const": "x"}, {"type": "string", "enum": ["x"]}, id="const-string"
    ),
    pytest.param({"const": 3}, {"enum": [3]}, id="const-number"),
    pytest.param({"const": True}, {"enum": [True]}, id="const-bool"),
    pytest.param({"const": None}, {"type": "null"}, id="const-null"),
    pytest.param({"enum": ["a", "b"], "const": "b"}, {"enum": ["b"]}, id="const-narrows-enum"),
    pytest.param(
        {"type": "integer", "enum": [1, 2, 3]},
        {"type": "integer", "enum": [1, 2, 3]},
        id="enum-of-ints-kept",
    ),
    pytest.param({"type": "STRING"}, {"type": "string"}, id="openapi-uppercase-type"),
    pytest.param(
        {"type": ["string", "null"]},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        id="type-list-nullable",
    ),
    pytest.param(
        {"type": ["string", "null"], "enum": ["a", "b", None], "description": "d"},
        {"description": "d", "anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]},
        id="type-list-nullable-enum",
    ),
    pytest.param(
        {"type": ["string", "null"], "enum": ["a", "b"]},
        {"type": "string", "enum": ["a", "b"]},
        id="type-list-enum-without-null",
    ),
    pytest.param(
        {
            "type": ["object", "null"],
            "title": "T",
            "properties": {"a": {"type": "integer"}},
            "required": ["a"],
            "additionalProperties": False,
        },
        {
            "title": "T",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}},
                    "required": ["a"],
                    "additionalProperties": False,
                },
                {"type": "null"},
            ],
        },
        id="type-list-object-constraints-go-to-object-branch",
    ),
    pytest.param(
        {"type": ["integer", "string"], "minimum": 0, "format": "int64"},
        {"anyOf": [{"type": "integer", "minimum": 0, "format": "int64"}, {"type": "string"}]},
        id="type-list-numeric-constraints-only-on-numbers",
    ),
    pytest.param({"type": ["integer"]}, {"type": "integer"}, id="type-list-of-one"),
    pytest.param(
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        {"type": "integer", "minimum": 1, "maximum": 9},
        id="exclusive-integer-exact",
    ),
    pytest.param(
        {"type": "integer", "exclusiveMinimum": 0.5},
        {"type": "integer", "minimum": 1},
        id="exclusive-integer-fraction",
    ),
    pytest.param(
        {"type": "number", "exclusiveMaximum": 1, "description": "Ratio"},
        {"type": "number", "maximum": 1, "description": "Ratio (must be < 1)"},
        id="exclusive-number-noted",
    ),
    pytest.param(
        {"type": "number", "minimum": 5, "exclusiveMinimum": 1},
        {"type": "number", "minimum": 5},
        id="exclusive-looser-than-minimum-ignored",
    ),
    pytest.param(
        {"type": "integer", "minimum": 3, "exclusiveMinimum": True},
        {"type": "integer", "minimum": 4},
        id="exclusive-draft4-flag",
    ),
    pytest.param(
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "date-time"},
        id="format-kept",
    ),
    pytest.param(
        {"type": "number", "format": "double"},
        {"type": "number", "format": "double"},
        id="format-number-kept",
    ),
    pytest.param(
        {"type": "string", "format": "uri", "description": "Link"},
        {"type": "string", "description": "Link (format: uri)"},
        id="format-unsupported-noted",
    ),
    pytest.param(
        {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 8},
        {"type": "string", "description": "pattern: ^[a-z]+$; length: 2..8"},
        id="string-constraints-noted",
    ),
    pytest.param(
        {"type": "array", "items": {"type": "integer", "multipleOf": 5}, "uniqueItems": True},
        {
            "type": "array",
            "items": {"type": "integer", "description": "multiple of 5"},
            "description": "items must be unique",
        },
        id="array-constraints-noted",
    ),
    pytest.param(
        {"type": "object", "minProperties": 1, "default": {"a": 1}, "examples": [{"a": 2}]},
        {"type": "object", "description": 'min properties: 1; default: {"a": 1}'},
        id="object-constraints-and-default-noted-examples-dropped",
    ),
    pytest.param(
        {"type": "string", "default": None}, {"type": "string"}, id="null-default-not-noted"
    ),
    pytest.param(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.com/s",
            "$comment": "x",
            "type": "string",
            "readOnly": True,
            "writeOnly": False,
            "deprecated": True,
            "strict": True,
            "not": {"const": ""},
            "if": {"minLength": 1},
            "then": {},
            "contentEncoding": "base64",
        },
        {"type": "string"},
        id="unsupported-keywords-dropped",
    ),
    pytest.param(
        {"type": "string", "nullable": True},
        {"type": "string", "nullable": True},
        id="nullable-kept",
    ),
    pytest.param(
        {
            "type": "object",
            "additionalProperties": {"type": "string", "minLength": 1, "title": "V"},
        },
        {
            "type": "object",
            "additionalProperties": {
                "type": "string",
                "title": "V",
                "description": "min length: 1",
            },
        },
        id="additional-properties-schema-cleaned",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": True},
        {"type": "object", "additionalProperties": True},
        id="additional-properties-true-kept",
    ),
    pytest.param(
        {
            "type": "array",
            "items": [{"type": "string"}, {"type": "integer"}],
            "additionalItems": False,
        },
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "maxItems": 2},
        id="tuple-items-to-prefixItems",
    ),
    pytest.param(
        {"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "integer"}},
        {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
        id="tuple-additional-items-to-items",
    ),
    pytest.param(
        {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
        {"type": "array", "prefixItems": [{"type": "string"}], "maxItems": 1},
        id="prefixItems-items-false",
    ),
    pytest.param(
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}]},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        id="allOf-single",
    ),
    pytest.param(
        {
            "description": "Merged",
            "allOf": [
                {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "required": ["a"],
                    "description": "A",
                },
                {
                    "type": "object",
                    "properties": {"b": {"type": "integer", "minimum": 2, "maximum": 9}},
                    "required": ["b"],
                },
                {"properties": {"b": {"minimum": 1, "maximum": 5}}},
            ],
        },
        {
            "type": "object",
            "description": "Merged",
            "properties": {
                "a": {"type": "string"},
                "b": {"type": "integer", "minimum": 2, "maximum": 5},
            },
            "required": ["a", "b"],
        },
        id="allOf-objects-merged",
    ),
    pytest.param(
        {"allOf": [{"type": "number"}, {"type": "integer"}], "enum": [1, 2]},
        {"type": "integer", "enum": [1, 2]},
        id="allOf-number-and-integer",
    ),
    pytest.param(
        {"anyOf": [{"type": "string"}, False, True]},
        {"anyOf": [{"type": "string"}, {}]},
        id="anyOf-boolean-branches",
    ),
    pytest.param(
        {
            "type": "object",
            "properties": {"a": {"type": "string"}, "secret": False},
            "required": ["a", "secret"],
            "propertyOrdering": ["secret", "a"],
        },
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
            "propertyOrdering": ["a"],
        },
        id="false-property-removed",
    ),
    pytest.param(
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "properties": {"type": "object", "properties": {}},
                "$ref": {"type": "string", "pattern": "x"},
                "pattern": {"type": "integer"},
                "first name": {"type": "string"},
            },
            "required": ["type", "$ref", "first name"],
        },
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "properties": {"type": "object", "properties": {}},
                "$ref": {"type": "string", "description": "pattern: x"},
                "pattern": {"type": "integer"},
                "first name": {"type": "string"},
            },
            "required": ["type", "$ref", "first name"],
        },
        id="property-names-are-not-keywords",
    ),
    pytest.param(
        {
            "$defs": {"Id": {"type": "string", "description": "An id", "format": "uuid"}},
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/Id", "description": "Owner id", "default": "0"}},
        },
        {
            "type": "object",
            "properties": {"x": {"type": "string", "description": 'Owner id (default: "0")'}},
        },
        id="ref-siblings-win",
    ),
    pytest.param(
        {
            "$defs": {
                "a/b": {"type": "integer"},
                "c~d": {"type": "boolean"},
                "e f": {"type": "null"},
            },
            "properties": {
                "x": {"$ref": "#/$defs/a~1b"},
                "y": {"$ref": "#/$defs/c~0d"},
                "z": {"$ref": "#/$defs/e%20f"},
            },
        },
        {"properties": {"x": {"type": "integer"}, "y": {"type": "boolean"}, "z": {"type": "null"}}},
        id="json-pointer-escapes",
    ),
    pytest.param(
        {
            "$defs": {"Item": {"$anchor": "item", "type": "string", "enum": ["a"]}},
            "type": "array",
            "items": {"$ref": "#item"},
        },
        {"type": "array", "items": {"type": "string", "enum": ["a"]}},
        id="anchor-ref",
    ),
    pytest.param(
        {
            "$id": "https://example.com/order.json",
            "definitions": {"Qty": {"type": "integer"}},
            "properties": {"q": {"$ref": "https://example.com/order.json#/definitions/Qty"}},
        },
        {"properties": {"q": {"type": "integer"}}},
        id="ref-qualified-by-root-id",
    ),
    pytest.param(
        {
            "definitions": {
                "A": {"$ref": "#/definitions/B"},
                "B": {"type": "string", "title": "B"},
            },
            "items": {"$ref": "#/definitions/A"},
        },
        {"items": {"type": "string", "title": "B"}},
        id="ref-to-ref",
    ),
]


@pytest.mark.parametrize(("schema", "expected"), REWRITES)
def test_rewrites(schema: object, expected: dict[str, Any]) -> None:
    assert clean(schema) == expected


def test_output_shares_nothing_with_input() -> None:
    schema = {
        "$defs": {"E": {"type": "string", "enum": [{"k": "v"}]}},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/E"}, "b": {"$ref": "#/$defs/E"}},
    }
    before = copy.deepcopy(schema)
    out = clean(schema)
    out["properties"]["a"]["enum"][0]["k"] = "changed"
    out["properties"]["a"]["type"] = "integer"
    assert schema == before
    assert out["properties"]["b"] == {"type": "string", "enum": [{"k": "v"}]}


# --------------------------------------------------------------------- errors

ERRORS = [
    pytest.param(["not", "a", "schema"], P, id="array-root"),
    pytest.param("object", P, id="string-root"),
    pytest.param(None, P, id="null-root"),
    pytest.param(False, P, id="false-root"),
    pytest.param(
        {"type": "object", "properties": {"a": 3}}, f"{P}.properties.a", id="number-property"
    ),
    pytest.param(
        {"properties": {"home": {"$ref": "#/$defs/Missing"}}},
        f"{P}.properties.home.$ref",
        id="ref-missing",
    ),
    pytest.param(
        {"properties": {"first name": {"$ref": "#/definitions/X"}}, "definitions": {}},
        f'{P}.properties["first name"].$ref',
        id="ref-missing-odd-name",
    ),
    pytest.param(
        {"items": {"$ref": "https://example.com/other.json#/$defs/X"}},
        f"{P}.items.$ref",
        id="ref-remote",
    ),
    pytest.param({"items": {"$ref": "#nowhere"}}, f"{P}.items.$ref", id="ref-unknown-anchor"),
    pytest.param({"items": {"$ref": 7}}, f"{P}.items.$ref", id="ref-not-a-string"),
    pytest.param(
        {
            "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}},
            "properties": {"x": {"$ref": "#/$defs/A"}},
        },
        f"{P}.$defs.B.$ref",
        id="ref-alias-cycle",
    ),
    pytest.param(
        {"anyOf": [{"$ref": "#"}, {"type": "string"}]},
        f"{P}.anyOf[0].$ref",
        id="ref-root-alias-cycle",
    ),
    pytest.param(
        {"$defs": {"A": {"type": "object", "properties": []}}, "items": {"$ref": "#/$defs/A"}},
        f"{P}.$defs.A.properties",
        id="error-inside-definition-names-definition",
    ),
    pytest.param({"type": "str"}, f"{P}.type", id="unknown-type"),
    pytest.param({"type": "object", "required": "a"}, f"{P}.required", id="required-not-list"),
    pytest.param({"anyOf": []}, f"{P}.anyOf", id="empty-anyOf"),
    pytest.param({"allOf": {"type": "string"}}, f"{P}.allOf", id="allOf-not-list"),
    pytest.param({"enum": "a"}, f"{P}.enum", id="enum-not-list"),
    pytest.param({"type": "array", "maxItems": -1}, f"{P}.maxItems", id="negative-maxItems"),
    pytest.param(
        {"type": "array", "prefixItems": [False]}, f"{P}.prefixItems[0]", id="false-tuple-item"
    ),
]


@pytest.mark.parametrize(("schema", "param"), ERRORS)
def test_errors_name_the_field(schema: object, param: str) -> None:
    before = copy.deepcopy(schema)
    with pytest.raises(AdapterError) as err:
        to_native_json_schema(schema, P)
    assert err.value.status == 400
    assert err.value.type == "invalid_request_error"
    assert err.value.param == param
    assert schema == before


# ------------------------------------------------------------ tool parameters


def test_parameters_none_means_no_schema() -> None:
    assert to_native_parameters(None, T) is None


PARAMETERS = [
    pytest.param(
        {"properties": {"city": {"type": "string"}}, "required": ["city"]},
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        id="missing-type-gets-object",
    ),
    pytest.param({}, {"type": "object"}, id="empty-is-an-object-of-anything"),
    pytest.param(
        {"type": "object", "properties": {}, "additionalProperties": False},
        {"type": "object", "properties": {}, "additionalProperties": False},
        id="no-arguments",
    ),
    pytest.param(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"n": {"type": "integer", "exclusiveMinimum": 0}},
        },
        {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}},
        id="cleaned-like-response-schemas",
    ),
    pytest.param(
        {
            "anyOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "object"},
            ]
        },
        {
            "anyOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "object"},
            ]
        },
        id="union-left-alone",
    ),
]


@pytest.mark.parametrize(("schema", "expected"), PARAMETERS)
def test_parameters(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    before = copy.deepcopy(schema)
    out = to_native_parameters(schema, T)
    assert out == expected
    assert keyword_violations(out) == []
    assert schema == before


def test_parameters_must_be_an_object() -> None:
    with pytest.raises(AdapterError) as err:
        to_native_parameters({"type": "string"}, T)
    assert err.value.status == 400
    assert err.value.param == f"{T}.type"


def test_parameters_errors_use_the_tool_path() -> None:
    with pytest.raises(AdapterError) as err:
        to_native_parameters({"type": "object", "properties": {"q": {"$ref": "#/$defs/Q"}}}, T)
    assert err.value.param == f"{T}.properties.q.$ref"


def test_property_path_quotes_a_name_with_a_trailing_newline() -> None:
    # `$` would match before the final newline; the whole name must be an identifier.
    from adapter.translate.request.schema import _key

    assert _key("p", "ab") == "p.ab"
    assert _key("p", "ab\n") == 'p["ab\\n"]'
