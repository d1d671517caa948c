"""`POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart) -> Gemini image
models (generateContent, one image per call) or Imagen (`:predict`, up to 4 per call).

`n` images take as many calls as needed, run concurrently, at most MAX_CONCURRENT_CALLS at a
time; the first failure cancels the rest. Mapping: docs/images-audio.md.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.api.replies import adapter_headers, json_response
from adapter.body import read_form, read_json
from adapter.errors import AdapterError
from adapter.keys import upstream_key
from adapter.observability.context import record
from adapter.services import Services, services
from adapter.translate.images_audio.images import (
    ImageOut,
    ImagePlan,
    images_from_generate,
    images_from_predict,
    images_response,
    to_image_plan,
)
from adapter.translate.request import native_model_of

MAX_CONCURRENT_CALLS = 4


def _model(body: Any, svc: Services) -> str:
    return native_model_of(body, svc.config.model_aliases)


async def generations(request: Request) -> Response:
    svc = services(request)
    key = upstream_key(request, svc.config)
    body = await read_json(request, svc.config.max_body_bytes)
    plan = to_image_plan(body, _model(body, svc))
    return await _run(svc, request, key, plan)


async def edits(request: Request) -> Response:
    svc = services(request)
    key = upstream_key(request, svc.config)
    form = await read_form(request, svc.config.max_body_bytes)
    plan = to_image_plan(
        form.fields,
        _model(form.fields, svc),
        images=form.files.get("image", []),
        mask=form.file("mask"),
    )
    return await _run(svc, request, key, plan)


async def _run(svc: Services, request: Request, key: str, plan: ImagePlan) -> Response:
    retries = svc.upstream_retries(request)
    exchange = record(operation="generate_content", model=plan.model)
    limit = asyncio.Semaphore(MAX_CONCURRENT_CALLS)
    # Gemini's n calls share one body (edits carry the images): serialise it once.
    payloads = {id(native): orjson.dumps(native) for native in plan.calls}

    async def call(native: dict[str, Any]) -> tuple[list[ImageOut], dict[str, Any]]:
        async with limit:
            payload = payloads[id(native)]
            if plan.kind == "imagen":
                path = svc.upstream.endpoints.model(plan.model, "predict")
                reply = await svc.upstream.call_json("POST", path, key, payload)
                return images_from_predict(reply), {}
            reply = await svc.upstream.generate(plan.model, payload, key, retries=retries)
            return images_from_generate(reply), reply

    created = int(time.time())
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call(native)) for native in plan.calls]
    except* AdapterError as failures:
        raise failures.exceptions[0] from None
    results = [task.result() for task in tasks]
    if exchange is not None:
        exchange.saw_replies([native for _, native in results if native])
    images = [image for found, _ in results for image in found]
    reply = images_response(
        images,
        [native for _, native in results],
        created=created,
        response_format=plan.response_format,
    )
    adjusted = list(plan.adjusted)
    sent = reply.get("output_format")
    if plan.output_format and sent != plan.output_format and "output_format" not in adjusted:
        adjusted.append("output_format")
    return json_response(reply, adapter_headers(adjusted, None))


ROUTES = [
    Route("/v1/images/generations", generations, methods=["POST"]),
    Route("/images/generations", generations, methods=["POST"]),
    Route("/v1/images/edits", edits, methods=["POST"]),
    Route("/images/edits", edits, methods=["POST"]),
]
