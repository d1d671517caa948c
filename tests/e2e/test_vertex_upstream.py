"""Vertex AI end to end: the openai SDK -> adapter (`upstream="vertex"`, Application Default
Credentials from a service-account file) -> the emulator's Vertex paths, which accept only
bearer tokens the local token endpoint issued and that have not expired."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from google import genai
from google_auth_server import TokenServer
from servers import FakeUpstream, Scripted, ServerThread, free_port, wait_until

from gemini_emulator import create_app as create_emulator

CLIENT_KEY = "vertex-client-key"
PROJECT = "test-project"
LOCATION = "us-central1"


class VertexSetup:
    def __init__(self, tokens: TokenServer, credentials: Path, emulator_url: str):
        self.tokens = tokens
        self.credentials = credentials
        self.emulator_url = emulator_url


@pytest.fixture(scope="module")
def vertex_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VertexSetup]:
    tokens = TokenServer()
    token_server = ServerThread(tokens.app()).start()
    emulator = ServerThread(create_emulator(vertex_token_check=tokens.check)).start()
    path = tokens.service_account_file(tmp_path_factory.mktemp("sa"), f"{token_server.url}/token")
    yield VertexSetup(tokens, path, emulator.url)
    emulator.stop()
    token_server.stop()


@pytest.fixture(scope="module")
def start_vertex(
    adapter_factory: Callable[..., str], vertex_setup: VertexSetup
) -> Callable[..., str]:
    """An adapter on Vertex whose ADC is the test's service-account file."""

    def start(**fields: Any) -> str:
        with pytest.MonkeyPatch.context() as patch:
            # Read once, while the adapter starts (ADC is resolved at start-up).
            patch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(vertex_setup.credentials))
            values: dict[str, Any] = {
                "upstream": "vertex",
                "upstream_url": vertex_setup.emulator_url,
                "vertex_project": PROJECT,
                "vertex_location": LOCATION,
                "client_keys": frozenset({CLIENT_KEY}),
                "upstream_retries": 0,
                **fields,
            }
            return adapter_factory(**values)

    return start


@pytest.fixture(scope="module")
def vertex_url(start_vertex: Callable[..., str]) -> str:
    return start_vertex()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def _client(url: str, key: str = CLIENT_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=key, max_retries=0)


