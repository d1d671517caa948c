"""Generate `adapter/wire/*.py`: TypedDicts of both wire formats, in the APIs' own names,
from the committed JSON Schemas in this directory (themselves derived by `build.py`).

    python schemas/typeddicts.py          # rewrite adapter/wire/gemini.py and openai.py
    python schemas/typeddicts.py --check  # exit 1 if the committed files are stale

Every object type becomes a `TypedDict` with `total=False` (the wire formats make almost
every member optional, and the translators build them step by step). Snake_case aliases
and lower-case enum spellings that `build.py` adds for the validators are left out: the
adapter writes the canonical camelCase names only.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "adapter" / "wire"

# output module -> (schema files, one root name per file)
MODULES: dict[str, list[tuple[str, str]]] = {
    "gemini": [
        ("gemini.generate_content_request", "GenerateContentRequest"),
        ("gemini.generate_content_response", "GenerateContentResponse"),
    ],
    "openai": [
        ("openai.chat_request", "CreateChatCompletionRequest"),
        ("openai.chat_completion", "CreateChatCompletionResponse"),
        ("openai.chat_chunk", "CreateChatCompletionStreamResponse"),
        ("openai.error", "ErrorResponse"),
    ],
}

SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class Generator:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.emitted: dict[str, str] = {}

    def add_file(self, stem: str, root: str) -> None:
        schema = json.loads((HERE / f"{stem}.json").read_text())
        for name, definition in schema.get("$defs", {}).items():
            self.defs.setdefault(name, definition)
        body = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "$comment")}
        self.defs.setdefault(root, body)

    def type_of(self, node: Any) -> str:
        if not isinstance(node, dict):
            return "Any"
        if "$ref" in node:
            return _quote(node["$ref"].rsplit("/", 1)[-1])
        for combinator in ("anyOf", "oneOf"):
            if combinator in node:
                members = _unique(self.type_of(member) for member in node[combinator])
                return " | ".join(members) if members else "Any"
        if "allOf" in node and len(node["allOf"]) == 1:
            return self.type_of(node["allOf"][0])
        if "const" in node and isinstance(node["const"], str):
            return f"Literal[{node['const']!r}]"
        kind = node.get("type")
        if isinstance(kind, list):
            return " | ".join(_unique(self.type_of({**node, "type": k}) for k in kind))
        if kind == "string" and "enum" in node:
            values = [v for v in node["enum"] if isinstance(v, str)]
            canonical = [v for v in values if not (v.islower() and v.upper() in values)]
            return f"Literal[{', '.join(repr(v) for v in canonical)}]"
        if kind in SCALARS:
            return SCALARS[kind]
        if kind == "array":
            return f"list[{self.type_of(node.get('items'))}]"
        if kind == "object" or "properties" in node:
            extra = node.get("additionalProperties")
            if not node.get("properties") and isinstance(extra, dict) and extra:
                return f"dict[str, {self.type_of(extra)}]"
            return "dict[str, Any]"
        return "Any"

    def render(self, name: str) -> str | None:
        node = self.defs[name]
        properties = self.properties(node)
        if properties is None:
            alias = self.type_of(node)
            value = "Any" if alias == "Any" else f'"{alias}"'
            return f"{name}: TypeAlias = {value}\n"
        fields = {
            key: self.type_of(value)
            for key, value in properties.items()
            if not str(value.get("$comment", "")).startswith("snake_case alias")
        }
        doc = str(node.get("description", "")).strip().splitlines()
        lines = []
        if all(key.isidentifier() and not keyword.iskeyword(key) for key in fields):
            lines.append(f"class {name}(TypedDict, total=False):")
            if doc:
                lines.append(f'    """{_docline(doc[0])}"""')
                lines.append("")
            lines += [f"    {key}: {value}" for key, value in fields.items()]
            if not fields:
                lines.append("    pass")
        else:
            items = ", ".join(f"{key!r}: {value}" for key, value in fields.items())
            lines.append(f"{name} = TypedDict({name!r}, {{{items}}}, total=False)")
        return "\n".join(lines) + "\n"

    def properties(self, node: dict[str, Any]) -> dict[str, Any] | None:
        """The members of an object type, `allOf` parts (and the types they name) merged;
        None if the node is not an object type."""
        if "$ref" in node:
            return self.properties(self.defs.get(node["$ref"].rsplit("/", 1)[-1], {}))
        parts = node.get("allOf", [])
        if "properties" not in node and not parts:
            return None
        if node.get("type") not in (None, "object"):
            return None
        merged: dict[str, Any] = {}
        for part in parts:
            if not {"$ref", "properties", "allOf"} & set(part):
                continue  # constraints only (e.g. `required`): no members of its own
            found = self.properties(part)
            if found is None:
                return None
            merged.update(found)
        merged.update(node.get("properties", {}))
        return merged


def _unique(items: Any) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _quote(name: str) -> str:
    return name  # annotations are lazy (PEP 563); aliases are quoted whole in `render`


def _docline(text: str) -> str:
    return text.replace('"""', "'''").replace("\\", "\\\\")[:95]


def generate(module: str) -> str:
    generator = Generator()
    for stem, root in MODULES[module]:
        generator.add_file(stem, root)
    sources = ", ".join(f"schemas/{stem}.json" for stem, _ in MODULES[module])
    header = [
        f'"""{module.capitalize()} wire types, generated by schemas/typeddicts.py from {sources}.',
        "",
        "Do not edit: regenerate with `python schemas/typeddicts.py`.",
        '"""',
        "",
        "# ruff: noqa",
        "from __future__ import annotations",
        "",
        "from typing import {imports}",
        "",
        "",
        "",
    ]
    blocks = [block for name in sorted(generator.defs) if (block := generator.render(name))]
    body = "\n\n".join(blocks)
    names = ["Any", "Literal", "TypeAlias", "TypedDict"]
    imports = ", ".join(n for n in names if re.search(rf"\b{n}\b", body))
    text = "\n".join(header).replace("{imports}", imports) + body
    return text.rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    stale = []
    for module in MODULES:
        path = OUT / f"{module}.py"
        text = generate(module)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        print("stale (run python schemas/typeddicts.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
