"""What /metrics counts, in one worker: requests by route/model/status, latency histograms,
upstream statuses (429 and retries included), tokens by kind, open streams."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import httpx
import openai
from obs_helpers import sample, scrape
from servers import FakeUpstream, Scripted

USAGE = {
    "promptTokenCount": 11,
    "candidatesTokenCount": 7,
    "thoughtsTokenCount": 5,
    "cachedContentTokenCount": 3,
    "totalTokenCount": 23,
}


def _event(text: str, finish: str | None = None, usage: bool = False) -> dict:
    candidate: dict = {"index": 0, "content": {"role": "model", "parts": [{"text": text}]}}
    if finish:
        candidate["finishReason"] = finish
    event: dict = {"candidates": [candidate], "responseId": "r-1"}
    if usage:
        event["usageMetadata"] = USAGE
    return event


def test_tokens_by_kind_and_latency(fake_base_url: str, fake_upstream: FakeUpstream) -> None:
    base = fake_base_url.removesuffix("/v1")
    model = f"m-{uuid.uuid4().hex[:8]}"  # a model of its own: counters start at 0
    client = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    before = scrape(base)
    fake_upstream.script(Scripted(json=_event("hi", "STOP", usage=True)))
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}])
    fake_upstream.script(
        Scripted(events=[_event("a", usage=True), _event("b", "STOP", usage=True)])
    )
    list(
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    text = scrape(base)
    assert sample(text, "adapter_requests_total", route="chat", model=model, status="200") == 2
    # Per reply: prompt 11, completion 7 + 5 thoughts, reasoning 5, cached 3 (the stream's
    # usage is its last event's, not the sum of its events').
    for kind, per_reply in {"prompt": 11, "completion": 12, "reasoning": 5, "cached": 3}.items():
        assert sample(text, "adapter_tokens_total", model=model, kind=kind) == 2 * per_reply
    for name in ("adapter_request_seconds_count", "adapter_first_byte_seconds_count"):
        assert sample(text, name, route="chat") - sample(before, name, route="chat") == 2
    assert sample(text, "adapter_request_seconds_sum", route="chat") > sample(
        before, "adapter_request_seconds_sum", route="chat"
    )
    up = sample(text, "adapter_upstream_responses_total", status="200")
    assert up - sample(before, "adapter_upstream_responses_total", status="200") == 2


def test_upstream_429_and_retries_are_counted(adapter_factory: Callable[..., str]) -> None:
    url = adapter_factory(upstream_url="emulator", upstream_retries=1)
    base = url.removesuffix("/v1")
    before = scrape(base)
    # Plain httpx: the adapter does not retry for an OpenAI SDK, which retries by itself.
    reply = httpx.post(
        f"{url}/chat/completions",
        json={"model": "fault-429", "messages": [{"role": "user", "content": "x"}]},
        timeout=30,
    )
    assert reply.status_code == 429
    text = scrape(base)

    def delta(name: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    # The first try and the retry both got 429 from the upstream; the client got one 429.
    assert delta("adapter_upstream_responses_total", status="429") == 2
    assert delta("adapter_upstream_retries_total", status="429") == 1
    assert delta("adapter_requests_total", route="chat", model="fault-429", status="429") == 1


def test_active_streams_gauge(fake_base_url: str, fake_upstream: FakeUpstream) -> None:
    base = fake_base_url.removesuffix("/v1")
    fake_upstream.script(
        Scripted(events=[_event("a"), _event("b"), _event("c", "STOP")], delay_s=0.4)
    )
    first_event = threading.Event()
    body = {
        "model": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "x"}],
        "stream": True,
    }

    def stream() -> None:
        with httpx.stream(
            "POST",
            f"{fake_base_url}/chat/completions",
            json=body,
            headers={"authorization": "Bearer k"},
            timeout=10,
        ) as reply:
            assert reply.status_code == 200
            for _ in reply.iter_bytes():
                first_event.set()

    worker = threading.Thread(target=stream)
    worker.start()
    assert first_event.wait(5)
    assert sample(scrape(base), "adapter_active_streams") == 1
    worker.join(10)
    assert sample(scrape(base), "adapter_active_streams") == 0


def test_every_route_is_counted_even_unknown_ones(fake_base_url: str) -> None:
    base = fake_base_url.removesuffix("/v1")
    before = scrape(base)
    assert httpx.get(f"{base}/no/such/path").status_code == 404
    assert httpx.get(f"{base}/healthz").status_code == 200
    text = scrape(base)
    for labels in ({"route": "unmatched", "status": "404"}, {"route": "operations"}):
        assert sample(text, "adapter_requests_total", **labels) > sample(
            before, "adapter_requests_total", **labels
        )


def test_image_and_speech_routes_are_counted_with_their_model(
    emulator_base_url: str,
) -> None:
    base = emulator_base_url.removesuffix("/v1")
    before = scrape(base)
    client = openai.OpenAI(base_url=emulator_base_url, api_key="k", max_retries=0)
    client.images.generate(model="gemini-2.5-flash-image", prompt="a lighthouse", n=2)
    client.audio.speech.create(
        model="gemini-2.5-flash-preview-tts", voice="Kore", input="Hi", response_format="wav"
    ).read()
    text = scrape(base)

    def delta(name: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    image = {"model": "gemini-2.5-flash-image"}
    assert delta("adapter_requests_total", route="images", status="200", **image) == 1
    assert delta("adapter_upstream_responses_total", status="200") == 3  # n=2, then speech
    assert delta("adapter_tokens_total", kind="prompt", **image) > 0
    speech = {"route": "audio", "model": "gemini-2.5-flash-preview-tts", "status": "200"}
    assert delta("adapter_requests_total", **speech) == 1


def test_responses_route_is_counted_with_model_and_tokens(emulator_base_url: str) -> None:
    base = emulator_base_url.removesuffix("/v1")
    before = scrape(base)
    client = openai.OpenAI(base_url=emulator_base_url, api_key="k", max_retries=0)
    client.responses.create(model="gemini-2.5-flash", input="Hello")
    list(client.responses.create(model="gemini-2.5-flash", input="Hello", stream=True))
    text = scrape(base)
    labels = {"route": "responses", "model": "gemini-2.5-flash", "status": "200"}
    assert (
        sample(text, "adapter_requests_total", **labels)
        - sample(before, "adapter_requests_total", **labels)
        == 2
    )
    completion = {"model": "gemini-2.5-flash", "kind": "completion"}
    assert sample(text, "adapter_tokens_total", **completion) > sample(
        before, "adapter_tokens_total", **completion
    )
