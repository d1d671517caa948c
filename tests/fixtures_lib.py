"""Access to the recorded exchanges in tests/fixtures/ (see tests/fixtures/README.md).

    from fixtures_lib import all_fixtures, load_fixture

    fx = load_fixture("gemini-2.5-flash_text_basic")   # ".json" optional
    fx = load_fixture("google-openai-compat/gemini-2.5-pro-preview_compat_tool_calls_turn0")
    for name, fx in all_fixtures(): ...                # the native gemini/ recordings

Each call returns a freshly parsed dict, so a test may mutate it freely.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
DEFAULT_GROUP = "gemini"
# Searched in this order when a bare name is given.
GROUPS = ("gemini", "google-openai-compat")


@cache
def _text(path: Path) -> str:
    # Cache the file text, not the parsed dict: callers get independent copies.
    return path.read_text(encoding="utf-8")


def _path(name: str) -> Path:
    stem = name[:-5] if name.endswith(".json") else name
    if "/" in stem:
        candidates = [FIXTURES_DIR / f"{stem}.json"]
    else:
        candidates = [FIXTURES_DIR / group / f"{stem}.json" for group in GROUPS]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"no recorded fixture {name!r} under {FIXTURES_DIR}")


def load_fixture(name: str) -> dict[str, Any]:
    """One recording by file name (with or without `.json`, optionally `group/name`)."""
    data = json.loads(_text(_path(name)))
    if not isinstance(data, dict):
        raise ValueError(f"fixture {name!r} is not a JSON object")
    return data


def all_fixtures(group: str = DEFAULT_GROUP) -> list[tuple[str, dict[str, Any]]]:
    """All recordings of a group as (file stem, fixture), sorted by name."""
    directory = FIXTURES_DIR / group
    paths = sorted(directory.glob("*.json"))
    if not paths:
        # An empty list would make every parametrized test silently pass.
        raise FileNotFoundError(f"no fixtures in {directory}")
    return [(p.stem, load_fixture(f"{group}/{p.stem}")) for p in paths]
