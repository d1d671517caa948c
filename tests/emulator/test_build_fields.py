"""The fields table: the generator's type mapping, and the committed table's content."""

from __future__ import annotations

import json
from pathlib import Path

from gemini_emulator import build_fields
from gemini_emulator.wire import table

MINI_DISCOVERY = {
    "id": "generativelanguage:v1beta",
    "revision": "1",
    "schemas": {
        "GenerateContentRequest": {
            "properties": {
                "contents": {"type": "array", "items": {"$ref": "Content"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "level": {"type": "string", "enum": ["A", "B"]},
                "sig": {"type": "string", "format": "byte"},
                "big": {"type": "string", "format": "int64"},
                "free": {"type": "object", "additionalProperties": {"type": "any"}},
                "ghost": {"$ref": "Missing"},
            }
        },
        "Content": {"properties": {"n": {"type": "integer"}, "x": {"type": "number"}}},
        "BatchEmbedContentsRequest": {"properties": {"flag": {"type": "boolean"}}},
    },
}


def test_build_maps_discovery_types(tmp_path: Path) -> None:
    source = tmp_path / "discovery.json"
    source.write_text(json.dumps(MINI_DISCOVERY))
    target = tmp_path / "fields.json"
    assert build_fields.main([str(source), "-o", str(target)]) == 0
    built = json.loads(target.read_text())
    request = built["messages"]["GenerateContentRequest"]
    assert request["contents"] == "Content[]"
    assert request["labels"] == "map<string>"
    assert request["level"] == "enum"
    assert request["sig"] == "bytes"
    assert request["big"] == "int64"
    assert request["free"] == "struct"
    assert request["ghost"] == "struct"
    assert request["modelArmorConfig"] == "ModelArmorConfig"  # Vertex extra.
    assert built["messages"]["Content"] == {"n": "int32", "x": "number"}
    assert built["enums"]["GenerateContentRequest.level"] == ["A", "B"]
    assert built["unresolved"] == ["Missing"]


def test_committed_table_covers_the_request_surface() -> None:
    messages = table()["messages"]
    assert table()["source"]["id"] == "generativelanguage:v1beta"
    assert messages["Part"]["thoughtSignature"] == "bytes"
    assert messages["FunctionCall"]["args"] == "struct"
    assert messages["FunctionDeclaration"]["parametersJsonSchema"] == "any"
    assert messages["Schema"]["properties"] == "map<Schema>"
    assert "MINIMAL" in table()["enums"]["ThinkingConfig.thinkingLevel"]
    assert messages["GenerationConfig"]["responseModalities"] == "enum[]"
