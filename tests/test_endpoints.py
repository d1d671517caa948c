"""Upstream URL building for both flavours (docs/vertex.md)."""

from __future__ import annotations

import pytest

from adapter.endpoints import Endpoints, vertex_base

GEMINI = Endpoints("gemini", "https://generativelanguage.googleapis.com")
VERTEX = Endpoints("vertex", "https://x", "my-proj", "europe-west4")
EXPRESS = Endpoints("vertex", "https://aiplatform.googleapis.com")


@pytest.mark.parametrize(
    ("location", "base"),
    [
        ("global", "https://aiplatform.googleapis.com"),
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_vertex_base(location: str, base: str) -> None:
    assert vertex_base(location) == base


@pytest.mark.parametrize(
    ("endpoints", "call", "path"),
    [
        (GEMINI, ("m", False), "/v1beta/models/m:generateContent"),
        (GEMINI, ("m", True), "/v1beta/models/m:streamGenerateContent?alt=sse"),
        (
            VERTEX,
            ("gemini-2.5-flash", False),
            "/v1/projects/my-proj/locations/europe-west4/publishers/google/models/"
            "gemini-2.5-flash:generateContent",
        ),
        (
            VERTEX,
            ("m", True),
            "/v1/projects/my-proj/locations/europe-west4/publishers/google/models/"
            "m:streamGenerateContent?alt=sse",
        ),
        (EXPRESS, ("m", False), "/v1/publishers/google/models/m:generateContent"),
        (
            VERTEX,
            ("a/b", False),
            "/v1/projects/my-proj/locations/europe-west4/publishers/google/models/a%2Fb:generateContent",
        ),
    ],
)
def test_generate_paths(endpoints: Endpoints, call: tuple[str, bool], path: str) -> None:
    assert endpoints.generate(*call) == path


def test_other_methods_and_lists() -> None:
    scoped = "/v1/projects/my-proj/locations/europe-west4/publishers/google/models/"
    assert VERTEX.model("text-embedding-005", "predict") == f"{scoped}text-embedding-005:predict"
    assert VERTEX.model("m", "countTokens") == f"{scoped}m:countTokens"
    assert GEMINI.model("e", "batchEmbedContents") == "/v1beta/models/e:batchEmbedContents"
    assert VERTEX.model_list() == ("/v1beta1/publishers/google/models", "pageSize=1000")
    assert GEMINI.model_list() == ("/v1beta/models", "pageSize=1000")
    assert VERTEX.model_info("m") == "/v1beta1/publishers/google/models/m"
    assert Endpoints("gemini", "https://p/v1beta").model("m", "x") == "/models/m:x"


@pytest.mark.parametrize(
    ("endpoints", "path", "forwarded"),
    [
        # express form -> the adapter's project
        (
            VERTEX,
            "/v1beta1/publishers/google/models/m:generateContent",
            "/v1beta1/projects/my-proj/locations/europe-west4/publishers/google/models/"
            "m:generateContent",
        ),
        # the caller's own project path is kept
        (
            VERTEX,
            "/v1/projects/other/locations/us-east1/publishers/google/models/m:generateContent",
            "/v1/projects/other/locations/us-east1/publishers/google/models/m:generateContent",
        ),
        # the model list is not project-scoped
        (VERTEX, "/v1beta1/publishers/google/models", "/v1beta1/publishers/google/models"),
        # express mode (no project) and the Gemini API: unchanged
        (
            EXPRESS,
            "/v1/publishers/google/models/m:generateContent",
            "/v1/publishers/google/models/m:generateContent",
        ),
        (GEMINI, "/v1beta/models/m:generateContent", "/v1beta/models/m:generateContent"),
    ],
)
def test_passthrough_paths(endpoints: Endpoints, path: str, forwarded: str) -> None:
    assert endpoints.passthrough(path) == forwarded
