"""Tests for adapter.fetch: the SSRF guard, limits and media typing, against a real local server."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from adapter import fetch
from adapter.fetch import (
    FetchPolicy,
    FetchRefused,
    fetch_media,
    is_public_address,
    new_fetch_session,
    sniff_mime,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
CAP = 64 * 1024  # small cap so oversize bodies are cheap to produce

# The server is on loopback, so every fetch that should reach it needs an exemption.
OPEN = FetchPolicy(allow_private=True, max_bytes=CAP, timeout_s=2.0)


@dataclass
class LocalServer:
    port: int
    paths: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _build_app(seen: list[str]) -> Starlette:
    async def png(request: Request) -> Response:
        return Response(PNG, media_type="image/png")

    async def jpeg_untyped(request: Request) -> Response:
        return Response(JPEG)  # Starlette sends no Content-Type without a media_type

    async def typed_with_params(request: Request) -> Response:
        return Response(
            b"GIF89a" + bytes(10), headers={"content-type": "Image/GIF; charset=binary"}
        )

    async def opaque(request: Request) -> Response:
        # Not magic bytes of anything: only the path's extension can say what it is.
        return Response(b"\x00\x01\x02\x03" * 8, media_type="application/octet-stream")

    async def big_announced(request: Request) -> StreamingResponse:
        # Announces a huge body, then trickles: a client that starts reading
        # instead of refusing on the header runs into the timeout.
        return StreamingResponse(
            _trickle(), media_type="image/png", headers={"content-length": str(10**9)}
        )

    async def big_chunked(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(CAP // 8192 * 4):  # four times the cap, then stop
                yield b"\x89" * 8192

        return StreamingResponse(body(), media_type="image/png")

    async def slow(request: Request) -> StreamingResponse:
        return StreamingResponse(_trickle(), media_type="image/png")

    async def missing(request: Request) -> Response:
        return Response(b"nope", status_code=404, media_type="text/plain")

    async def hop(request: Request) -> Response:
        n = int(request.path_params["n"])
        if n == 0:
            return Response(PNG, media_type="image/png")
        return RedirectResponse(f"/hop/{n - 1}", status_code=302)  # relative Location

    async def redirect_to(request: Request) -> Response:
        return RedirectResponse(request.query_params["u"], status_code=307)

    app = Starlette(
        routes=[
            Route("/x.png", png),
            Route("/photo", jpeg_untyped),
            Route("/gif", typed_with_params),
            Route("/mystery.png", opaque),
            Route("/blob", opaque),
            Route("/big-announced", big_announced),
            Route("/big-chunked", big_chunked),
            Route("/slow", slow),
            Route("/missing.png", missing),
            Route("/hop/{n}", hop),
            Route("/to", redirect_to),
        ]
    )

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await app(scope, receive, send)

    return recorder  # type: ignore[return-value]


async def _trickle() -> AsyncIterator[bytes]:
    yield PNG[:8]
    for _ in range(30):  # bounded, so a server left streaming still ends within 3 s
        await asyncio.sleep(0.1)
        yield b"\x00"


@pytest.fixture(scope="module")
def server_thread() -> Iterator[LocalServer]:
    # The server runs in its own thread and loop, so it answers whatever loop
    # the tests run in, and a handler still streaming cannot stall a test.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    local = LocalServer(port=sock.getsockname()[1])
    config = uvicorn.Config(
        _build_app(local.paths),
        log_level="critical",
        lifespan="off",
        http="h11",
        timeout_graceful_shutdown=1,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(uv.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "test server did not start"
        time.sleep(0.005)
    yield local
    uv.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def server(server_thread: LocalServer) -> LocalServer:
    server_thread.paths.clear()
    return server_thread


async def _refusal(url: str, policy: FetchPolicy) -> FetchRefused:
    return await _refusal_with(url, policy, None)


async def _refusal_with(
    url: str, policy: FetchPolicy, session: aiohttp.ClientSession | None
) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        await fetch_media(url, policy, session=session)
    return info.value


# --------------------------------------------------------------------------
# Address classifier


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("1.1.1.1", True),
        ("2001:4860:4860::8888", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),  # mapped public stays public
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("127.0.0.1", False),
        ("127.255.255.254", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("169.254.0.1", False),
        ("fe80::1", False),
        ("fe80::1%2", False),
        ("100.64.0.1", False),  # CGNAT
        ("100.127.255.254", False),
        ("fc00::1", False),  # ULA
        ("fd00:ec2::254", False),  # AWS metadata over IPv6
        ("fec0::1", False),  # deprecated site-local
        ("0.0.0.0", False),
        ("::", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("ff02::1", False),
        ("ff0e::1", False),
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:100.64.0.1", False),
        ("::127.0.0.1", False),  # deprecated IPv4-compatible
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("2001:db8::1", False),  # documentation
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


# --------------------------------------------------------------------------
# Refusals that happen before any connection


async def test_default_policy_refuses_loopback_before_connecting(server: LocalServer) -> None:
    refusal = await _refusal(server.url("/x.png"), FetchPolicy())
    assert refusal.reason == "non_public_address"
    assert server.paths == []


@pytest.mark.parametrize(
    "host",
    ["[::1]", "[::ffff:127.0.0.1]", "127.0.0.1.", "localhost", "LOCALHOST."],
)
async def test_default_policy_refuses_loopback_spellings(server: LocalServer, host: str) -> None:
    refusal = await _refusal(server.url("/x.png", host=host), FetchPolicy())
    assert refusal.reason == "non_public_address"
    assert server.paths == []


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fd00:ec2::254]/"],
)
async def test_private_literals_refused(url: str) -> None:
    # Refused by address alone: there is no network here, so reaching the
    # connect step would give "connect" or "timeout" instead.
    assert (await _refusal(url, FetchPolicy(timeout_s=0.5))).reason == "non_public_address"


@pytest.mark.parametrize(
    "host", ["0x7f.1", "0x7f000001", "2130706433", "127.1", "0177.0.0.1", "127.0.0.0x1", "1.2.3"]
)
async def test_odd_numeric_hosts_refused_even_when_private_is_allowed(
    server: LocalServer, host: str
) -> None:
    refusal = await _refusal(server.url("/x.png", host=host), OPEN)
    assert refusal.reason == "bad_host"
    assert server.paths == []


@pytest.mark.parametrize("url", ["ftp://example.com/a.png", "file:///etc/passwd", "gopher://x/"])
async def test_non_http_schemes_refused(url: str) -> None:
    assert (await _refusal(url, OPEN)).reason == "bad_scheme"


async def test_disabled_policy_refuses_everything(server: LocalServer) -> None:
    refusal = await _refusal(server.url("/x.png"), FetchPolicy(enabled=False, allow_private=True))
    assert refusal.reason == "disabled"
    assert server.paths == []


async def test_dns_answer_is_pinned_not_looked_up_again(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebinding DNS server gets asked once; the connection goes where the check looked.

    The first answer, 127.0.0.2, is declared public for this test; nothing
    listens on 127.0.0.2:port, so the fetch must fail to connect. A second
    lookup would get 127.0.0.1 and reach the server.
    """
    loop = asyncio.get_running_loop()
    real_getaddrinfo = loop.getaddrinfo
    lookups: list[str] = []

    async def rebinding_getaddrinfo(host: Any, port: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return await real_getaddrinfo(host, port, **kwargs)
        lookups.append(host)
        answer = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port))]

    real_is_public = fetch.is_public_address
    monkeypatch.setattr(loop, "getaddrinfo", rebinding_getaddrinfo)
    monkeypatch.setattr(
        fetch, "is_public_address", lambda ip: str(ip) == "127.0.0.2" or real_is_public(ip)
    )

    refusal = await _refusal(server.url("/x.png", host="rebind.example"), FetchPolicy())
    assert refusal.reason == "connect"
    assert lookups == ["rebind.example"]
    assert server.paths == []


