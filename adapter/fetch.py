"""Fetching remote media for `image_url` parts (behaviour R3), behind an SSRF guard (behaviour E4).

Gemini wants media bytes inline, so the adapter downloads http(s) URLs that
clients put in a request. That makes the adapter an HTTP client that anyone
who can send a chat request gets to aim, which is what the guard is for: a
client must not be able to reach the adapter's own loopback services, the
private network around it, or a cloud metadata endpoint (169.254.169.254)
through it.

How a connection is pinned to the address that was checked
-----------------------------------------------------------
Every hop (the URL and each redirect target) is resolved exactly once, with
the event loop's ``getaddrinfo``; all the addresses it returns are classified,
and the fetch is refused if any one of them is not public. The checked
addresses are then handed to aiohttp through :class:`_PinnedResolver`, a
custom ``AbstractResolver`` that never does a lookup of its own: it answers
only from the addresses the current ``fetch_media`` call has checked, and
fails for anything else. So a DNS server that answers "public" to the check
and "127.0.0.1" a moment later (DNS rebinding) never gets asked twice.

The resolver route was chosen over "connect to the IP, send a ``Host`` header
and pass ``server_hostname``" because the URL aiohttp sees stays the real
one: the ``Host`` header, TLS SNI and certificate verification, the pool key
and redirect resolution all keep working exactly as aiohttp implements them,
with nothing to keep in sync by hand. The pins live in a ``ContextVar`` rather
than on the resolver, so one session can serve concurrent fetches; aiohttp
calls the resolver from the requesting task when its DNS cache is off, which
:func:`new_fetch_session` guarantees (a cached answer would skip the pins).

aiohttp does not consult the resolver for literal IP hosts; those are
classified here before any request is made, like resolved names.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import re
import socket
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from adapter.translate.media import sniff_mime

__all__ = [
    "FetchPolicy",
    "FetchRefused",
    "FetchedMedia",
    "fetch_media",
    "is_public_address",
    "new_fetch_session",
    "sniff_mime",
]

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RefusalReason = Literal[
    "disabled",
    "bad_url",
    "bad_scheme",
    "bad_host",
    "non_public_address",
    "unresolvable",
    "connect",
    "tls",
    "timeout",
    "status",
    "too_many_redirects",
    "too_large",
    "bad_response",
]


@dataclass(frozen=True)
class FetchPolicy:
    """What the adapter may fetch; built once from the command line."""

    enabled: bool = True  # --no-remote-fetch sets False
    # --fetch-allow-hosts: names (or IPs) exempt from the address check, for
    # deployments whose media really lives on a private host.
    allow_hosts: frozenset[str] = frozenset()
    allow_private: bool = False  # tests only: lets loopback/private through
    max_bytes: int = 20 * 1024 * 1024
    timeout_s: float = 10.0
    max_redirects: int = 3


class FetchRefused(Exception):
    """The URL was not fetched. ``str(exc)`` is safe to show to the client.

    Messages name the reason and at most the host name the client (or a
    redirect) gave; never a resolved IP (that would map the private network
    for the caller), a path or a query string (they may hold tokens).
    """

    def __init__(self, message: str, *, reason: RefusalReason, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason: RefusalReason = reason
        self.status = status


@dataclass(frozen=True)
class FetchedMedia:
    mime_type: str
    data: bytes


# --------------------------------------------------------------------------
# Address classification

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
# NAT64 prefixes: a translator would forward these to the embedded IPv4
# address, so 64:ff9b::10.0.0.1 is as private as 10.0.0.1.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """True if `ip` is a globally routable unicast address a client may make us reach.

    ``is_global`` alone is not enough on Python 3.11: it calls multicast and
    site-local IPv6 global, and it says nothing about IPv4 that is embedded in
    IPv6 (mapped, 6to4, NAT64), which the kernel or a translator would
    deliver to the embedded address.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip.sixtofour is not None and not is_public_address(ip.sixtofour):
            return False
        if ip in _NAT64_WELL_KNOWN:
            # The prefix sits inside ::/8, which `ipaddress` calls reserved;
            # judging the embedded address keeps DNS64 networks working.
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.is_site_local:
            return False
    elif ip in _CGNAT:
        return False
    if (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return False
    return ip.is_global


# --------------------------------------------------------------------------
# Host syntax

# WHATWG URL rule: a host whose last label is a number is parsed as IPv4,
# in any of the legacy forms (2130706433, 0x7f.1, 0177.0.0.1, 127.1) that
# inet_aton and hence getaddrinfo accept. Only plain dotted-quad is let
# through, so every IPv4 host is one `ipaddress` can classify as written.
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.IGNORECASE)


