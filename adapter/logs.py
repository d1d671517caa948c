"""Logging set-up: uvicorn's configuration plus a filter that keeps API keys out of
access lines (a native passthrough call may carry `?key=...` in its URL, docs/behaviour.md E4)."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_KEY_IN_QUERY = re.compile(r"([?&](?:key|api_key|access_token)=)[^&\s]*", re.IGNORECASE)


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


def log_config() -> dict[str, Any]:
    """uvicorn's default config with RedactKeys on every handler; importable by workers."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_keys"] = {"()": "adapter.logs.RedactKeys"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_keys")
    config["loggers"]["adapter"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
