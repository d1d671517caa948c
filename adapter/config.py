"""Configuration: built once at start-up from flags, environment and a file, then passed in.

Nothing here is read at request time from the environment; the app receives a frozen `Config`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from adapter.endpoints import vertex_base

DEFAULT_UPSTREAM = "https://generativelanguage.googleapis.com"
EMULATOR = "emulator"
UPSTREAMS = ("gemini", "vertex")
_LOCATION = re.compile(r"[a-z][a-z0-9-]{0,62}")
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:_-]{0,127}")


class ConfigError(Exception):
    """A configuration the adapter refuses to start with; the message says why."""


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    upstream: str = "gemini"  # the API flavour: "gemini" or "vertex" (docs/vertex.md)
    upstream_url: str = DEFAULT_UPSTREAM  # on Vertex: the default is the location's host
    vertex_project: str | None = None  # GOOGLE_CLOUD_PROJECT; else the credentials' project
    vertex_location: str = "global"  # GOOGLE_CLOUD_LOCATION
    upstream_auth: str = "x-goog-api-key"  # or "bearer"
    server_key: str | None = None  # GEMINI_API_KEY: used upstream instead of the caller's key
    client_keys: frozenset[str] = frozenset()  # ADAPTER_API_KEYS: what callers must present
    allow_open_relay: bool = False
    model_aliases: Mapping[str, str] = field(default_factory=dict)
    max_body_bytes: int = 20 * 1024 * 1024
    connect_timeout_s: float = 10.0
    upstream_timeout_s: float = 120.0  # until the first byte
    stream_idle_timeout_s: float = 60.0  # between stream events
    max_retries: int = 2
    max_retry_wait_s: float = 10.0
    shutdown_grace_s: float = 30.0
    remote_fetch: bool = True
    fetch_allow_hosts: frozenset[str] = frozenset()
    fetch_allow_private: bool = False  # tests only: lets image URLs point at 127.0.0.1

    @property
    def uses_emulator(self) -> bool:
        return self.upstream_url == EMULATOR

    @property
    def uses_google_credentials(self) -> bool:
        """Vertex with Application Default Credentials: the adapter holds the upstream identity,
        so callers present ADAPTER_API_KEYS as in server-key mode (the built-in emulator and
        an API key, Vertex express mode, need none)."""
        return self.upstream == "vertex" and not self.server_key and not self.uses_emulator

    @property
    def holds_upstream_identity(self) -> bool:
        return bool(self.server_key) or self.uses_google_credentials

    def check(self) -> None:
        """Refuse configurations that would be unsafe to serve."""
        if self.upstream_auth not in ("x-goog-api-key", "bearer"):
            raise ConfigError("--upstream-auth must be 'x-goog-api-key' or 'bearer'")
        if self.upstream not in UPSTREAMS:
            raise ConfigError("--upstream must be 'gemini' or 'vertex'")
        if not _LOCATION.fullmatch(self.vertex_location):
            raise ConfigError(f"--vertex-location {self.vertex_location!r} is not a location")
        if self.vertex_project is not None and not _PROJECT.fullmatch(self.vertex_project):
            raise ConfigError(f"--vertex-project {self.vertex_project!r} is not a project id")
        if self.holds_upstream_identity and not self.client_keys and not self.allow_open_relay:
            if not _is_loopback(self.host):
                what = "GEMINI_API_KEY is set" if self.server_key else "Vertex credentials are used"
                raise ConfigError(
                    f"{what} but ADAPTER_API_KEYS is empty and the host "
                    f"{self.host!r} is not loopback: anyone reaching this port would spend "
                    "your upstream quota (an open relay). Set ADAPTER_API_KEYS, bind to 127.0.0.1, "
                    "or pass --allow-open-relay."
                )
        if self.workers < 1:
            raise ConfigError("--workers must be at least 1")


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
            raise ConfigError(f"bad model alias {item!r}: expected 'name=target'")
        aliases[source.strip()] = target.strip()
    return aliases


def load_config_file(path: str) -> dict[str, object]:
    """A JSON file of Config fields, e.g. {"model_aliases": {"gpt-4o": "gemini-2.5-pro"}}."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    known = set(Config.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown keys in {path}: {', '.join(sorted(unknown))}")
    return data


def build_config(overrides: Mapping[str, object], env: Mapping[str, str] | None = None) -> Config:
    """Merge, lowest first: defaults, config file, environment, command-line flags (`overrides`)."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    config_file = overrides.get("config")
    if config_file:
        values.update(load_config_file(str(config_file)))
    if env.get("GEMINI_UPSTREAM_URL"):
        values["upstream_url"] = env["GEMINI_UPSTREAM_URL"]
    if env.get("GOOGLE_CLOUD_PROJECT"):
        values["vertex_project"] = env["GOOGLE_CLOUD_PROJECT"]
    if env.get("GOOGLE_CLOUD_LOCATION"):
        values["vertex_location"] = env["GOOGLE_CLOUD_LOCATION"]
    if env.get("GEMINI_API_KEY"):
        values["server_key"] = env["GEMINI_API_KEY"]
    if env.get("ADAPTER_API_KEYS"):
        values["client_keys"] = frozenset(
            k.strip() for k in env["ADAPTER_API_KEYS"].split(",") if k.strip()
        )
    if env.get("MODEL_ALIASES"):
        aliases = dict(values.get("model_aliases") or {})  # type: ignore[call-overload]
        aliases.update(parse_aliases(env["MODEL_ALIASES"]))
        values["model_aliases"] = aliases
    for key, value in overrides.items():
        if key != "config" and value is not None:
            values[key] = value
    for key in ("client_keys", "fetch_allow_hosts"):
        if key in values and not isinstance(values[key], frozenset):
            values[key] = frozenset(values[key])  # type: ignore[arg-type]
    if "upstream_url" not in values and values.get("upstream") == "vertex":
        values["upstream_url"] = vertex_base(str(values.get("vertex_location") or "global"))
    values["upstream_url"] = str(values.get("upstream_url", DEFAULT_UPSTREAM)).rstrip("/")
    config = Config(**values)  # type: ignore[arg-type]
    config.check()
    return config
