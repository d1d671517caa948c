"""End-to-end behaviour of the service around translation: keys, limits, retries, stream
failures, and the non-chat endpoints — real HTTP, a recording fake upstream."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import openai
import orjson
import pytest
from fixtures_lib import load_fixture
from servers import FakeUpstream, Scripted, ServerThread, free_port

from adapter.app import create_app
from adapter.config import Config

TEXT_REPLY = load_fixture("gemini-2.5-flash_text_basic")["response"]
STREAM = load_fixture("fb_stream_basic_reply_short")["sse_events"]
HI = [{"role": "user", "content": "hi"}]


def post(base_url: str, body: object, key: str = "caller-key-1") -> httpx.Response:
    return httpx.post(
        f"{base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_server_key_mode(adapter_factory: Callable[..., str], fake_upstream: FakeUpstream) -> None:
    base_url = adapter_factory(
        upstream_url=fake_upstream.url,  # type: ignore[attr-defined]
        server_key="server-secret-123",
        client_keys=frozenset({"client-ok"}),
    )
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    refused = post(base_url, {"model": "gemini-2.5-flash", "messages": HI}, key="client-bad")
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "authentication_error"
    assert fake_upstream.requests == []
    ok = post(base_url, {"model": "gemini-2.5-flash", "messages": HI}, key="client-ok")
    assert ok.status_code == 200
    sent = fake_upstream.requests[0].headers
    assert sent["x-goog-api-key"] == "server-secret-123"
    assert "client-ok" not in orjson.dumps(sent).decode()
    assert "server-secret-123" not in ok.text


def test_bearer_upstream_auth(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    base_url = adapter_factory(upstream_url=fake_upstream.url, upstream_auth="bearer")  # type: ignore[attr-defined]
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    assert post(base_url, {"model": "gemini-2.5-flash", "messages": HI}).status_code == 200
    assert fake_upstream.requests[0].headers["authorization"] == "Bearer caller-key-1"
    assert "x-goog-api-key" not in fake_upstream.requests[0].headers


def test_missing_key_is_401_without_upstream_call(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    response = httpx.post(
        f"{fake_base_url}/chat/completions", json={"model": "gemini-2.5-flash", "messages": HI}
    )
    assert response.status_code == 401
    assert fake_upstream.requests == []


def test_body_limit(adapter_factory: Callable[..., str], fake_upstream: FakeUpstream) -> None:
    base_url = adapter_factory(upstream_url=fake_upstream.url, max_body_bytes=1000)  # type: ignore[attr-defined]
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    big = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "x" * 2000}]}
    response = post(base_url, big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"

    def chunked() -> object:
        yield b'{"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}]}'

    response = httpx.post(
        f"{base_url}/chat/completions", content=chunked(), headers={"Authorization": "Bearer k-1"}
    )
    assert response.status_code == 413
    assert fake_upstream.requests == []


def test_too_deep_json_is_400(fake_base_url: str) -> None:
    deep: object = "x"
    for _ in range(70):
        deep = [deep]
    response = post(fake_base_url, {"model": "m", "messages": HI, "metadata": {"a": deep}})
    assert response.status_code == 400


def test_adjustments_and_thinking_headers(fake_base_url: str, fake_upstream: FakeUpstream) -> None:
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    response = post(
        fake_base_url,
        {
            "model": "gemini-2.5-flash",
            "messages": HI,
            "presence_penalty": 0.3,
            "reasoning_effort": "low",
        },
    )
    assert response.status_code == 200
    assert response.headers["x-adapter-adjusted"] == "presence_penalty=dropped"
    assert response.headers["x-gemini-thinking"] == "budget=1024"
    config = fake_upstream.requests[0].body["generationConfig"]
    assert config == {"thinkingConfig": {"thinkingBudget": 1024}}


def test_retry_on_429_then_success(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    base_url = adapter_factory(upstream_url=fake_upstream.url)  # type: ignore[attr-defined]
    limited = {
        "error": {
            "code": 429,
            "message": "slow down",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.1s"}
            ],
        }
    }
    fake_upstream.script(Scripted(status=429, json=limited), Scripted(json=TEXT_REPLY))
    assert post(base_url, {"model": "gemini-2.5-flash", "messages": HI}).status_code == 200
    assert len(fake_upstream.requests) == 2

    long_wait = {
        "error": {
            **limited["error"],
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "42s"}],
        }
    }
    fake_upstream.script(Scripted(status=429, json=long_wait))
    response = post(base_url, {"model": "gemini-2.5-flash", "messages": HI})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"
    assert len(fake_upstream.requests) == 1


def test_mid_stream_failure_is_an_error_event(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(Scripted(events=STREAM, cut_after=2))
    client = openai.OpenAI(base_url=fake_base_url, api_key="k-12345", max_retries=0)
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(
            model="gemini-2.0-flash", messages=HI, stream=True
        ):
            received.append(chunk)
    assert received  # the first events were relayed before the failure
    assert "ended before the reply finished" in str(caught.value)


def test_upstream_error_before_stream_is_plain_http_error(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fixture = load_fixture("error_400_api_key_invalid_stream")
    fake_upstream.script(Scripted(status=fixture["status"], json=fixture["response"]))
    response = post(fake_base_url, {"model": "gemini-2.5-flash", "messages": HI, "stream": True})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "API_KEY_INVALID"


def test_bad_upstream_reply_is_502(fake_base_url: str, fake_upstream: FakeUpstream) -> None:
    fake_upstream.script(Scripted(json={"unexpected": True}))
    response = post(fake_base_url, {"model": "gemini-2.5-flash", "messages": HI})
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "bad_upstream_response"


def test_unreachable_upstream_is_502(adapter_factory: Callable[..., str]) -> None:
    base_url = adapter_factory(upstream_url=f"http://127.0.0.1:{free_port()}")
    response = post(base_url, {"model": "gemini-2.5-flash", "messages": HI})
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_unreachable"


def test_slow_upstream_is_504(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    base_url = adapter_factory(upstream_url=fake_upstream.url, stream_idle_timeout_s=0.3)  # type: ignore[attr-defined]
    fake_upstream.script(Scripted(events=STREAM, delay_s=1.0))
    response = post(base_url, {"model": "gemini-2.5-flash", "messages": HI, "stream": True})
    # Nothing had arrived, so nothing was committed: a normal HTTP error (T4).
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"


def test_field_violation_maps_back_to_messages(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    error = {
        "error": {
            "code": 400,
            "message": "bad part",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "contents[1].parts[0]", "description": "bad data"}
                    ],
                }
            ],
        }
    }
    fake_upstream.script(Scripted(status=400, json=error))
    messages = [{"role": "system", "content": "s"}, *HI, {"role": "assistant", "content": "a"}, *HI]
    response = post(fake_base_url, {"model": "gemini-2.5-flash", "messages": messages})
    body = response.json()["error"]
    assert response.status_code == 400
    assert body["param"] == "messages[2].content[0]"
    assert "contents[1].parts[0]: bad data" in body["message"]


def test_models_embeddings_passthrough_metrics(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    client = openai.OpenAI(base_url=fake_base_url, api_key="k-12345", max_retries=0)
    fake_upstream.script(
        Scripted(
            json={
                "models": [{"name": "models/gemini-2.5-flash"}, {"name": "models/gemini-2.5-pro"}]
            }
        )
    )
    assert [m.id for m in client.models.list()] == ["gemini-2.5-flash", "gemini-2.5-pro"]
    assert fake_upstream.requests[0].path == "/v1beta/models"

    fake_upstream.script(
        Scripted(json={"embeddings": [{"values": [0.5, -1.0]}, {"values": [0.25, 2.0]}]})
    )
    result = client.embeddings.create(model="text-embedding-004", input=["a", "b"], dimensions=2)
    assert [d.embedding for d in result.data] == [[0.5, -1.0], [0.25, 2.0]]
    sent = fake_upstream.requests[0]
    assert sent.path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    assert sent.body["requests"][1] == {
        "model": "models/text-embedding-004",
        "content": {"parts": [{"text": "b"}]},
        "outputDimensionality": 2,
    }

    fake_upstream.script(Scripted(json=TEXT_REPLY))
    native = httpx.post(
        f"{fake_base_url.removesuffix('/v1')}/v1beta/models/gemini-2.5-flash:generateContent?key=k-9999",
        json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
    )
    assert native.status_code == 200 and native.json() == TEXT_REPLY
    assert fake_upstream.requests[0].headers["x-goog-api-key"] == "k-9999"
    assert "key=" not in fake_upstream.requests[0].query

    metrics = httpx.get(f"{fake_base_url.removesuffix('/v1')}/metrics").text
    assert (
        'adapter_requests_total{model="text-embedding-004",route="embeddings",status="200"}'
        in metrics
    )


def test_key_echoed_by_upstream_is_redacted_everywhere(
    fake_base_url: str, fake_upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    echo = {
        "error": {
            "code": 400,
            "message": "API key caller-key-1 not valid.",
            "status": "INVALID_ARGUMENT",
        }
    }
    fake_upstream.script(Scripted(status=400, json=echo))
    response = post(fake_base_url, {"model": "gemini-2.5-flash", "messages": HI})
    assert response.status_code == 400
    assert "caller-key-1" not in response.text
    assert "[redacted]" in response.json()["error"]["message"]
    assert caplog.records  # the failure was logged...
    assert "caller-key-1" not in caplog.text  # ...without the key


def test_shutdown_lets_streams_finish_then_ends_the_rest_with_an_error_event(
    fake_upstream: FakeUpstream,
) -> None:
    """Behaviour E3: on shutdown running streams get the grace period; past it, an error event."""
    port = free_port()
    config = Config(host="127.0.0.1", port=port, upstream_url=fake_upstream.url)  # type: ignore[attr-defined]
    server = ServerThread(create_app(config), port=port, grace_s=0.5).start()
    events = [
        {"candidates": [{"content": {"parts": [{"text": f"w{i} "}], "role": "model"}}]}
        for i in range(40)
    ]
    fake_upstream.script(Scripted(events=events, delay_s=0.1))
    lines: list[str] = []
    with httpx.stream(
        "POST",
        f"{server.url}/v1/chat/completions",
        headers={"Authorization": "Bearer k-1234"},
        json={"model": "gemini-2.5-flash", "messages": HI, "stream": True},
        timeout=10,
    ) as response:
        for line in response.iter_lines():
            if line:
                lines.append(line)
            if len(lines) == 2:
                threading.Thread(target=server.stop).start()
    assert len(lines) > 3  # the stream went on during the grace period
    assert '"shutting_down"' in lines[-1]
    assert "data: [DONE]" not in lines


def test_a_bug_is_an_openai_shaped_500_without_traceback(
    fake_base_url: str, fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapter.api.chat

    def broken(*args: object, **kwargs: object) -> dict:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(adapter.api.chat, "completion_from", broken)
    fake_upstream.script(Scripted(json=TEXT_REPLY))
    response = post(fake_base_url, {"model": "gemini-2.5-flash", "messages": HI})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text