async def test_session_from_elsewhere_is_not_used(
    server: LocalServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain session would resolve the name itself, so the guard sets it
    # aside: it must never carry a request, and the fetch still works.
    monkeypatch.setattr(fetch, "_foreign_session_warned", False)
    caplog.set_level(logging.WARNING, logger="adapter.fetch")
    carried: list[str] = []

    async def on_request_start(session: Any, context: Any, params: Any) -> None:
        carried.append(str(params.url))

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[tracing]) as plain:
        refusal = await _refusal_with(server.url("/x.png"), FetchPolicy(), plain)
        media = await fetch_media(server.url("/x.png"), OPEN, session=plain)
    assert refusal.reason == "non_public_address"
    assert media.data == PNG
    assert carried == []
    assert caplog.text.count("new_fetch_session") == 1  # warned once, not per call


# --------------------------------------------------------------------------
# Allow-list


async def test_allow_hosts_ip_passes(server: LocalServer) -> None:
    media = await fetch_media(
        server.url("/x.png"), FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    )
    assert media.data == PNG


async def test_allow_hosts_name_passes_case_insensitively(server: LocalServer) -> None:
    policy = FetchPolicy(allow_hosts=frozenset({"LocalHost."}))
    media = await fetch_media(server.url("/x.png", host="localhost"), policy)
    assert (media.mime_type, media.data) == ("image/png", PNG)


