"""http(s) image URLs are fetched by the adapter and inlined (behaviour R3, E4), over real HTTP."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import httpx
import pytest
from fixtures_lib import load_fixture
from servers import FakeUpstream, Scripted, ServerThread
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    async def image(request: object) -> Response:
        return Response(PNG, media_type="image/png")

    server = ServerThread(Starlette(routes=[Route("/cat.png", image)])).start()
    yield server.url
    server.stop()


def chat(base_url: str, url: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": "Bearer k-123456"},
        json={
            "model": "gemini-2.5-flash",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "what is this?"},
                        {"type": "image_url", "image_url": {"url": url}},
                    ],
                }
            ],
        },
    )


def test_loopback_image_refused_by_default(
    fake_base_url: str, fake_upstream: FakeUpstream, image_server: str
) -> None:
    fake_upstream.script(Scripted(json=load_fixture("gemini-2.5-flash_text_basic")["response"]))
    response = chat(fake_base_url, f"{image_server}/cat.png")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages[0].content[1].image_url.url"
    assert fake_upstream.requests == []


def test_allowed_image_is_fetched_and_inlined(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream, image_server: str
) -> None:
    base_url = adapter_factory(
        upstream_url=fake_upstream.url,
        fetch_allow_private=True,  # type: ignore[attr-defined]
    )
    fake_upstream.script(Scripted(json=load_fixture("gemini-2.5-flash_text_basic")["response"]))
    response = chat(base_url, f"{image_server}/cat.png")
    assert response.status_code == 200, response.text
    parts = fake_upstream.requests[0].body["contents"][0]["parts"]
    assert parts[1] == {
        "inlineData": {"mimeType": "image/png", "data": base64.b64encode(PNG).decode()}
    }
