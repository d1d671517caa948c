"""Who owns a stored object: a keyed hash (HMAC-SHA256) of the caller's key.

The key is never stored: only `HMAC(secret, key)`. The secret is random, made once by the
first process that creates the store and kept in the store itself (`adapter_meta`), so every
replica on the same database computes the same owner for the same key. Since the secret is
in the same database, a copy of it can test guessed keys offline (docs/store.md says so:
protect backups, use long random keys). In server-key mode the hashed key is the client
key (one of ADAPTER_API_KEYS); in forwarding mode it is the forwarded Gemini key. A caller
with no key at all (only possible in front of the built-in emulator, or in server-key mode
without client keys) is the single owner `anonymous`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ANONYMOUS = "anonymous"


def new_secret() -> str:
    return secrets.token_hex(32)


def owner_id(secret: str, key: str | None) -> str:
    if not key:
        return ANONYMOUS
    digest = hmac.new(bytes.fromhex(secret), key.encode(), hashlib.sha256).hexdigest()
    return "o_" + digest