def _host_key(raw_host: str) -> str:
    """The form a host is compared and pinned under (aiohttp keeps one trailing dot)."""
    return raw_host.lower().rstrip(".")


def _literal_ip(url: URL) -> IPAddress | None:
    """The IP address if the URL's host is a literal; None for a DNS name; refuse odd forms."""
    host = (url.host or "").rstrip(".")
    raw = _host_key(url.raw_host or "")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise FetchRefused(
                "the URL's host is not a valid IPv6 address", reason="bad_host"
            ) from None
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        pass
    labels = raw.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        raise FetchRefused(
            "the URL's host is a numeric address in a non-standard form; "
            "write IPv4 addresses as four decimal numbers",
            reason="bad_host",
        )
    if len(raw) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise FetchRefused("the URL's host is not a valid host name", reason="bad_host")
    return None


def _is_allowed_host(key: str, literal: IPAddress | None, allow_hosts: frozenset[str]) -> bool:
    for entry in allow_hosts:
        entry = entry.strip().strip("[]")
        try:
            allowed_ip = ipaddress.ip_address(entry)
        except ValueError:
            allowed_ip = None
        if allowed_ip is not None:
            if literal is not None and literal == allowed_ip:
                return True
            continue
        try:
            # Normalise like the URL's host (case, IDNA) so "Bücher.example" matches.
            entry_key = _host_key(URL.build(scheme="http", host=entry.rstrip(".")).raw_host or "")
        except ValueError:
            continue
        if entry_key and entry_key == key:
            return True
    return False


# --------------------------------------------------------------------------
# Resolution and pinning

