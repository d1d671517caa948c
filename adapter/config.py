"""Configuration: built once at start-up from flags, environment and a JSON file, validated by
pydantic, then passed in. Nothing reads the environment at request time.

Precedence, lowest first: defaults, `--config` file, environment, command-line flags.
Every setting, its flag, its variable and its meaning: docs/configuration.md.

Errors: `build_config` raises `ConfigError` whose message is one line naming the setting
(e.g. `upstream_timeout_s (--upstream-timeout): must be a number, got 'fast'`); the CLI
prints it and exits 2.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from adapter.endpoints import vertex_base

DEFAULT_UPSTREAM = "https://generativelanguage.googleapis.com"
EMULATOR = "emulator"
_LOCATION = re.compile(r"[a-z][a-z0-9-]{0,62}")
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:_-]{0,127}")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class ConfigError(Exception):
    """A configuration the adapter refuses to start with; the message is one line saying why."""


class Config(BaseModel):
    """Every setting of a running adapter (docs/configuration.md); immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=256)
    upstream: Literal["gemini", "vertex"] = "gemini"  # the native API flavour
    upstream_url: str = DEFAULT_UPSTREAM  # a base URL, or "emulator"; Vertex: the location's host
    upstream_auth: Literal["x-goog-api-key", "bearer"] = "x-goog-api-key"
    vertex_project: str | None = None  # else the credentials' project (docs/vertex.md)
    vertex_location: str = "global"
    server_key: str | None = None  # GEMINI_API_KEY: used upstream instead of the caller's key
    client_keys: frozenset[str] = frozenset()  # ADAPTER_API_KEYS: what callers must present
    allow_open_relay: bool = False
    model_aliases: dict[str, str] = Field(default_factory=dict)
    max_body_bytes: int = Field(20 * 1024 * 1024, gt=0)
    connect_timeout_s: float = Field(10.0, gt=0)
    upstream_timeout_s: float = Field(120.0, gt=0)  # until the first byte
    stream_idle_timeout_s: float = Field(60.0, gt=0)  # between stream events
    upstream_retries: int = Field(2, ge=0, le=10)  # retries of 429/503 before the first byte
    max_retry_wait_s: float = Field(10.0, ge=0)
    shutdown_grace_s: float = Field(30.0, ge=0)
    remote_fetch: bool = True
    fetch_allow_hosts: frozenset[str] = frozenset()
    fetch_allow_private: bool = False  # tests only: lets image URLs point at 127.0.0.1
    store: str = "sqlite"  # sqlite (default file), sqlite:///path, postgresql://..., memory, none
    store_ttl_s: float = Field(30 * 86400.0, gt=0)
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"
    log_format: Literal["text", "json"] = "text"
    access_log: bool = False

    @model_validator(mode="before")
    @classmethod
    def _vertex_host(cls, data: Any) -> Any:
        """On Vertex without an explicit base, the location's public host."""
        if (
            isinstance(data, dict)
            and data.get("upstream") == "vertex"
            and not data.get("upstream_url")
        ):
            location = data.get("vertex_location") or "global"
            if isinstance(location, str) and _LOCATION.fullmatch(location):
                return {**data, "upstream_url": vertex_base(location)}
        return data

    @field_validator("vertex_location")
    @classmethod
    def _check_location(cls, value: str) -> str:
        if not _LOCATION.fullmatch(value):
            raise ValueError(f"{value!r} is not a location (e.g. global, us-central1)")
        return value

    @field_validator("vertex_project")
    @classmethod
    def _check_project(cls, value: str | None) -> str | None:
        if value is not None and not _PROJECT.fullmatch(value):
            raise ValueError(f"{value!r} is not a project id")
        return value

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        labels = value.rstrip(".").split(".")
        if (
            not value
            or all(label.isdigit() for label in labels)  # a dotted number that is no address
            or not all(_HOST_LABEL.fullmatch(label) for label in labels)
        ):
            raise ValueError("must be an IP address or a host name")
        return value

    @field_validator("upstream_url")
    @classmethod
    def _check_upstream_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value == EMULATOR:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be 'emulator' or an http(s) URL with a host, got {value!r}")
        return value

    @field_validator("client_keys", "fetch_allow_hosts", mode="before")
    @classmethod
    def _no_bare_string(cls, value: Any) -> Any:
        # A string would otherwise become a set of its characters: "team-key" -> {t, e, a, ...}.
        if isinstance(value, str):
            raise ValueError("must be a list of strings, not one string")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str) -> str:
        from adapter.store import store_kind

        store_kind(value)  # ValueError says which forms exist
        return value

    @field_validator("store_ttl_s", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @property
    def uses_emulator(self) -> bool:
        return self.upstream_url == EMULATOR

    @property
    def uses_google_credentials(self) -> bool:
        """Vertex with Application Default Credentials: the adapter holds the upstream identity,
        so callers present ADAPTER_API_KEYS as in server-key mode. An API key on Vertex
        (express mode) and the built-in emulator need no Google credentials."""
        return self.upstream == "vertex" and not self.server_key and not self.uses_emulator

    @property
    def holds_upstream_identity(self) -> bool:
        """A server key or Google credentials: what callers spend is the adapter's."""
        return bool(self.server_key) or self.uses_google_credentials

    def check(self) -> None:
        """Refuse configurations that would be unsafe to serve (an open relay)."""
        if self.holds_upstream_identity and not self.client_keys and not self.allow_open_relay:
            if not _is_loopback(self.host):
                what = "Vertex credentials are used"
                if self.server_key:
                    what = "A server key (GEMINI_API_KEY or server_key) is set"
                raise ConfigError(
                    f"{what} but ADAPTER_API_KEYS is empty and the host "
                    f"{self.host!r} is not loopback: anyone reaching this port would spend "
                    "your upstream quota (an open relay). Set ADAPTER_API_KEYS, bind to "
                    "127.0.0.1, or pass --allow-open-relay."
                )


# Where each setting can come from, for error messages: flag and environment variable.
FLAGS = {
    "host": "--host",
    "port": "--port",
    "workers": "--workers",
    "upstream": "--upstream",
    "upstream_url": "--upstream-url",
    "upstream_auth": "--upstream-auth",
    "vertex_project": "--vertex-project",
    "vertex_location": "--vertex-location",
    "allow_open_relay": "--allow-open-relay",
    "max_body_bytes": "--max-body-bytes",
    "upstream_timeout_s": "--upstream-timeout",
    "upstream_retries": "--upstream-retries",
    "shutdown_grace_s": "--shutdown-grace",
    "remote_fetch": "--no-remote-fetch",
    "fetch_allow_hosts": "--fetch-allow-hosts",
    "store": "--store",
    "store_ttl_s": "--store-ttl",
    "log_level": "--log-level",
    "log_format": "--log-format",
    "access_log": "--access-log",
}
ENV = {
    "GEMINI_UPSTREAM_URL": "upstream_url",
    "GEMINI_API_KEY": "server_key",
    "ADAPTER_API_KEYS": "client_keys",
    "MODEL_ALIASES": "model_aliases",
    "ADAPTER_STORE": "store",
    "GOOGLE_CLOUD_PROJECT": "vertex_project",
    "GOOGLE_CLOUD_LOCATION": "vertex_location",
}
_LIST_ENV = {"client_keys"}
_SECRETS = {"server_key", "client_keys", "store"}  # a database URL may hold a password


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", re.IGNORECASE)
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """`90`, `90s`, `15m`, `12h`, `30d` -> seconds. Raises ValueError otherwise."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(f"must be seconds or a number with s, m, h or d, got {text!r}")
    return float(match.group(1)) * _UNIT_S[match.group(2).lower()]


def parse_aliases(text: str) -> dict[str, str]:
    """`a=b,c=d` (or `a->b`) into a dict; used for the MODEL_ALIASES variable."""
    aliases: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        sep = "->" if "->" in item else "="
        source, _, target = item.partition(sep)
        if not source.strip() or not target.strip():
            raise ConfigError(f"MODEL_ALIASES: bad alias {item!r}, expected 'name=target'")
        aliases[source.strip()] = target.strip()
    return aliases


def load_config_file(path: str) -> dict[str, Any]:
    """A JSON object of settings, e.g. {"model_aliases": {"gpt-4o": "gemini-2.5-pro"}}."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(f"--config {path}: cannot read it ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: must hold a JSON object of settings")
    unknown = sorted(set(data) - set(Config.model_fields))
    if unknown:
        raise ConfigError(
            f"--config {path}: unknown setting {', '.join(map(repr, unknown))}; "
            f"valid keys: {', '.join(Config.model_fields)}"
        )
    return data


def build_config(overrides: Mapping[str, object], env: Mapping[str, str] | None = None) -> Config:
    """Merge, lowest first: defaults, config file, environment, command-line flags (`overrides`,
    None meaning "not given"); validate; refuse unsafe combinations. Raises ConfigError."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    config_file = overrides.get("config")
    if config_file:
        for key, value in load_config_file(str(config_file)).items():
            values[key] = value
            origin[key] = f"{key} in {config_file}"
    for variable, key in ENV.items():
        text = env.get(variable)
        if not text:
            continue
        if key in _LIST_ENV:
            values[key] = frozenset(k.strip() for k in text.split(",") if k.strip())
        elif key == "model_aliases":
            aliases = dict(values.get(key) or {}) if isinstance(values.get(key), dict) else {}
            aliases.update(parse_aliases(text))
            values[key] = aliases
        else:
            values[key] = text
        origin[key] = variable
    for key, value in overrides.items():
        if key != "config" and value is not None:
            values[key] = value
            origin[key] = FLAGS.get(key, key)
    try:
        config = Config(**values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, origin)) from None
    config.check()
    return config


def _one_line(exc: ValidationError, origin: Mapping[str, str]) -> str:
    error = exc.errors()[0]
    key = str(error["loc"][0]) if error["loc"] else "?"
    where = origin.get(key, key)
    label = key if where == key else f"{key} ({where})"
    if error["type"] == "extra_forbidden":
        return f"unknown setting {key!r}; valid keys: {', '.join(Config.model_fields)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if key in _SECRETS:  # never echo a key back
        return f"{label}: {message}"
    if "got " in message:  # the validator already showed the value
        return f"{label}: {message}"
    return f"{label}: {message}, got {error.get('input')!r}"


# The environment variable that carries the Config to worker processes.
CONFIG_ENV = "ADAPTER_CONFIG_JSON"


def to_environment(config: Config) -> str:
    """The Config as JSON for worker processes (see `from_environment`)."""
    return config.model_dump_json()


def from_environment(text: str) -> Config:
    return Config.model_validate_json(text)
