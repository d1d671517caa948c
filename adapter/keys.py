"""Key policy: which key goes upstream for a request, and who the caller is.

Forwarding mode (no server key): the caller's own Gemini key (`Authorization: Bearer K`,
`x-goog-api-key: K` or `?key=K`) is sent upstream. Server-key mode (`GEMINI_API_KEY`): the
caller must present one of `ADAPTER_API_KEYS` and the server key is sent upstream. Vertex AI
with Google credentials works like server-key mode (docs/vertex.md).
See README "Against the real Gemini API".
"""

from __future__ import annotations

import hmac

from starlette.requests import Request

from adapter.config import Config
from adapter.errors import AdapterError

# Stand-in key for the built-in emulator when the caller sends none.
EMULATOR_KEY = "emulator-key"


def caller_key(request: Request) -> str | None:
    """The key the caller presented, in any of the three forms the OpenAI and Google SDKs use."""
    auth = request.headers.get("authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-goog-api-key") or request.query_params.get("key") or None


def upstream_key(request: Request, config: Config) -> str:
    """The key sent upstream. Raises AdapterError 401 for a missing or unknown client key."""
    key = caller_key(request)
    if config.holds_upstream_identity:  # a server key, or Vertex credentials (docs/vertex.md)
        if config.client_keys and not any(
            key is not None and hmac.compare_digest(key.encode(), k.encode())
            for k in config.client_keys
        ):
            raise AdapterError(
                401, "Invalid or missing API key for this adapter.", code="invalid_api_key"
            )
        return config.server_key or ""  # Google credentials ignore it
    if key is None:
        if config.uses_emulator:
            return EMULATOR_KEY
        raise AdapterError(
            401,
            "Missing API key: send your Gemini key as 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    return key
