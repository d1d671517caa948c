"""Thought signatures in `reasoning.encrypted_content` (docs/responses.md).

Format: `gemini-adapter.v1.` + base64url of the signature's text. Anything else (OpenAI's own
encrypted reasoning, another gateway's) is not ours and is ignored, never an error. The
same signature is also packed in the call's `call_id` (adapter.translate.signatures), so a
client that drops reasoning items still continues a Gemini 3 tool loop.
"""

from __future__ import annotations

import base64
import binascii

PREFIX = "gemini-adapter.v1."


def encode_signature(signature: str) -> str:
    return PREFIX + base64.urlsafe_b64encode(signature.encode()).decode().rstrip("=")


def decode_signature(content: object) -> str | None:
    """The signature in `encrypted_content` made by `encode_signature`, else None."""
    if not isinstance(content, str) or not content.startswith(PREFIX):
        return None
    data = content[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        return raw.decode() or None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