async def test_allow_hosts_entry_exempts_only_that_host(server: LocalServer) -> None:
    policy = FetchPolicy(allow_hosts=frozenset({"localhost"}))
    refusal = await _refusal(server.url("/x.png"), policy)  # 127.0.0.1 is not "localhost"
    assert refusal.reason == "non_public_address"


# --------------------------------------------------------------------------
# Successful fetches and media typing


async def test_png_with_content_type(server: LocalServer) -> None:
    media = await fetch_media(server.url("/x.png"), OPEN)
    assert (media.mime_type, media.data) == ("image/png", PNG)
    assert server.paths == ["/x.png"]


async def test_jpeg_without_content_type_is_sniffed(server: LocalServer) -> None:
    media = await fetch_media(server.url("/photo"), OPEN)
    assert (media.mime_type, media.data) == ("image/jpeg", JPEG)


async def test_content_type_parameters_dropped(server: LocalServer) -> None:
    assert (await fetch_media(server.url("/gif"), OPEN)).mime_type == "image/gif"


async def test_octet_stream_falls_back_to_extension(server: LocalServer) -> None:
    assert (await fetch_media(server.url("/mystery.png"), OPEN)).mime_type == "image/png"


async def test_unknown_everything_is_octet_stream(server: LocalServer) -> None:
    assert (await fetch_media(server.url("/blob"), OPEN)).mime_type == "application/octet-stream"


async def test_shared_session_is_reusable(server: LocalServer) -> None:
    async with new_fetch_session() as session:
        first = await fetch_media(server.url("/x.png"), OPEN, session=session)
        second = await fetch_media(server.url("/photo"), OPEN, session=session)
    assert (first.mime_type, second.mime_type) == ("image/png", "image/jpeg")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"GIF87a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"ID3\x04\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64", "audio/mpeg"),  # MPEG-1 layer III frame
        (b"\xff\xf1\x50\x80", "audio/aac"),  # ADTS
        (b"OggS\x00\x02", "audio/ogg"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"\x1a\x45\xdf\xa3\x01", "video/webm"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", "video/quicktime"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"FORM\x00\x00\x00\x00AIFF", "audio/aiff"),
        (b"<html>", None),
        (b"\xff", None),
        (b"", None),
    ],
)
def test_sniff_mime(data: bytes, expected: str | None) -> None:
    assert sniff_mime(data) == expected


# --------------------------------------------------------------------------
# Limits and failures


