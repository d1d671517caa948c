"""Upstream credentials: the headers that authenticate each native call.

Two providers with one interface (`start()`, then `await headers(key)` per call, giving the
complete headers of a JSON call: auth and `Content-Type`):

- `StaticKey`: an API key (the caller's, or the server's `GEMINI_API_KEY`), sent as
  `x-goog-api-key` or `Authorization: Bearer` (the Gemini API, Vertex express mode).
- `GoogleCredentials`: OAuth access tokens from google-auth's Application Default Credentials
  (`GOOGLE_APPLICATION_CREDENTIALS` service-account or workload-identity-federation file,
  `gcloud auth application-default login`, the GCE/GKE metadata server), for Vertex AI.
  Tokens are cached and refreshed ahead of expiry; google-auth's refresh is blocking I/O, so
  it runs in a worker thread (`asyncio.to_thread`), and concurrent callers share one refresh.

ADC: https://cloud.google.com/docs/authentication/application-default-credentials
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from adapter.config import Config
from adapter.errors import AdapterError

log = logging.getLogger("adapter.credentials")

JSON = "application/json"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# Refresh this long before expiry (google-auth's own clients use 3 min 45 s); a token whose
# lifetime is shorter is refreshed at half its lifetime instead.
REFRESH_MARGIN_S = 300.0
# Never send a token this close to its expiry: wait for the refresh instead.
MIN_REMAINING_S = 10.0
# After a failed background refresh, the next try waits this long (while the token lasts).
RETRY_REFRESH_S = 5.0
# A token without an expiry (rare: some metadata servers) is refetched this often.
NO_EXPIRY_LIFETIME_S = 1800.0


class CredentialsError(Exception):
    """No usable Google credentials or no project; the message is one line saying which."""


def find_google_credentials(project: str | None) -> str:
    """Start-up check of Application Default Credentials (no token is fetched): the project
    calls go to, `project` or else the credentials' own. Raises CredentialsError."""
    import google.auth.exceptions

    try:
        _, found = _default_loader()
    except google.auth.exceptions.GoogleAuthError as exc:
        raise CredentialsError(
            f"no Google credentials for Vertex AI ({exc}); set GOOGLE_APPLICATION_CREDENTIALS, "
            "run `gcloud auth application-default login`, or run on GCP with a service account "
            "(docs/vertex.md)"
        ) from None
    chosen = project or found
    if not chosen:
        raise CredentialsError(
            "no Vertex AI project: pass --vertex-project or set GOOGLE_CLOUD_PROJECT"
        )
    return chosen


class UpstreamAuth(Protocol):
    project: str | None

    async def start(self) -> None: ...

    async def headers(self, key: str) -> dict[str, str]: ...


class StaticKey:
    """An API key per call: `x-goog-api-key: K` or `Authorization: Bearer K`."""

    project: str | None = None

    def __init__(self, scheme: str = "x-goog-api-key"):
        self._bearer = scheme == "bearer"

    async def start(self) -> None:
        return None

    async def headers(self, key: str) -> dict[str, str]:
        if self._bearer:
            return {"Authorization": f"Bearer {key}", "Content-Type": JSON}
        return {"x-goog-api-key": key, "Content-Type": JSON}


def _default_loader() -> tuple[Any, str | None]:
    import google.auth

    credentials, project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    return credentials, project


class GoogleCredentials:
    """Application Default Credentials as a cached, single-flight token source.

    `headers()` answers from the cache while the token has more than the refresh margin left;
    inside the margin it still answers from the cache and starts one background refresh; a
    token about to expire (or none yet) makes callers wait for that one refresh. The caller's
    key is ignored: callers are checked against `ADAPTER_API_KEYS` before this is asked.

    Raises `AdapterError(502, code="upstream_credentials")` when no token can be had (the
    token endpoint refused, or is unreachable, and no usable cached token is left).
    """

    def __init__(
        self,
        loader: Callable[[], tuple[Any, str | None]] = _default_loader,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ):
        self._loader = loader
        self._margin = refresh_margin_s
        self._credentials: Any = None
        self._request: Any = None
        self.project: str | None = None
        self._headers: dict[str, str] | None = None
        self._refresh_at = 0.0  # wall-clock seconds
        self._usable_until = 0.0
        self._refreshing: asyncio.Task[dict[str, str]] | None = None

    async def start(self) -> None:
        """Find the credentials (ADC may probe the metadata server) and fetch a first token,
        so a broken setup fails at start-up rather than on the first request."""
        self._credentials, self.project = await asyncio.to_thread(self._loader)
        import google.auth.transport.requests

        self._request = google.auth.transport.requests.Request()
        await self._refresh()

    async def headers(self, key: str) -> dict[str, str]:
        cached = self._headers
        now = time.time()
        if cached is not None and now < self._refresh_at:
            return cached
        if cached is not None and now < self._usable_until:
            self._refresh_soon()
            return cached
        return await self._refresh()

    def _refresh_soon(self) -> None:
        if self._refreshing is None:
            task = self._start_refresh()
            task.add_done_callback(_log_failure)

    async def _refresh(self) -> dict[str, str]:
        task = self._refreshing or self._start_refresh()
        # Shielded: a caller that goes away must not cancel the refresh the others await.
        return await asyncio.shield(task)

    def _start_refresh(self) -> asyncio.Task[dict[str, str]]:
        task = asyncio.get_running_loop().create_task(self._fetch())
        self._refreshing = task
        return task

    async def _fetch(self) -> dict[str, str]:
        try:
            headers, expiry = await asyncio.to_thread(self._refresh_blocking)
        except Exception as exc:  # google-auth raises RefreshError, TransportError, ...
            log.warning("access token refresh failed: %s: %s", type(exc).__name__, exc)
            now = time.time()
            if self._headers is not None and now < self._usable_until:
                # Keep the token a while longer; try again in a few seconds, not per request.
                self._refresh_at = min(now + RETRY_REFRESH_S, self._usable_until)
                return self._headers
            raise AdapterError(
                502,
                f"Could not get an access token for the upstream ({type(exc).__name__}); "
                "see the adapter's log.",
                code="upstream_credentials",
            ) from None
        finally:
            self._refreshing = None
        now = time.time()
        lifetime = max(expiry - now, 0.0) if expiry is not None else NO_EXPIRY_LIFETIME_S
        expires = now + lifetime
        self._refresh_at = expires - min(self._margin, lifetime / 2)
        self._usable_until = expires - min(MIN_REMAINING_S, lifetime / 4)
        self._headers = headers
        return headers

    def _refresh_blocking(self) -> tuple[dict[str, str], float | None]:
        """In a worker thread: google-auth's refresh, then the headers it would send."""
        credentials = self._credentials
        credentials.refresh(self._request)
        headers = {"Content-Type": JSON}
        credentials.apply(headers)  # authorization, and x-goog-user-project if configured
        expiry: datetime.datetime | None = credentials.expiry
        if expiry is None:
            return headers, None
        return headers, expiry.replace(tzinfo=datetime.UTC).timestamp()


def _log_failure(task: asyncio.Task[dict[str, str]]) -> None:
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()  # the failure was logged in _fetch; this marks it retrieved


def upstream_auth(config: Config) -> UpstreamAuth:
    """The provider for a configuration (docs/vertex.md): Google credentials on Vertex unless
    an API key is configured (express mode) or the built-in emulator stands in for Vertex,
    which then gets the key as Vertex express mode does."""
    if config.uses_google_credentials:
        return GoogleCredentials()
    if config.upstream == "vertex":
        return StaticKey("x-goog-api-key")
    return StaticKey(config.upstream_auth)