_PINNED: ContextVar[dict[str, tuple[str, ...]] | None] = ContextVar(
    "adapter_fetch_pins", default=None
)
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class _PinnedResolver(AbstractResolver):
    """Answers only with addresses the running fetch_media call has already checked."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        pins = _PINNED.get()
        addresses = pins.get(_host_key(host), ()) if pins is not None else ()
        results: list[ResolveResult] = []
        for address in addresses:
            addr_family = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family not in (socket.AF_UNSPEC, addr_family):
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=port,
                    family=addr_family,
                    proto=socket.IPPROTO_TCP,
                    flags=_NUMERIC_FLAGS,
                )
            )
        if not results:
            # Reaching here means a connection to a host nobody checked; an
            # OSError makes aiohttp fail the request instead of connecting.
            raise OSError(f"host {host!r} was not checked by the fetch guard")
        return results

    async def close(self) -> None:
        return None


class _PinnedConnector(aiohttp.TCPConnector):
    """A TCPConnector whose every lookup goes through the pins (no DNS cache to bypass them)."""

    def __init__(self) -> None:
        super().__init__(resolver=_PinnedResolver(), use_dns_cache=False)


def new_fetch_session() -> aiohttp.ClientSession:
    """A session fit for `fetch_media`, to share across calls (close it when done).

    No proxy from the environment (a proxy would resolve names itself, past
    the guard) and no cookie jar (cookies set by one client's URL must not
    ride along on another client's fetch). Share a session only among calls
    with the same policy: a pooled keep-alive connection is reused without a
    new check.
    """
    return aiohttp.ClientSession(
        connector=_PinnedConnector(),
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def _resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            host,
            port,
            type=socket.SOCK_STREAM,
            proto=socket.IPPROTO_TCP,
            flags=socket.AI_ADDRCONFIG,
        )
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"could not resolve host {host!r}", reason="unresolvable") from None
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchRefused(f"could not resolve host {host!r}", reason="unresolvable")
    return addresses


async def _check_and_pin(url: URL, policy: FetchPolicy, pins: dict[str, tuple[str, ...]]) -> None:
    """Refuse `url` unless its scheme and every address its host resolves to are acceptable."""
    if url.scheme not in ("http", "https"):
        raise FetchRefused("only http and https URLs can be fetched", reason="bad_scheme")
    if not url.raw_host:
        raise FetchRefused("the URL has no host", reason="bad_url")
    literal = _literal_ip(url)
    key = _host_key(url.raw_host)
    exempt = policy.allow_private or _is_allowed_host(key, literal, policy.allow_hosts)
    addresses = [literal] if literal is not None else await _resolve(key, url.port or 0)
    if not exempt and not all(is_public_address(ip) for ip in addresses):
        raise FetchRefused(
            f"host {url.host!r} resolves to a loopback, private or otherwise non-public "
            "address, which this server does not fetch from",
            reason="non_public_address",
        )
    pins[key] = tuple(str(ip) for ip in addresses)


# --------------------------------------------------------------------------
# Media type

_OPAQUE_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})

def _declared_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media_type = content_type.split(";", 1)[0].strip().lower()
    if "/" not in media_type or media_type in _OPAQUE_TYPES:
        return None
    return media_type


def _choose_mime(content_type: str | None, data: bytes, urls: list[URL]) -> str:
    declared = _declared_type(content_type)
    if declared:
        return declared
    sniffed = sniff_mime(data)
    if sniffed:
        return sniffed
    for url in urls:  # the final hop names the file best, then what the client wrote
        guessed, _ = mimetypes.guess_type(url.path, strict=False)
        if guessed:
            return guessed
    return "application/octet-stream"


# --------------------------------------------------------------------------
# The fetch

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HEADERS = {"User-Agent": "openai-gemini-adapter (media fetch)", "Accept": "*/*"}
_CHUNK = 64 * 1024


def _for_log(url: URL) -> str:
    """The URL without credentials, query or fragment: those may carry tokens."""
    try:
        return str(url.with_user(None).with_query(None).with_fragment(None))
    except ValueError:
        return "<unprintable url>"


def _size_text(n: int) -> str:
    return (
        f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n} bytes"
    )


async def fetch_media(
    url: str, policy: FetchPolicy, session: aiohttp.ClientSession | None = None
) -> FetchedMedia:
    """Download `url` for inlining, or raise FetchRefused saying why not.

    `session` is used only if it comes from :func:`new_fetch_session`. Any
    other session (say the upstream Gemini one) would resolve names itself,
    behind the guard's back, possibly from a DNS cache, so it is set aside
    with a one-time warning and the call gets its own short-lived session,
    as it does when `session` is None. Failing the request instead would
    turn a wiring mistake into an outage without making anything safer.
    `policy.timeout_s` bounds the whole call: lookups, connects, every
    redirect hop and the body.
    """
    if not policy.enabled:
        raise FetchRefused(
            "this server does not fetch remote media URLs; send the media inline as a data: URL",
            reason="disabled",
        )
    try:
        target = URL(url)
    except (ValueError, TypeError):
        raise FetchRefused("the media URL is not a valid URL", reason="bad_url") from None
    if session is not None and not isinstance(session.connector, _PinnedConnector):
        _warn_foreign_session()
        session = None

    pins: dict[str, tuple[str, ...]] = {}
    pin_token = _PINNED.set(pins)
    owned = session is None
    active = session if session is not None else new_fetch_session()
    try:
        async with asyncio.timeout(policy.timeout_s):
            return await _follow(target, policy, active, pins)
    except TimeoutError:
        # Also aiohttp's own timeouts, which subclass TimeoutError.
        refusal = FetchRefused(
            f"fetching the media took longer than {policy.timeout_s:g} s", reason="timeout"
        )
        log.info("media fetch refused (timeout): %s", _for_log(target))
        raise refusal from None
    except FetchRefused as exc:
        log.info("media fetch refused (%s): %s", exc.reason, _for_log(target))
        raise
    finally:
        _PINNED.reset(pin_token)
        if owned:
            await active.close()


_foreign_session_warned = False


def _warn_foreign_session() -> None:
    global _foreign_session_warned
    if not _foreign_session_warned:
        _foreign_session_warned = True
        log.warning(
            "fetch_media was given a session not made by new_fetch_session(); "
            "using a short-lived guarded session per fetch instead"
        )


async def _follow(
    url: URL, policy: FetchPolicy, session: aiohttp.ClientSession, pins: dict[str, tuple[str, ...]]
) -> FetchedMedia:
    visited: list[URL] = []
    # Redirects are followed here rather than by aiohttp so that each hop is
    # checked (and pinned) before anything connects to it.
    for _ in range(policy.max_redirects + 1):
        visited.append(url)
        await _check_and_pin(url, policy, pins)
        log.debug("media fetch: GET %s", _for_log(url))
        try:
            async with session.get(
                url,
                allow_redirects=False,
                headers=_HEADERS,
                timeout=aiohttp.ClientTimeout(total=policy.timeout_s),
            ) as resp:
                if resp.status in _REDIRECT_STATUSES:
                    url = _redirect_target(url, resp)
                    continue
                if not 200 <= resp.status < 300:
                    raise FetchRefused(
                        f"the media server answered HTTP {resp.status}",
                        reason="status",
                        status=resp.status,
                    )
                data = await _read_capped(resp, policy.max_bytes)
                content_type = resp.headers.get(aiohttp.hdrs.CONTENT_TYPE)
        except aiohttp.ClientError as exc:
            # `from None` and no exception text: aiohttp's messages carry the
            # full URL, query string included.
            log.debug("media fetch failed: %s: %s", type(exc).__name__, _for_log(url))
            raise _refusal_for(exc) from None
        return FetchedMedia(
            mime_type=_choose_mime(content_type, data, list(reversed(visited))), data=data
        )
    raise FetchRefused(
        f"the media URL redirected more than {policy.max_redirects} times",
        reason="too_many_redirects",
    )


def _redirect_target(url: URL, resp: aiohttp.ClientResponse) -> URL:
    location = resp.headers.get(aiohttp.hdrs.LOCATION)
    if not location:
        raise FetchRefused(
            f"the media server answered HTTP {resp.status} without a Location",
            reason="status",
            status=resp.status,
        )
    try:
        return url.join(URL(location)).with_fragment(None)
    except ValueError:
        raise FetchRefused(
            "the media server redirected to an invalid URL", reason="bad_response"
        ) from None


async def _read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    too_large = FetchRefused(
        f"the media is larger than the {_size_text(max_bytes)} limit", reason="too_large"
    )
    if resp.content_length is not None and resp.content_length > max_bytes:
        resp.close()  # don't download what we are about to refuse
        raise too_large
    # The cap is counted on decoded bytes, so a small gzip body cannot
    # inflate past it, and a chunked body is cut off as soon as it passes.
    body = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            resp.close()  # a half-read connection must not go back to the pool
            raise too_large
    return bytes(body)


def _refusal_for(exc: aiohttp.ClientError) -> FetchRefused:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return FetchRefused("could not resolve the media host", reason="unresolvable")
    if isinstance(exc, aiohttp.ClientSSLError):
        return FetchRefused(
            "TLS to the media server failed (certificate or handshake)", reason="tls"
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return FetchRefused("could not connect to the media server", reason="connect")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchRefused("the media URL is not a valid URL", reason="bad_url")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return FetchRefused("the media server sent a broken body", reason="bad_response")
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchRefused("the media server sent an invalid response", reason="bad_response")
    return FetchRefused("could not fetch the media", reason="connect")
