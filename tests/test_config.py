"""Configuration: built once from flags, environment and file, validated (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.config import ConfigError, build_config, parse_aliases


def test_environment_and_flags() -> None:
    env = {
        "GEMINI_UPSTREAM_URL": "https://proxy.example/",
        "GEMINI_API_KEY": "srv",
        "ADAPTER_API_KEYS": "a, b",
        "MODEL_ALIASES": "gpt-4o=gemini-2.5-pro",
    }
    config = build_config({"port": 9000, "upstream_url": None}, env)
    assert config.upstream_url == "https://proxy.example"
    assert config.server_key == "srv"
    assert config.client_keys == frozenset({"a", "b"})
    assert config.model_aliases == {"gpt-4o": "gemini-2.5-pro"}
    assert config.port == 9000
    assert build_config({"upstream_url": "emulator"}, env).uses_emulator


@pytest.mark.parametrize(
    ("host", "clients", "allow", "refused"),
    [
        ("0.0.0.0", "", False, True),
        ("0.0.0.0", "", True, False),
        ("0.0.0.0", "k1", False, False),
        ("127.0.0.1", "", False, False),
        ("localhost", "", False, False),
        ("::1", "", False, False),
        ("10.0.0.5", "", False, True),
    ],
)
def test_open_relay_refused(host: str, clients: str, allow: bool, refused: bool) -> None:
    env = {"GEMINI_API_KEY": "srv", "ADAPTER_API_KEYS": clients}
    overrides = {"host": host, "allow_open_relay": allow or None}
    if refused:
        with pytest.raises(ConfigError, match="open relay"):
            build_config(overrides, env)
    else:
        build_config(overrides, env)


def test_config_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"model_aliases": {"gpt-4o-mini": "gemini-2.5-flash"}, "workers": 3}')
    config = build_config({"config": str(path), "workers": None}, {})
    assert config.model_aliases == {"gpt-4o-mini": "gemini-2.5-flash"}
    assert config.workers == 3
    path.write_text('{"nope": 1}')
    with pytest.raises(ConfigError, match="nope"):
        build_config({"config": str(path)}, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a=b", {"a": "b"}), ("a->b, c=d", {"a": "b", "c": "d"}), ("", {})],
)
def test_parse_aliases(text: str, expected: dict[str, str]) -> None:
    assert parse_aliases(text) == expected


def test_bad_alias() -> None:
    with pytest.raises(ConfigError):
        parse_aliases("=x")


@pytest.mark.parametrize(
    ("source", "values", "message"),
    [
        ("file", {"client_keys": "team-key"}, "client_keys in"),
        ("file", {"model_aliases": "gpt-4o=x"}, "model_aliases in"),
        ("file", {"upstream_timeout_s": "fast"}, "upstream_timeout_s in"),
        ("flag", {"log_level": "bogus"}, "log_level (--log-level)"),
        ("flag", {"max_body_bytes": "-1"}, "max_body_bytes (--max-body-bytes)"),
        ("flag", {"upstream_url": "htps//typo"}, "upstream_url (--upstream-url)"),
        ("flag", {"upstream": "azure"}, "upstream (--upstream)"),
        ("flag", {"store_ttl_s": "forever"}, "store_ttl_s (--store-ttl)"),
    ],
)
def test_bad_values_name_the_setting_and_where_it_came_from(
    tmp_path: Path, source: str, values: dict[str, object], message: str
) -> None:
    if source == "file":
        path = tmp_path / "c.json"
        path.write_text(__import__("json").dumps(values))
        overrides: dict[str, object] = {"config": str(path)}
    else:
        overrides = dict(values)
    with pytest.raises(ConfigError) as caught:
        build_config(overrides, {})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_string_of_client_keys_is_refused_not_split_into_characters(tmp_path: Path) -> None:
    """The bug: {"client_keys": "team-key"} accepted the keys 't', 'e', 'a'."""
    path = tmp_path / "c.json"
    path.write_text('{"client_keys": "team-key", "server_key": "s"}')
    with pytest.raises(ConfigError, match="client_keys") as caught:
        build_config({"config": str(path)}, {})
    assert "team-key" not in str(caught.value)  # keys are never echoed
    path.write_text('{"client_keys": ["team-key"], "server_key": "s"}')
    assert build_config({"config": str(path)}, {}).client_keys == frozenset({"team-key"})


def test_flags_arrive_as_strings_and_are_converted() -> None:
    config = build_config(
        {"port": "9001", "upstream_retries": "0", "store_ttl_s": "12h", "log_level": "DEBUG"}, {}
    )
    assert (config.port, config.upstream_retries, config.store_ttl_s) == (9001, 0, 43200.0)
    assert config.log_level == "debug"


def test_vertex_settings_from_the_environment() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "p1", "GOOGLE_CLOUD_LOCATION": "europe-west4"}
    config = build_config({"upstream": "vertex"}, env)
    assert (config.upstream, config.vertex_project, config.vertex_location) == (
        "vertex",
        "p1",
        "europe-west4",
    )


def test_the_worker_round_trip_keeps_every_setting() -> None:
    from adapter.config import from_environment, to_environment

    config = build_config({"fetch_allow_hosts": ["a.example"]}, {"ADAPTER_API_KEYS": "k1,k2"})
    assert from_environment(to_environment(config)) == config


def test_vertex_settings_from_environment_and_flags() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "env-proj", "GOOGLE_CLOUD_LOCATION": "europe-west4"}
    config = build_config({"upstream": "vertex"}, env)
    assert config.vertex_project == "env-proj"
    assert config.vertex_location == "europe-west4"
    assert config.upstream_url == "https://europe-west4-aiplatform.googleapis.com"
    assert config.uses_google_credentials
    flags = build_config(
        {"upstream": "vertex", "vertex_project": "p", "upstream_url": "http://127.0.0.1:1"}, env
    )
    assert (flags.vertex_project, flags.upstream_url) == ("p", "http://127.0.0.1:1")
    assert build_config({"upstream": "vertex"}, {}).upstream_url == (
        "https://aiplatform.googleapis.com"
    )
    # an API key on Vertex is express mode: no Google credentials
    assert not build_config({"upstream": "vertex"}, {"GEMINI_API_KEY": "k"}).uses_google_credentials


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"upstream": "vertex", "host": "0.0.0.0"}, "open relay"),
        ({"upstream": "vertex", "vertex_location": "us/../x"}, "not a location"),
        ({"upstream": "vertex", "vertex_project": "a b"}, "not a project"),
        ({"upstream": "azure"}, "--upstream"),
    ],
)
def test_vertex_refusals(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(overrides, {})
    if overrides.get("host"):  # client keys make it safe
        build_config(overrides, {"ADAPTER_API_KEYS": "k"})


def test_a_bad_store_url_never_echoes_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        build_config({}, {"ADAPTER_STORE": "postgresql+asyncpg://u:SuperSecretPw2@db/x"})
    assert "SuperSecretPw2" not in str(caught.value)
    assert "store" in str(caught.value)
