"""`gemini-adapter serve` and `gemini-adapter emulator`.

Flags are read as strings and validated with the environment and the config file in one
place (`adapter.config.build_config`): a bad setting stops start-up with one line, exit 2.
SIGTERM lets running streams finish (up to `--shutdown-grace`), then exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import logging.config
import os
import socket
import sys
from collections.abc import Iterator

import uvicorn
from uvicorn.supervisors import Multiprocess

from adapter.config import (
    CONFIG_ENV,
    DEFAULT_UPSTREAM,
    LOG_LEVELS,
    Config,
    ConfigError,
    build_config,
    to_environment,
)
from adapter.observability import workers

# Flags whose values go to build_config under these setting names.
_SETTINGS = (
    "host",
    "port",
    "workers",
    "upstream",
    "upstream_url",
    "upstream_auth",
    "vertex_project",
    "vertex_location",
    "config",
    "allow_open_relay",
    "max_body_bytes",
    "upstream_timeout_s",
    "upstream_retries",
    "shutdown_grace_s",
    "remote_fetch",
    "store",
    "store_ttl_s",
    "log_level",
    "log_format",
    "access_log",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-adapter",
        description="OpenAI APIs in front of Gemini's native API (docs/configuration.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the adapter")
    add = serve.add_argument
    add("--host", help="bind address (default 127.0.0.1)")
    add("--port", help="port (default 8080)")
    add("--workers", help="worker processes (default 1)")
    add("--upstream", help="native API flavour: gemini (default) or vertex")
    add(
        "--upstream-url",
        help=f"native API base (env GEMINI_UPSTREAM_URL, default {DEFAULT_UPSTREAM}); "
        "'emulator' serves the built-in emulator in-process",
    )
    add("--upstream-auth", help="how the key is sent upstream: x-goog-api-key (default), bearer")
    add("--vertex-project", help="Vertex AI project (env GOOGLE_CLOUD_PROJECT)")
    add("--vertex-location", help="Vertex AI location (env GOOGLE_CLOUD_LOCATION, default global)")
    add("--config", help="JSON file of settings (docs/configuration.md)")
    add(
        "--allow-open-relay",
        action="store_true",
        default=None,
        help="serve a server key to anyone on a non-loopback host without client keys",
    )
    add("--max-body-bytes", help="larger request bodies get 413 (default 20 MiB)")
    add("--upstream-timeout", dest="upstream_timeout_s", help="seconds to first byte (120)")
    add("--upstream-retries", help="retries of upstream 429/503 (default 2, 0 = off)")
    add("--shutdown-grace", dest="shutdown_grace_s", help="seconds streams get on SIGTERM (30)")
    add(
        "--no-remote-fetch",
        action="store_false",
        default=None,
        dest="remote_fetch",
        help="refuse http(s) image URLs instead of fetching",
    )
    add("--fetch-allow-hosts", help="comma-separated hosts image URLs may use even if private")
    add(
        "--store",
        help="response store: sqlite (default), sqlite:///path, postgresql://..., "
        "memory, none (env ADAPTER_STORE)",
    )
    add("--store-ttl", dest="store_ttl_s", help="retention of stored objects, e.g. 30d (default)")
    add(
        "--access-log",
        action="store_true",
        default=None,
        help="one line per request: id, route, model, status, latency, tokens",
    )
    add("--log-level", help=f"one of {', '.join(LOG_LEVELS)} (default info)")
    add("--log-format", help="text (default) or json (every line a JSON object)")

    emulator = commands.add_parser("emulator", help="run the offline Gemini API emulator")
    emulator.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    emulator.add_argument("--port", type=_port, default=8090, help="port (default 8090)")
    emulator.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="default info"
    )
    return parser


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    if args.command == "emulator":
        from gemini_emulator.app import create_app
        from gemini_emulator.logs import log_config as emulator_log_config

        emulator_config = uvicorn.Config(
            create_app(),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            log_config=emulator_log_config(),  # redacts ?key= in access lines
        )
        emulator_sock = _bind(args.host, args.port)
        if emulator_sock is None:
            return 1
        _Server(emulator_config).run(sockets=[emulator_sock])
        return 0

    overrides: dict[str, object] = {key: getattr(args, key) for key in _SETTINGS}
    if args.fetch_allow_hosts is not None:
        overrides["fetch_allow_hosts"] = [
            h.strip() for h in args.fetch_allow_hosts.split(",") if h.strip()
        ]
    try:
        config = build_config(overrides)
    except ConfigError as exc:
        print(f"gemini-adapter: {exc}", file=sys.stderr)
        return 2
    vertex = ""
    if config.upstream == "vertex":
        project = config.vertex_project
        if config.uses_google_credentials:  # checked once here, for a one-line refusal
            from adapter.credentials import CredentialsError, find_google_credentials

            try:
                project = find_google_credentials(project)
            except CredentialsError as exc:
                print(f"gemini-adapter: {exc}", file=sys.stderr)
                return 2
        scope = f"project {project}" if project else "express mode"
        vertex = f" (Vertex AI, {scope}, location {config.vertex_location})"

    # Before any metric exists: prometheus_client picks its multi-process mode from the
    # environment, in every worker (adapter.observability.workers). This process makes none.
    metrics_dir = None
    if config.workers > 1 or os.environ.get(workers.MULTIPROC_ENV):
        metrics_dir = workers.prepare_multiprocess_dir()
    try:
        return _serve(config, vertex)
    finally:
        workers.remove_multiprocess_dir(metrics_dir)


def _serve(config: Config, vertex: str) -> int:
    """Logging set up, the socket bound, then uvicorn (one process, or the workers).
    `vertex`: the Vertex AI description for the start-up line, or ""."""
    from adapter.logs import log_config

    os.environ[CONFIG_ENV] = to_environment(config)
    logging_config = log_config(config.log_format, config.log_level)
    logging.config.dictConfig(logging_config)
    logging.captureWarnings(True)
    uv_config = uvicorn.Config(
        "adapter.app:app_from_environment",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers if config.workers > 1 else None,
        # The adapter writes its own request lines (--access-log, adapter.observability).
        access_log=False,
        log_level=config.log_level,
        timeout_graceful_shutdown=int(config.shutdown_grace_s),
        log_config=logging_config,
    )
    server = _Server(uv_config)
    sock = _bind(config.host, config.port)  # before "serving on": a failed bind says so
    if sock is None:
        return 1
    upstream = "built-in emulator" if config.uses_emulator else config.upstream_url
    logging.getLogger("adapter").info(
        "serving on http://%s:%d/v1 -> %s%s (%d worker%s)",
        config.host,
        config.port,
        upstream,
        vertex,
        config.workers,
        "s" if config.workers > 1 else "",
    )
    if config.workers > 1:
        _Workers(uv_config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket | None:
    """The listening socket, as uvicorn binds it; None (after one line on stderr) when the
    address cannot be used: exit code 1, nothing claims to be serving."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"gemini-adapter: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return None
    sock.set_inheritable(True)
    return sock


class _Workers(Multiprocess):
    """uvicorn's worker supervisor that also tells prometheus_client when a worker is gone
    (replaced after a crash, or retired), so its open-stream gauge leaves the sums."""

    def keep_subprocess_alive(self) -> None:
        before = {process.pid for process in self.processes}
        super().keep_subprocess_alive()
        self._forget(before)

    def restart_all(self) -> None:
        before = {process.pid for process in self.processes}
        super().restart_all()
        self._forget(before)

    def _forget(self, before: set[int | None]) -> None:
        for pid in before - {process.pid for process in self.processes}:
            if pid is not None:
                workers.mark_process_dead(pid)


class _Server(uvicorn.Server):
    """uvicorn's server, except that a SIGTERM/SIGINT after a graceful shutdown exits 0.

    uvicorn re-raises the captured signal once it has shut down, so the process would end
    with -15; Kubernetes and systemd read that exit code as a failure."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()
