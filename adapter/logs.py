"""Logging set-up: uvicorn's configuration, in text or JSON lines (`--log-format`), plus a
filter that keeps API keys out of every line (a native passthrough call may carry
`?key=...` in its URL, docs/behaviour.md E4).

With `json`, every logger the process uses writes one JSON object per line through
python-json-logger: uvicorn's own, the adapter's (`adapter`, `adapter.access` for the
request lines, docs/observability.md), and the root logger (libraries, warnings).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from uvicorn.config import LOGGING_CONFIG

_KEY_IN_QUERY = re.compile(r"([?&](?:key|api_key|access_token)=)[^&\s]*", re.IGNORECASE)

JSON_FORMATTER = {
    "()": "pythonjsonlogger.orjson.OrjsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",  # ISO 8601, UTC
    # uvicorn adds an ANSI-coloured copy of some messages; it has no place in JSON.
    "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
}


def redact_query(text: str) -> str:
    return _KEY_IN_QUERY.sub(r"\1[redacted]", text)


class RedactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        record.msg = redact_query(str(record.msg))
        return True


def log_config(log_format: str = "text", level: str = "info") -> dict[str, Any]:
    """uvicorn's default config with RedactKeys on every handler, in `text` or `json`;
    importable by workers (uvicorn applies it in each)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_keys"] = {"()": "adapter.logs.RedactKeys"}
    if log_format == "json":
        config["formatters"] = {"default": JSON_FORMATTER, "access": JSON_FORMATTER}
    # The request lines (adapter.access) go to stdout, as uvicorn's access lines do.
    config["handlers"]["adapter_access"] = {
        "formatter": "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_keys")
    level_name = "DEBUG" if level == "trace" else level.upper()
    config["loggers"]["adapter"] = {
        "handlers": ["default"],
        "level": level_name,
        "propagate": False,
    }
    config["loggers"]["adapter.access"] = {
        "handlers": ["adapter_access"],
        "level": "INFO",
        "propagate": False,
    }
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
