"""A local OAuth token endpoint and a throwaway service-account file pointing at it.

The adapter's real credential code (google-auth's service-account flow) signs a JWT assertion
with the file's private key and posts it to the file's `token_uri`; this endpoint verifies the
signature with the matching public key and the claims google-auth sets (issuer, audience,
scope, lifetime), then issues an access token. `check()` tells the emulator which bearer
tokens are valid: issued here and not yet expired.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always addresses the assertion to Google's token endpoint, whatever token_uri is.
AUDIENCE = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EMAIL = "adapter-test@test-project.iam.gserviceaccount.com"


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenServer:
    """Issues `ya29.test-N` tokens; `expires_in` and `delay_s` may be changed between calls."""

    def __init__(self, expires_in: int = 3600, delay_s: float = 0.0):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.expires_in = expires_in
        self.delay_s = delay_s
        self.fail = False  # answer invalid_grant, as Google does for a revoked key
        self.fetches = 0
        self.rejected: list[str] = []
        self.issued: dict[str, float] = {}
        self._counter = itertools.count(1)

    def check(self, token: str) -> bool:
        expiry = self.issued.get(token)
        return expiry is not None and time.time() < expiry

    def service_account_file(self, directory: Path, token_uri: str) -> Path:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        info = {
            "type": "service_account",
            "project_id": "test-project",
            "private_key_id": "test-key-1",
            "private_key": pem,
            "client_email": EMAIL,
            "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        }
        path = directory / "service-account.json"
        path.write_text(json.dumps(info))
        return path

    def _verify(self, assertion: str) -> str | None:
        """None if the assertion is good, else why not."""
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims: dict[str, Any] = json.loads(_b64decode(payload_b64))
        except ValueError:
            return "malformed assertion"
        if header.get("alg") != "RS256" or header.get("kid") != "test-key-1":
            return f"unexpected header {header}"
        try:
            self.key.public_key().verify(
                _b64decode(signature_b64),
                f"{header_b64}.{payload_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return "bad signature"
        now = time.time()
        if claims.get("iss") != EMAIL or claims.get("aud") != AUDIENCE:
            return f"wrong issuer or audience {claims}"
        if SCOPE not in str(claims.get("scope", "")).split():
            return f"missing scope {claims.get('scope')}"
        if not claims.get("iat", 0) - 60 <= now < claims.get("exp", 0):
            return "assertion outside its lifetime"
        return None

    async def token(self, request: Request) -> JSONResponse:
        form = parse_qs((await request.body()).decode())
        self.fetches += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        problem = None
        if form.get("grant_type") != [JWT_GRANT]:
            problem = f"grant_type {form.get('grant_type')}"
        else:
            problem = self._verify(form.get("assertion", [""])[0])
        if problem is None and self.fail:
            problem = "key revoked"
        if problem is not None:
            self.rejected.append(problem)
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400
            )
        token = f"ya29.test-{next(self._counter)}"
        self.issued[token] = time.time() + self.expires_in
        return JSONResponse(
            {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
        )

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/token", self.token, methods=["POST"])])