def test_chat_and_stream(vertex_url: str, vertex_setup: VertexSetup) -> None:
    client = _client(vertex_url)
    reply = client.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "hello vertex"}]
    )
    assert "hello vertex" in (reply.choices[0].message.content or "")
    chunks = list(
        client.chat.completions.create(
            model="gemini-2.5-flash",
            messages=[{"role": "user", "content": "stream please"}],
            stream=True,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "stream please" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert not vertex_setup.tokens.rejected


def test_callers_present_adapter_keys(vertex_url: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        _client(vertex_url, key="not-a-client-key").chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "invalid_api_key"


def test_vertex_errors_map_to_openai_shape(vertex_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        _client(vertex_url).chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert "Publisher Model" in caught.value.message
    assert f"projects/{PROJECT}/locations/{LOCATION}/" in caught.value.message
    assert caught.value.code == "NOT_FOUND"


def test_gemini_only_fields_dropped_and_labels_kept(vertex_url: str) -> None:
    raw = _client(vertex_url).chat.completions.with_raw_response.create(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"google": {"store": True, "labels": {"team": "search"}}},
    )
    assert raw.headers["x-adapter-adjusted"] == "store=dropped"
    assert raw.parse().choices[0].message.content


def test_embeddings_use_predict(vertex_url: str) -> None:
    client = _client(vertex_url)
    batch = client.embeddings.create(model="text-embedding-005", input=["a", "b"], dimensions=8)
    assert [len(d.embedding) for d in batch.data] == [8, 8]
    assert batch.usage.prompt_tokens > 0
    # gemini-embedding-001 takes one instance a call: three inputs are three calls, in order.
    gemini = client.embeddings.create(model="gemini-embedding-001", input=["x", "y", "z"])
    assert [d.index for d in gemini.data] == [0, 1, 2]
    assert len(gemini.data[0].embedding) == 3072
    alone = client.embeddings.create(model="gemini-embedding-001", input="y")
    assert alone.data[0].embedding == gemini.data[1].embedding
    # later Gemini embedding models: :embedContent, one call per input
    later = client.embeddings.create(
        model="gemini-embedding-2-preview", input=["p", "q"], dimensions=16
    )
    assert [len(d.embedding) for d in later.data] == [16, 16]
    assert later.usage.prompt_tokens == 2


def test_models_from_publisher_list(vertex_url: str) -> None:
    client = _client(vertex_url)
    ids = [m.id for m in client.models.list()]
    assert "gemini-2.5-flash" in ids and "imagen-4.0-generate-001" in ids
    assert client.models.retrieve("gemini-2.5-pro").id == "gemini-2.5-pro"


def test_passthrough_project_and_express_paths(vertex_url: str) -> None:
    root = vertex_url.removesuffix("/v1")
    body = {"contents": [{"role": "user", "parts": [{"text": "native"}]}]}
    headers = {"x-goog-api-key": CLIENT_KEY}
    scoped = f"/v1/projects/{PROJECT}/locations/{LOCATION}/publishers/google/models/"
    reply = httpx.post(
        f"{root}{scoped}gemini-2.5-flash:generateContent", json=body, headers=headers
    )
    assert reply.status_code == 200, reply.text
    # The express form gets the adapter's project (the emulator's express path would need a key).
    express = "/v1beta1/publishers/google/models/gemini-2.5-flash:countTokens"
    counted = httpx.post(f"{root}{express}", json=body, headers=headers)
    assert counted.status_code == 200 and counted.json()["totalTokens"] >= 1
    refused = httpx.post(f"{root}{express}", json=body, headers={"x-goog-api-key": "wrong"})
    assert refused.status_code == 401


def test_google_genai_client_in_vertex_mode(vertex_url: str) -> None:
    client = genai.Client(
        vertexai=True,
        api_key=CLIENT_KEY,
        http_options={"base_url": vertex_url.removesuffix("/v1")},
    )
    reply = client.models.generate_content(model="gemini-2.5-flash", contents="from genai")
    assert "from genai" in (reply.text or "")
    streamed = "".join(
        c.text or ""
        for c in client.models.generate_content_stream(model="gemini-2.5-flash", contents="s")
    )
    assert streamed


def test_token_refreshed_once_for_concurrent_requests(
    start_vertex: Callable[..., str], vertex_setup: VertexSetup
) -> None:
    tokens = vertex_setup.tokens
    tokens.expires_in, tokens.delay_s = 2, 0.3
    try:
        url = start_vertex()
        fetched = tokens.fetches  # one fetch at start-up
        time.sleep(2.2)  # the token has expired: the emulator would refuse it

        async def many() -> list[str]:
            async with openai.AsyncOpenAI(
                base_url=url, api_key=CLIENT_KEY, max_retries=0
            ) as client:
                replies = await asyncio.gather(
                    *(
                        client.chat.completions.create(
                            model="gemini-2.5-flash",
                            messages=[{"role": "user", "content": f"n{i}"}],
                        )
                        for i in range(50)
                    )
                )
            return [r.choices[0].message.content or "" for r in replies]

        contents = asyncio.run(many())
        assert all(f"n{i}" in text for i, text in enumerate(contents))
        assert tokens.fetches == fetched + 1
    finally:
        tokens.expires_in, tokens.delay_s = 3600, 0.0


def test_token_refreshed_before_expiry_in_background(
    start_vertex: Callable[..., str], vertex_setup: VertexSetup
) -> None:
    tokens = vertex_setup.tokens
    tokens.expires_in = 4  # refreshed from 2 s on, used until 3 s, expired at 4 s
    try:
        url = start_vertex()
        fetched = tokens.fetches
        tokens.expires_in = 3600  # for the refreshed token
        time.sleep(2.2)
        client = _client(url)
        reply = client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "early"}]
        )
        assert reply.choices[0].message.content
        assert wait_until(lambda: tokens.fetches == fetched + 1, timeout=3)
        time.sleep(2.0)  # past the first token's expiry: only the refreshed one works
        again = client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "later"}]
        )
        assert again.choices[0].message.content
        assert tokens.fetches == fetched + 1
    finally:
        tokens.expires_in = 3600


