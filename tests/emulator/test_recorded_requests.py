"""Every request the real API accepted (recorded fixtures) must pass the emulator too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ._helpers import KEY

RECORDED = Path(__file__).with_name("recorded_requests")


def _load() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(RECORDED.glob("*.json")):
        cases.extend(json.loads(path.read_text(encoding="utf-8")))
    return cases


CASES = _load()


def test_the_recorded_set_is_complete() -> None:
    # 38 fixtures had status 200 and a recorded request when they were copied.
    assert len(CASES) == 38
    assert len({case["fixture"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["fixture"] for case in CASES])
async def test_recorded_request_is_accepted(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    query = "?alt=sse" if case["alt"] == "sse" else ""
    response = await client.post(
        f"/v1beta/models/{case['model']}:{case['method']}{query}", json=case["request"], headers=KEY
    )
    assert response.status_code == 200, response.text
    assert response.content
