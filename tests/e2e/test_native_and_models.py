"""The native API next to the OpenAI one: google-genai with its default settings (API
version v1), model listing with aliases, routes without `/v1`, and retries that do not
multiply with the OpenAI SDK's own."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import openai
import pytest
from google import genai
from servers import FakeUpstream, Scripted


@pytest.fixture(scope="module")
def aliased_url(adapter_factory: Callable[..., str]) -> str:
    return adapter_factory(
        upstream_url="emulator",
        model_aliases={"gpt-4o": "gemini-2.5-pro", "mini": "models/gemini-2.5-flash"},
    )


def _genai(url: str) -> genai.Client:
    return genai.Client(api_key="any-key", http_options={"base_url": url.removesuffix("/v1")})


def test_google_genai_with_default_settings_reaches_the_native_api(aliased_url: str) -> None:
    client = _genai(aliased_url)
    reply = client.models.generate_content(model="gemini-2.5-flash", contents="Hello native")
    assert reply.text == "Echo: Hello native"
    streamed = "".join(
        chunk.text or ""
        for chunk in client.models.generate_content_stream(
            model="gemini-2.5-flash", contents="Hello native"
        )
    )
    assert streamed == reply.text
    names = [model.name for model in client.models.list()]
    assert "models/gemini-2.5-flash" in names
    model = client.models.get(model="gemini-2.5-flash")
    assert model.name == "models/gemini-2.5-flash" and model.input_token_limit


def test_google_genai_on_v1beta_too(aliased_url: str) -> None:
    client = genai.Client(
        api_key="any-key",
        http_options={"base_url": aliased_url.removesuffix("/v1"), "api_version": "v1beta"},
    )
    assert client.models.generate_content(model="gemini-2.5-flash", contents="x").text == "Echo: x"


def test_openai_model_routes_list_aliases_under_their_own_names(aliased_url: str) -> None:
    client = openai.OpenAI(base_url=aliased_url, api_key="any-key", max_retries=0)
    ids = [model.id for model in client.models.list()]
    assert {"gemini-2.5-flash", "gpt-4o", "mini"} <= set(ids)
    assert client.models.retrieve("gpt-4o").id == "gpt-4o"
    assert client.models.retrieve("gemini-2.5-flash").id == "gemini-2.5-flash"


@pytest.mark.parametrize("path", ["/models", "/models/gemini-2.5-flash", "/chat/completions"])
def test_routes_work_without_the_v1_prefix(aliased_url: str, path: str) -> None:
    root = aliased_url.removesuffix("/v1")
    if path == "/chat/completions":
        body = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
        response = httpx.post(f"{root}{path}", json=body)
    else:
        response = httpx.get(f"{root}{path}")
    assert response.status_code == 200, response.text
    assert "object" in response.json()


def test_unknown_openai_path_is_an_openai_404(aliased_url: str) -> None:
    response = httpx.get(f"{aliased_url}/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


def test_no_adapter_retries_when_the_openai_sdk_retries_itself(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    url = adapter_factory(upstream_url=fake_upstream.url)  # upstream_retries: the default, 2
    error = {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
    fake_upstream.script(Scripted(status=503, json=error))
    client = openai.OpenAI(base_url=url, api_key="k", max_retries=2)
    started = time.monotonic()
    with pytest.raises(openai.InternalServerError):
        client.with_options(timeout=30).chat.completions.create(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
    assert len(fake_upstream.requests) == 3  # the SDK's 1 + 2, none added by the adapter
    assert time.monotonic() - started < 8
    fake_upstream.script(Scripted(status=503, json=error))
    response = httpx.post(
        f"{url}/chat/completions",
        json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]},
        headers={"authorization": "Bearer k"},
    )
    assert response.status_code == 503
    assert len(fake_upstream.requests) == 3  # a plain client gets the adapter's 2 retries


def test_upstream_retries_zero_turns_them_off(
    adapter_factory: Callable[..., str], fake_upstream: FakeUpstream
) -> None:
    url = adapter_factory(upstream_url=fake_upstream.url, upstream_retries=0)
    error = {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
    fake_upstream.script(Scripted(status=503, json=error))
    response = httpx.post(
        f"{url}/chat/completions",
        json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]},
        headers={"authorization": "Bearer k"},
    )
    assert response.status_code == 503
    assert len(fake_upstream.requests) == 1


def test_a_known_openai_path_with_the_wrong_method_is_405(aliased_url: str) -> None:
    response = httpx.get(f"{aliased_url}/chat/completions")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_native_clients_get_the_adapters_own_errors_in_googles_shape(
    adapter_factory: Callable[..., str],
) -> None:
    """Seen on a new user's first day: google-genai showed `ClientError 401 None` because the
    adapter's 401 came in OpenAI's shape on a native route."""
    url = adapter_factory(
        upstream_url="emulator", server_key="server-k", client_keys=frozenset({"team-key"})
    )
    client = genai.Client(api_key="wrong", http_options={"base_url": url.removesuffix("/v1")})
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert caught.value.code == 401 and caught.value.status == "UNAUTHENTICATED"
    openai_side = httpx.get(f"{url}/models", headers={"authorization": "Bearer wrong"})
    assert openai_side.status_code == 401
    assert openai_side.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/responses/resp_x/input_items", {"limit": "\u00b2"}),
        ("/conversations/conv_x/items", {"limit": "\u00b2"}),
    ],
)
def test_digits_int_cannot_read_are_a_400_not_a_500(
    aliased_url: str, path: str, params: dict[str, str]
) -> None:
    """Found in review: '²'.isdigit() is True but int('²') raises; the whole kind uses
    isascii() too (list limits, $ref indexes, Content-Length, partial-args paths...)."""
    response = httpx.get(f"{aliased_url}{path}", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "limit"


def test_a_non_string_item_reference_id_is_a_400(aliased_url: str) -> None:
    body = {"model": "gemini-2.5-flash", "input": [{"type": "item_reference", "id": ["x"]}]}
    response = httpx.post(f"{aliased_url}/responses", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "input[0].id"


def test_a_superscript_ref_index_in_a_tool_schema_is_a_400(aliased_url: str) -> None:
    parameters = {
        "type": "object",
        "properties": {"a": {"$ref": "#/properties/b/anyOf/\u00b2"}, "b": {"anyOf": [{}]}},
    }
    body = {
        "model": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": parameters}}],
    }
    response = httpx.post(f"{aliased_url}/chat/completions", json=body)
    assert response.status_code == 400


def test_unauthenticated_native_calls_leave_no_model_label(
    adapter_factory: Callable[..., str],
) -> None:
    """Found in review: a 401 native call still recorded its model, so anyone could fill the
    metrics' model labels."""
    url = adapter_factory(
        upstream_url="emulator", server_key="server-k", client_keys=frozenset({"team-key"})
    )
    root = url.removesuffix("/v1")
    response = httpx.post(f"{root}/v1beta/models/attacker-junk-77:generateContent", json={})
    assert response.status_code == 401
    assert "attacker-junk-77" not in httpx.get(f"{root}/metrics").text