def test_refused_refresh_keeps_the_token_then_is_a_502(
    start_vertex: Callable[..., str], vertex_setup: VertexSetup
) -> None:
    tokens = vertex_setup.tokens
    tokens.expires_in = 4  # refreshed from 2 s on, used until 3 s, expired at 4 s
    try:
        url = start_vertex()
        fetched = tokens.fetches
        tokens.fail = True  # the key was revoked
        time.sleep(2.2)
        client = _client(url)
        ask = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
        assert client.chat.completions.create(**ask).choices  # the current token still works
        assert wait_until(lambda: tokens.fetches == fetched + 1, timeout=3)
        assert client.chat.completions.create(**ask).choices
        assert tokens.fetches == fetched + 1  # no new attempt per request
        time.sleep(2.0)  # the token has expired
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(**ask)
        assert caught.value.status_code == 502
        assert caught.value.code == "upstream_credentials"
        assert "ya29" not in str(caught.value.body)
    finally:
        tokens.fail, tokens.expires_in = False, 3600
        tokens.rejected.clear()


def _serve(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("gemini-adapter")), "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_cli_serves_vertex_with_a_service_account_file(vertex_setup: VertexSetup) -> None:
    """The README's Vertex command: the project comes from the service-account file."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_"))},
        "GOOGLE_APPLICATION_CREDENTIALS": str(vertex_setup.credentials),
        "ADAPTER_API_KEYS": CLIENT_KEY,
    }
    process = _serve(
        "--upstream", "vertex", "--upstream-url", vertex_setup.emulator_url,
        "--vertex-location", LOCATION, "--port", str(port), env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _healthy(url), timeout=20), process.stdout
        reply = _client(f"{url}/v1").chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "via cli"}]
        )
        assert "via cli" in (reply.choices[0].message.content or "")
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert f"project {PROJECT}, location {LOCATION}" in output


def test_cli_refuses_vertex_without_credentials_or_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_"))}
    missing = {**env, "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json")}
    process = _serve("--upstream", "vertex", "--port", str(free_port()), env=missing)
    output = process.communicate(timeout=20)[0].decode()
    assert process.returncode == 2
    assert "no Google credentials" in output and "Traceback" not in output
    # An open relay: Google credentials, no client keys, a public address.
    relay = _serve("--upstream", "vertex", "--host", "0.0.0.0", "--port", "1", env=missing)
    assert relay.communicate(timeout=20)[0].decode().count("open relay") == 1
    assert relay.returncode == 2


def test_builtin_emulator_as_vertex(adapter_factory: Callable[..., str]) -> None:
    """`--upstream vertex --upstream-url emulator`: no credentials, express-mode paths."""
    for project in (None, "demo"):
        url = adapter_factory(upstream="vertex", upstream_url="emulator", vertex_project=project)
        client = _client(url, key="any-key")
        reply = client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "offline"}]
        )
        assert "offline" in (reply.choices[0].message.content or "")
        embedded = client.embeddings.create(model="text-embedding-005", input="x", dimensions=4)
        assert len(embedded.data[0].embedding) == 4
        assert "gemini-2.5-pro" in [m.id for m in client.models.list()]


def test_google_genai_client_with_project_paths(vertex_url: str) -> None:
    """A project-configured google-genai client, the adapter key as its OAuth token."""
    from google.oauth2.credentials import Credentials

    client = genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=Credentials(token=CLIENT_KEY),
        http_options={"base_url": vertex_url.removesuffix("/v1")},
    )
    reply = client.models.generate_content(model="gemini-2.5-flash", contents="scoped")
    assert "scoped" in (reply.text or "")
    embedded = client.models.embed_content(model="text-embedding-005", contents=["a", "b"])
    assert len(embedded.embeddings or []) == 2


def test_express_key_paths_headers_and_vertex_errors(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    """A Vertex API key (GEMINI_API_KEY with --upstream vertex): sent as x-goog-api-key to the
    exact Vertex paths; the callers' key never goes upstream; Vertex errors keep their status."""
    url = adapter_factory(
        upstream="vertex",
        upstream_url=fake_upstream.url,  # type: ignore[attr-defined]
        vertex_project="p-1",
        vertex_location="asia-northeast1",
        server_key="vertex-express-key",
        client_keys=frozenset({CLIENT_KEY}),
        upstream_retries=0,
    )
    reply = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}
        ],
        "createTime": "2026-01-01T00:00:00.000000Z",
        "responseId": "vtx-1",
        "modelVersion": "gemini-2.5-flash",
    }
    denied = {
        "error": {
            "code": 403,
            "message": "Permission 'aiplatform.endpoints.predict' denied on resource "
            "'//aiplatform.googleapis.com/projects/p-1/locations/asia-northeast1/publishers/"
            "google/models/gemini-2.5-flash' (or it may not exist).",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "IAM_PERMISSION_DENIED",
                    "domain": "aiplatform.googleapis.com",
                }
            ],
        }
    }
    fake_upstream.script(Scripted(json=reply), Scripted(status=403, json=denied))
    client = _client(url)
    completion = client.chat.completions.create(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
    )
    assert completion.choices[0].message.content == "ok"
    assert completion.id == "chatcmpl-vtx-1"
    sent = fake_upstream.requests[0]
    assert sent.path == (
        "/v1/projects/p-1/locations/asia-northeast1/publishers/google/models/"
        "gemini-2.5-flash:generateContent"
    )
    assert sent.headers["x-goog-api-key"] == "vertex-express-key"
    assert CLIENT_KEY not in str(sent.headers)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "IAM_PERMISSION_DENIED"
    assert "aiplatform.endpoints.predict" in caught.value.message
    # passthrough: credentials in the query stay here too
    fake_upstream.script(Scripted(json=reply))
    root = url.removesuffix("/v1")
    path = "/v1/projects/p-1/locations/asia-northeast1/publishers/google/models/m:countTokens"
    httpx.post(
        f"{root}{path}?key={CLIENT_KEY}&access_token=caller-token&alt=json",
        json={"contents": [{"parts": [{"text": "x"}]}]},
    ).raise_for_status()
    forwarded = fake_upstream.requests[0]
    assert (forwarded.path, forwarded.query) == (path, "alt=json")
    assert forwarded.headers["x-goog-api-key"] == "vertex-express-key"


