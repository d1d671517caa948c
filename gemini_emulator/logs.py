"""Logging for the standalone emulator (`gemini-adapter emulator`): uvicorn's own
configuration plus a filter that hides `?key=` values in access lines.

The emulator imports nothing from `adapter`, so it keeps this small copy of the
adapter's redaction (adapter/logs.py) instead of sharing it. Native clients may put
their API key in the query string (`?key=AIza...`, as Google's documentation shows);
that value must never reach a log line, even in a fake server.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_KEY_IN_QUERY = re.compile(
    r"([?&](?:key|api_key|access_token|oauth_token)=)[^&\s\"]*", re.IGNORECASE
)


def redact_query(text: str) -> str:
    """`/v1beta/models?key=AIza` -> `/v1beta/models?key=[redacted]`; other text unchanged."""
    return _KEY_IN_QUERY.sub(r"\1[redacted]", text)


class RedactKeys(logging.Filter):
    """Rewrites a record's message and string arguments through `redact_query`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        record.msg = redact_query(str(record.msg))
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging config with `RedactKeys` on every handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_keys"] = {"()": "gemini_emulator.logs.RedactKeys"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_keys")
    return config
