"""The emulator's countTokens and its built-in-tools-with-functions rule."""

from __future__ import annotations

import httpx
import pytest

from ._helpers import FLASH, G3, KEY, body, weather_tool


async def test_count_tokens_matches_the_reply_prompt_count(client: httpx.AsyncClient) -> None:
    request = body("one two three", systemInstruction={"parts": [{"text": "be kind"}]})
    counted = await client.post(
        f"/v1beta/models/{FLASH}:countTokens",
        json={"generateContentRequest": {"model": f"models/{FLASH}", **request}},
        headers=KEY,
    )
    assert counted.status_code == 200, counted.text
    reply = await client.post(f"/v1beta/models/{FLASH}:generateContent", json=request, headers=KEY)
    assert counted.json()["totalTokens"] == reply.json()["usageMetadata"]["promptTokenCount"] == 5
    plain = await client.post(
        f"/v1beta/models/{FLASH}:countTokens", json={"contents": request["contents"]}, headers=KEY
    )
    assert plain.json()["totalTokens"] == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"contents": [], "bogus": 1},
        {
            "generateContentRequest": {
                "model": "models/other",
                "contents": [{"parts": [{"text": "x"}]}],
            }
        },
        {"contents": [{"role": "user", "parts": []}]},
    ],
)
async def test_count_tokens_validates(client: httpx.AsyncClient, payload: dict) -> None:
    reply = await client.post(f"/v1beta/models/{FLASH}:countTokens", json=payload, headers=KEY)
    assert reply.status_code == 400


async def test_search_with_functions_refused_on_2x(client: httpx.AsyncClient) -> None:
    tools = [*weather_tool(), {"googleSearch": {}}]
    reply = await client.post(
        f"/v1beta/models/{FLASH}:generateContent", json=body(tools=tools), headers=KEY
    )
    assert reply.status_code == 400
    assert "Tool use with function calling is unsupported" in reply.text


async def test_search_with_functions_needs_the_flag_on_3(client: httpx.AsyncClient) -> None:
    tools = [*weather_tool(), {"googleSearch": {}}]
    url = f"/v1beta/models/{G3}:generateContent"
    refused = await client.post(url, json=body(tools=tools), headers=KEY)
    assert refused.status_code == 400
    flag = {"includeServerSideToolInvocations": True}
    accepted = await client.post(url, json=body(tools=tools, toolConfig=flag), headers=KEY)
    assert accepted.status_code == 200, accepted.text