def test_images_and_speech_on_vertex(vertex_url: str) -> None:
    client = _client(vertex_url)
    imagen = client.images.generate(model="imagen-4.0-generate-001", prompt="a cat", n=2)
    assert len(imagen.data or []) == 2 and all(d.b64_json for d in imagen.data or [])
    gemini = client.images.generate(model="gemini-2.5-flash-image", prompt="a dog")
    assert (gemini.data or [])[0].b64_json
    speech = client.audio.speech.create(
        model="gemini-2.5-flash-preview-tts", voice="alloy", input="hello", response_format="wav"
    )
    assert speech.content[:4] == b"RIFF"
    text = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=("hello.wav", speech.content, "audio/wav")
    )
    assert isinstance(text.text, str)


def test_responses_and_input_tokens_on_vertex(vertex_url: str, vertex_setup: VertexSetup) -> None:
    client = _client(vertex_url)
    response = client.responses.create(model="gemini-2.5-flash", input="Hello Vertex")
    assert response.output_text == "Echo: Hello Vertex"
    streamed = "".join(
        event.delta
        for event in client.responses.create(
            model="gemini-2.5-flash", input="Hello Vertex", stream=True
        )
        if event.type == "response.output_text.delta"
    )
    assert streamed == response.output_text
    count = client.responses.input_tokens.count(model="gemini-2.5-flash", input="Hello Vertex")
    assert count.input_tokens > 0
