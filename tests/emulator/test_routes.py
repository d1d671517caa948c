"""Auth, model routes, embeddings, query parameters and mounting under a prefix."""

from __future__ import annotations

import math

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from gemini_emulator import create_app

from ._helpers import KEY, answer_text, body, error_of, generate, sse_events

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity)."
    " Please use API Key or other form of API consumer identity to call this API."
)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (GENERATE, {"x-goog-api-key": "k1"}),
        (GENERATE, {"authorization": "Bearer k2"}),
        (GENERATE + "?key=k3", {}),
    ],
    ids=["header", "bearer", "query"],
)
async def test_key_sources(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    response = await client.post(path, json=body(), headers=headers)
    assert response.status_code == 200, response.text
    assert "k1" not in response.text and "k2" not in response.text and "k3" not in response.text


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_missing_key(client: httpx.AsyncClient, method: str) -> None:
    path = GENERATE if method == "POST" else "/v1beta/models"
    response = await client.request(method, path, json=body() if method == "POST" else None)
    assert response.status_code == 403
    assert error_of(response) == {
        "code": 403,
        "message": MISSING_KEY,
        "status": "PERMISSION_DENIED",
    }


async def test_invalid_key(client: httpx.AsyncClient) -> None:
    response = await client.post(GENERATE, json=body(), headers={"x-goog-api-key": "invalid"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"] == "API key not valid. Please pass a valid API key."
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["details"][0] == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"},
    }


async def test_bearer_invalid_key(client: httpx.AsyncClient) -> None:
    response = await client.post(GENERATE, json=body(), headers={"authorization": "Bearer invalid"})
    assert error_of(response)["details"][0]["reason"] == "API_KEY_INVALID"


@pytest.mark.parametrize(
    ("model", "method"),
    [
        ("gpt-4o", "generateContent"),
        ("claude-3", "streamGenerateContent"),
        ("text-embedding-004", "generateContent"),
        ("gemini-2.5-flash", "batchEmbedContents"),
    ],
)
async def test_unknown_or_unsupported_model(
    client: httpx.AsyncClient, model: str, method: str
) -> None:
    response = await client.post(f"/v1beta/models/{model}:{method}", json=body(), headers=KEY)
    assert response.status_code == 404
    assert error_of(response) == {
        "code": 404,
        "message": f"models/{model} is not found for API version v1beta, or is not supported for"
        f" {method}. Call ListModels to see the list of available models and their supported"
        " methods.",
        "status": "NOT_FOUND",
    }


@pytest.mark.parametrize("model", ["gemma-3-27b-it", "learnlm-2.0-flash", "gemini-9-ultra"])
async def test_any_model_with_an_accepted_prefix_answers(
    client: httpx.AsyncClient, model: str
) -> None:
    response = await generate(client, model, body("x"))
    assert response.status_code == 200
    assert response.json()["modelVersion"] == model


async def test_unknown_method_and_path(client: httpx.AsyncClient) -> None:
    unknown_method = await client.post(
        "/v1beta/models/gemini-2.5-flash:frobnicate", json=body(), headers=KEY
    )
    assert unknown_method.status_code == 404
    assert error_of(unknown_method)["status"] == "NOT_FOUND"
    unknown_path = await client.get("/v1/nowhere", headers=KEY)
    assert unknown_path.status_code == 404
    assert error_of(unknown_path)["status"] == "NOT_FOUND"


async def test_unknown_query_parameter(client: httpx.AsyncClient) -> None:
    response = await client.post(GENERATE + "?foo=1", json=body(), headers=KEY)
    assert response.status_code == 400
    assert 'Unknown name "foo": Cannot bind query parameter.' in error_of(response)["message"]


async def test_list_models(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1beta/models", headers=KEY)
    assert response.status_code == 200
    listed = {m["name"]: m for m in response.json()["models"]}
    for name in (
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-2.5-pro",
        "gemini-3-pro-preview",
        "gemini-3-flash-preview",
        "gemini-3.1-pro-preview",
        "gemini-2.5-flash-image",
        "text-embedding-004",
        "gemini-embedding-001",
    ):
        assert f"models/{name}" in listed
    assert "generateContent" in listed["models/gemini-2.5-flash"]["supportedGenerationMethods"]
    assert listed["models/text-embedding-004"]["supportedGenerationMethods"] == ["embedContent"]


async def test_list_models_pages(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1beta/models?pageSize=2", headers=KEY)).json()
    assert len(first["models"]) == 2
    second = await client.get(
        f"/v1beta/models?pageSize=2&pageToken={first['nextPageToken']}", headers=KEY
    )
    assert second.json()["models"][0]["name"] != first["models"][0]["name"]


async def test_get_model(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1beta/models/gemini-2.5-pro", headers=KEY)
    assert response.status_code == 200
    assert response.json()["name"] == "models/gemini-2.5-pro"
    missing = await client.get("/v1beta/models/gpt-4o", headers=KEY)
    assert missing.status_code == 404
    assert error_of(missing)["status"] == "NOT_FOUND"


def embed_body(model: str, *texts: str, size: int | None = None) -> dict[str, object]:
    requests = []
    for text in texts:
        item: dict[str, object] = {"model": model, "content": {"parts": [{"text": text}]}}
        if size is not None:
            item["outputDimensionality"] = size
        requests.append(item)
    return {"requests": requests}


async def embed(
    client: httpx.AsyncClient, model: str, payload: dict[str, object]
) -> httpx.Response:
    return await client.post(
        f"/v1beta/models/{model}:batchEmbedContents", json=payload, headers=KEY
    )


async def test_embeddings_are_deterministic_unit_vectors(client: httpx.AsyncClient) -> None:
    payload = embed_body("models/text-embedding-004", "alpha", "beta", "alpha")
    response = await embed(client, "text-embedding-004", payload)
    assert response.status_code == 200, response.text
    vectors = [e["values"] for e in response.json()["embeddings"]]
    assert [len(v) for v in vectors] == [768, 768, 768]
    assert vectors[0] == vectors[2] != vectors[1]
    assert math.isclose(math.sqrt(sum(v * v for v in vectors[0])), 1.0, abs_tol=1e-5)


async def test_embedding_dimensionality(client: httpx.AsyncClient) -> None:
    payload = embed_body("models/gemini-embedding-001", "alpha", size=8)
    response = await embed(client, "gemini-embedding-001", payload)
    assert [len(e["values"]) for e in response.json()["embeddings"]] == [8]
    full = await embed(
        client, "gemini-embedding-001", embed_body("models/gemini-embedding-001", "a")
    )
    assert len(full.json()["embeddings"][0]["values"]) == 3072


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (embed_body("text-embedding-004", "x"), "requests[0].model: unexpected model name format"),
        (embed_body("models/gemini-embedding-001", "x"), "requests[0].model: model must match"),
        (embed_body("models/text-embedding-004", "x", size=5000), "output_dimensionality"),
        (embed_body("models/text-embedding-004", *["x"] * 101), "at most 100 requests"),
        ({"requests": []}, "at least one request"),
        (
            {"requests": [{"model": "models/text-embedding-004", "content": {"parts": []}}]},
            "requests[0].content.parts: contents.parts must not be empty.",
        ),
        (
            {"requests": [{"model": "models/text-embedding-004", "input": "x"}]},
            'Unknown name "input"',
        ),
    ],
    ids=[
        "bare-model",
        "other-model",
        "too-many-dims",
        "batch-too-big",
        "empty",
        "no-parts",
        "unknown",
    ],
)
async def test_embedding_validation(
    client: httpx.AsyncClient, payload: dict[str, object], message: str
) -> None:
    response = await embed(client, "text-embedding-004", payload)
    assert response.status_code == 400
    assert message in error_of(response)["message"]


async def test_mounted_under_a_prefix() -> None:
    app = Starlette(routes=[Mount("/emulator", app=create_app(event_delay=0))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://host") as http:
        base = "/emulator/v1beta/models"
        reply = await http.post(
            f"{base}/gemini-2.5-flash:generateContent", json=body("x"), headers=KEY
        )
        assert answer_text(reply.json()["candidates"][0]) == "Echo: x"
        streamed = await http.post(
            f"{base}/gemini-2.5-flash:streamGenerateContent?alt=sse", json=body("x"), headers=KEY
        )
        assert sse_events(streamed.content)[-1]["candidates"][0]["finishReason"] == "STOP"
        listed = await http.get(base, headers=KEY)
        assert listed.status_code == 200
        unmounted = await http.get("/v1beta/models", headers=KEY)
        assert unmounted.status_code == 404


async def test_served_over_real_http_under_the_prefix(served_url: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{served_url}/v1beta/models/gemini-2.5-flash:generateContent",
            json=body("over http"),
            headers=KEY,
        )
    assert answer_text(response.json()["candidates"][0]) == "Echo: over http"
