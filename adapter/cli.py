"""`gemini-adapter serve` and `gemini-adapter emulator`."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import logging.config
import os
import signal
import sys

import orjson

from adapter.config import DEFAULT_UPSTREAM, ConfigError, build_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-adapter",
        description="OpenAI Chat Completions API in front of Gemini's native API.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the adapter")
    serve.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    serve.add_argument(
        "--upstream-url",
        default=None,
        help=f"native API base (env GEMINI_UPSTREAM_URL, default {DEFAULT_UPSTREAM}); "
        "'emulator' serves the built-in emulator in-process",
    )
    serve.add_argument(
        "--upstream-auth",
        choices=("x-goog-api-key", "bearer"),
        default=None,
        help="how the key is sent upstream (default x-goog-api-key)",
    )
    serve.add_argument("--config", default=None, help="JSON file with settings and model_aliases")
    serve.add_argument(
        "--allow-open-relay",
        action="store_true",
        default=None,
        help="serve a server key to anyone on a non-loopback host without client keys",
    )
    serve.add_argument("--max-body-bytes", type=int, default=None)
    serve.add_argument(
        "--upstream-timeout",
        type=float,
        default=None,
        dest="upstream_timeout_s",
        help="seconds to the upstream's first byte (default 120)",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=None,
        dest="shutdown_grace_s",
        help="seconds running streams get to finish on SIGTERM (default 30)",
    )
    serve.add_argument(
        "--no-remote-fetch",
        action="store_false",
        default=None,
        dest="remote_fetch",
        help="refuse http(s) image URLs instead of fetching",
    )
    serve.add_argument(
        "--fetch-allow-hosts",
        default=None,
        help="comma-separated hosts image URLs may use even if private",
    )
    serve.add_argument("--access-log", action="store_true", help="log each request (uvicorn)")
    serve.add_argument("--log-level", default="info")

    emulator = commands.add_parser("emulator", help="run the offline Gemini API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8090)
    emulator.add_argument("--log-level", default="info")
    return parser


def _exit_zero_after_drain() -> None:
    """uvicorn drains on SIGTERM, then re-raises the signal under the handler that was in
    place before it started, so the process would end "killed by SIGTERM" (exit 143 in a
    container, a failed stop to an orchestrator). A drained shutdown is a clean one:
    leave a handler that absorbs the re-raised signal, so the command returns 0."""
    signal.signal(signal.SIGTERM, lambda signum, frame: None)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import uvicorn

    _exit_zero_after_drain()

    if args.command == "emulator":
        from gemini_emulator.app import create_app
        from gemini_emulator.logs import log_config as emulator_log_config

        uvicorn.run(
            create_app(),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            log_config=emulator_log_config(),
        )
        return 0

    overrides = {
        key: getattr(args, key)
        for key in (
            "host",
            "port",
            "workers",
            "upstream_url",
            "upstream_auth",
            "config",
            "allow_open_relay",
            "max_body_bytes",
            "upstream_timeout_s",
            "shutdown_grace_s",
            "remote_fetch",
        )
    }
    if args.fetch_allow_hosts:
        overrides["fetch_allow_hosts"] = frozenset(
            h.strip() for h in args.fetch_allow_hosts.split(",") if h.strip()
        )
    try:
        config = build_config(overrides)
    except ConfigError as exc:
        print(f"gemini-adapter: {exc}", file=sys.stderr)
        return 2

    from adapter.app import CONFIG_ENV

    data = dataclasses.asdict(config)
    for key in ("client_keys", "fetch_allow_hosts"):
        data[key] = sorted(data[key])
    os.environ[CONFIG_ENV] = orjson.dumps(data).decode()
    from adapter.logs import log_config

    logging.config.dictConfig(log_config())
    upstream = "built-in emulator" if config.uses_emulator else config.upstream_url
    logging.getLogger("adapter").info(
        "serving on http://%s:%d/v1 -> %s (%d worker%s)",
        config.host,
        config.port,
        upstream,
        config.workers,
        "s" if config.workers > 1 else "",
    )
    uvicorn.run(
        "adapter.app:app_from_environment",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers if config.workers > 1 else None,
        access_log=args.access_log,
        log_level=args.log_level,
        timeout_graceful_shutdown=int(config.shutdown_grace_s),
        log_config=log_config(),
    )
    return 0