async def test_announced_oversize_refused_before_reading(server: LocalServer) -> None:
    started = time.monotonic()
    refusal = await _refusal(server.url("/big-announced"), OPEN)
    # Reading the trickling body would have ended in a timeout after 2 s.
    assert refusal.reason == "too_large"
    assert time.monotonic() - started < 1.0


async def test_chunked_oversize_cut_off(server: LocalServer) -> None:
    refusal = await _refusal(server.url("/big-chunked"), OPEN)
    assert refusal.reason == "too_large"
    assert "65536 bytes" in str(refusal)


async def test_body_exactly_at_cap_is_accepted(server: LocalServer) -> None:
    media = await fetch_media(
        server.url("/x.png"), FetchPolicy(allow_private=True, max_bytes=len(PNG))
    )
    assert media.data == PNG
    refusal = await _refusal(
        server.url("/x.png"), FetchPolicy(allow_private=True, max_bytes=len(PNG) - 1)
    )
    assert refusal.reason == "too_large"


async def test_slow_body_times_out_in_total(server: LocalServer) -> None:
    # Bytes keep arriving every 0.1 s, so only a total deadline can end this.
    started = time.monotonic()
    refusal = await _refusal(server.url("/slow"), FetchPolicy(allow_private=True, timeout_s=0.5))
    elapsed = time.monotonic() - started
    assert refusal.reason == "timeout"
    assert "0.5 s" in str(refusal)
    assert 0.4 < elapsed < 1.5


async def test_http_error_status_refused(server: LocalServer) -> None:
    refusal = await _refusal(server.url("/missing.png"), OPEN)
    assert (refusal.reason, refusal.status) == ("status", 404)
    assert "404" in str(refusal)


async def test_connection_refused_is_reported(server: LocalServer) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert (await _refusal(f"http://127.0.0.1:{port}/", OPEN)).reason == "connect"


async def test_query_string_never_in_message_or_logs(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapter.fetch")
    refusal = await _refusal(server.url("/missing.png?token=s3cr3t-token"), OPEN)
    await fetch_media(server.url("/x.png?sig=s3cr3t-sig"), OPEN)
    await _refusal(server.url("/x.png?sig=s3cr3t-sig"), FetchPolicy())
    assert "s3cr3t" not in str(refusal)
    assert caplog.records, "the fetch should log something for the check to mean anything"
    assert "/missing.png" in caplog.text
    assert "s3cr3t" not in caplog.text


# --------------------------------------------------------------------------
# Redirects


@pytest.mark.parametrize("redirects", [2, 3])
async def test_redirect_chain_within_limit(server: LocalServer, redirects: int) -> None:
    media = await fetch_media(server.url(f"/hop/{redirects}"), OPEN)
    assert (media.mime_type, media.data) == ("image/png", PNG)
    assert server.paths == [f"/hop/{n}" for n in range(redirects, -1, -1)]


async def test_redirect_chain_over_limit_refused(server: LocalServer) -> None:
    refusal = await _refusal(server.url("/hop/4"), OPEN)
    assert refusal.reason == "too_many_redirects"
    assert server.paths == ["/hop/4", "/hop/3", "/hop/2", "/hop/1"]  # the 4th is never followed


async def test_redirect_to_other_host_is_rechecked(server: LocalServer) -> None:
    # The first hop is exempt by its IP; "localhost" is not on the list, so
    # the hop to it is refused although it is the very same server.
    target = server.url("/x.png", host="localhost")
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), timeout_s=2.0)
    refusal = await _refusal(server.url(f"/to?u={quote(target, safe='')}"), policy)
    assert refusal.reason == "non_public_address"
    assert server.paths == ["/to"]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "non_public_address"),
        ("http://[::ffff:a00:1]/", "non_public_address"),
        ("http://0x7f.1/", "bad_host"),
        ("file:///etc/passwd", "bad_scheme"),
    ],
)
async def test_redirect_to_refused_target(server: LocalServer, target: str, reason: str) -> None:
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), timeout_s=0.5)
    refusal = await _refusal(server.url(f"/to?u={quote(target, safe='')}"), policy)
    assert refusal.reason == reason
