"""OpenAI function names -> names Gemini accepts, and back (docs/translation.md, "Names").

OpenAI allows any name its clients send (`1c_probe`, `-x`, `weather lookup`); Gemini wants a
name that starts with a letter or `_`, then letters, digits, `_ . : -`, at most 64 characters
(the FunctionDeclaration docs; the limit is the stricter of the 64 and 128 Google documents
in different places). A name Gemini refuses is given a native stand-in, and every native
name in the reply is mapped back. The mapping is stateless: it is computed from the request's
own declared function names, so the same request always maps the same way, and carried to
the reply translator in `NativeRequest.tool_names`.

Stand-ins: invalid characters become `_`, a leading character that is not a letter or `_`
gets a `_` in front, and a name that is too long, or that would collide with another
declared name, is cut and given a short hash of the original name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

MAX_NATIVE_NAME = 64
_NATIVE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
_INVALID_CHAR = re.compile(r"[^A-Za-z0-9_.:-]")


def is_native_name(name: str) -> bool:
    """True when Gemini accepts `name` as it is (the whole string: no trailing newline)."""
    return _NATIVE_NAME.fullmatch(name) is not None


def _hashed(name: str, base: str) -> str:
    digest = hashlib.blake2s(name.encode(), digest_size=4).hexdigest()
    return f"{base[: MAX_NATIVE_NAME - 9]}_{digest}"


def native_name(name: str) -> str:
    """The stand-in for one name, ignoring the other names (see `native_names`)."""
    if is_native_name(name):
        return name
    base = _INVALID_CHAR.sub("_", name)
    if not base[:1].isascii() or not (base[:1].isalpha() or base[:1] == "_"):
        base = "_" + base
    if len(base) > MAX_NATIVE_NAME or base != "_" + name and base != name:
        # Characters were replaced (or the name is long): another name may sanitise to the
        # same text, so a hash of the original keeps stand-ins apart.
        return _hashed(name, base)
    return base


def native_names(names: Iterable[str]) -> dict[str, str]:
    """OpenAI name -> native name for the names that need a stand-in (valid names are absent).

    Deterministic for a given list; stand-ins never equal another declared name or each
    other.
    """
    names = list(dict.fromkeys(names))
    taken = {name for name in names if is_native_name(name)}
    mapping: dict[str, str] = {}
    for name in names:
        if name in taken:
            continue
        candidate = native_name(name)
        if candidate in taken:
            candidate = _hashed(name, candidate)
        while candidate in taken:  # astronomically rare: rehash until free
            candidate = _hashed(candidate, candidate)
        taken.add(candidate)
        mapping[name] = candidate
    return mapping


def to_native(name: str, mapping: Mapping[str, str]) -> str:
    """The native name for an OpenAI name: its stand-in, or a stand-in made for it alone
    (a history call to a function no longer declared must still be a valid native name)."""
    mapped = mapping.get(name)
    if mapped is not None:
        return mapped
    return native_name(name)


def reverse(mapping: Mapping[str, str]) -> dict[str, str]:
    """native -> OpenAI, what the reply translators need."""
    return {native: original for original, native in mapping.items()}
