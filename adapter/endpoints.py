"""Upstream paths: where each native call goes, for the Gemini API and for Vertex AI.

Pure string building, no I/O. The Gemini API (generativelanguage.googleapis.com) names a
model `v1beta/models/{model}`; Vertex AI names a Google model
`v1/projects/{project}/locations/{location}/publishers/google/models/{model}`, or, for
express-mode API keys (no project), `v1/publishers/google/models/{model}`. Sources:
https://ai.google.dev/api/generate-content and
https://cloud.google.com/vertex-ai/generative-ai/docs/start/express-mode/vertex-ai-express-mode-api-reference
(the same choices as the google-genai SDK's `_api_client.py`). See docs/vertex.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import quote

GEMINI = "gemini"
VERTEX = "vertex"
# Multi-region locations served from their own regional-endpoint host (google-genai does the same).
_MULTI_REGIONS = frozenset({"us", "eu"})
# `projects/{p}/locations/{l}/` inside a Vertex path, and the express form without it.
_PROJECT_SCOPED = re.compile(r"^/(v1|v1beta1)/projects/[^/]+/locations/[^/]+/")
_EXPRESS_MODEL = re.compile(r"^/(v1|v1beta1)/(publishers/google/models/[^/]+:[A-Za-z]+)$")


def vertex_base(location: str) -> str:
    """The public host for a location: `global` -> aiplatform.googleapis.com, `us-central1`
    -> us-central1-aiplatform.googleapis.com, `us`/`eu` -> aiplatform.{l}.rep.googleapis.com."""
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in _MULTI_REGIONS:
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def native_url(base: str, model: str, stream: bool) -> str:
    """The Gemini API generate URL (kept for callers that only know the Gemini flavour)."""
    endpoints = Endpoints(GEMINI, base)
    return base.rstrip("/") + endpoints.generate(model, stream)


@dataclass(frozen=True)
class Endpoints:
    """Paths (with query) relative to `base`, for one upstream flavour.

    `project` is None on Vertex in express mode (API key without a project): model calls then
    use the project-less `publishers/google/models/{model}` form.
    """

    flavour: str
    base: str
    project: str | None = None
    location: str = "global"

    @property
    def is_vertex(self) -> bool:
        return self.flavour == VERTEX

    def with_project(self, project: str | None) -> Endpoints:
        return replace(self, project=project)

    def model(self, model: str, method: str) -> str:
        """`generateContent`, `countTokens`, `predict`, `batchEmbedContents`, ... on a model."""
        name = quote(model, safe="")
        if not self.is_vertex:
            versioned = self.base.rstrip("/").endswith(("/v1beta", "/v1", "/v1alpha"))
            version = "" if versioned else "/v1beta"
            return f"{version}/models/{name}:{method}"
        return f"/v1{self._scope()}/publishers/google/models/{name}:{method}"

    def generate(self, model: str, stream: bool) -> str:
        if stream:
            return self.model(model, "streamGenerateContent") + "?alt=sse"
        return self.model(model, "generateContent")

    def model_list(self) -> tuple[str, str]:
        """(path, query) of the model list: Gemini's models, or Vertex's Google publisher models
        (`GET v1beta1/publishers/google/models`, the Model Garden list, not project-scoped)."""
        if self.is_vertex:
            return "/v1beta1/publishers/google/models", "pageSize=1000"
        return "/v1beta/models", "pageSize=1000"

    def model_info(self, model: str) -> str:
        name = quote(model, safe="")
        if self.is_vertex:
            return f"/v1beta1/publishers/google/models/{name}"
        return f"/v1beta/models/{name}"

    def passthrough(self, path: str) -> str:
        """A native path a caller sent, as forwarded upstream.

        On Vertex with a project, an express-form model call (`/v1/publishers/google/models/
        m:generateContent`, what google-genai sends with `vertexai=True` and an API key) gets
        the adapter's project and location, so an express-configured client can use an adapter
        holding service-account credentials. Project-scoped paths go as the caller wrote them.
        """
        if self.is_vertex and self.project and not _PROJECT_SCOPED.match(path):
            match = _EXPRESS_MODEL.match(path)
            if match:
                return f"/{match.group(1)}{self._scope()}/{match.group(2)}"
        return path

    def _scope(self) -> str:
        if self.project is None:
            return ""
        return f"/projects/{quote(self.project, safe='')}/locations/{quote(self.location, safe='')}"
