"""Thought signatures carried statelessly inside OpenAI tool call ids (docs/behaviour.md R10).

Gemini returns an opaque `thoughtSignature` on function-call parts and (Gemini 3) refuses the
next turn if it is not sent back. OpenAI clients echo only `id`, `type` and `function`, so the
signature (and the native call `id`, when the model gave one) is packed into the tool call id:

    call_<hash>                      nothing to carry
    call_<hash>_<tag><base64url>     tag "r": native id + NUL + the signature's raw bytes
                                     tag "t": native id + NUL + the signature as UTF-8 text
                                     (a signature that is not canonical base64)

Ids stay within [A-Za-z0-9_-], so routers that validate id characters accept them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

# Documented by Google for calls whose signature is unknown (history from another model,
# a client that lost it): the validator accepts it on Gemini 3 models.
SKIP_SIGNATURE = "skip_thought_signature_validator"

_PREFIX = "call_"


def call_hash(seed: str) -> str:
    return hashlib.blake2s(seed.encode(), digest_size=12).hexdigest()


def encode_tool_call_id(seed: str, native_id: str | None, signature: str | None) -> str:
    """A tool call id that is stable for the same seed and carries id and signature."""
    head = _PREFIX + call_hash(seed)
    if not native_id and not signature:
        return head
    tag, sig_bytes = "t", (signature or "").encode()
    if signature:
        try:
            raw = base64.b64decode(signature, validate=True)
            if base64.b64encode(raw).decode() == signature:
                tag, sig_bytes = "r", raw
        except (binascii.Error, ValueError):
            pass
    blob = (native_id or "").encode() + b"\0" + sig_bytes
    return f"{head}_{tag}{base64.urlsafe_b64encode(blob).decode().rstrip('=')}"


def decode_tool_call_id(tool_call_id: str) -> tuple[str | None, str | None]:
    """(native id, signature) packed in an id made by `encode_tool_call_id`; (None, None) else."""
    if not tool_call_id.startswith(_PREFIX):
        return None, None
    _, _, packed = tool_call_id[len(_PREFIX) :].partition("_")
    if len(packed) < 2 or packed[0] not in "rt":
        return None, None
    tag, data = packed[0], packed[1:]
    try:
        blob = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None, None
    native, sep, sig_bytes = blob.partition(b"\0")
    if not sep:
        return None, None
    try:
        native_id = native.decode() or None
        if not sig_bytes:
            return native_id, None
        signature = base64.b64encode(sig_bytes).decode() if tag == "r" else sig_bytes.decode()
    except UnicodeDecodeError:
        return None, None
    return native_id, signature
