"""Micro-benchmark of the pure translation functions, in µs per call.

    python bench/micro.py            # full (about 10-20 s)
    python bench/micro.py --quick    # fewer repeats

Cases (bodies from bench/fixtures/):
  - typical request  (chat_request.json)          OpenAI request dict -> native request dict
  - typical reply    (generate_content.json)      native reply dict  -> OpenAI completion dict
  - request + reply  (sum of the two)             target < 50 µs
  - one stream event (a mid-stream SSE event)     native chunk -> OpenAI chunk(s), target < 10 µs
  - whole 20-event stream, per event (incl. first/last event and finish)
  - 100-message tool conversation request (tool_conversation_100.json)
plus "wire" variants that include orjson parse/serialize around the same calls.

Timing: timeit with autorange, best of N repeats (the minimum is the least
disturbed by the machine; the median is printed too).

The adapter's call sites are isolated in the small ``call_*`` / ``make_*``
functions below, so an API change means editing one function. A case whose
import or call fails is skipped with the reason; it never aborts the others.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import json
import statistics
import sys
import timeit
import traceback
from collections.abc import Callable
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = HERE / "fixtures"
MODEL = "gemini-2.5-flash"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


class Skip(Exception):
    """A case cannot run (import failed, API not there yet...)."""


def load_json(name: str):
    return json.loads((FIXTURES / name).read_text())


def sse_events(name: str = "stream_generate_content.sse") -> list[bytes]:
    raw = (FIXTURES / name).read_bytes()
    return [e[len(b"data: ") :] for e in raw.split(b"\r\n\r\n") if e.startswith(b"data: ")]


# Values offered to required parameters we do not know about yet, by name.
KNOWN_ARGS = {
    "model": MODEL,
    "requested_model": MODEL,
    "model_name": MODEL,
    "created": 1_764_115_200,
    "id": "chatcmpl-bench",
    "completion_id": "chatcmpl-bench",
    "request_id": "chatcmpl-bench",
    "fallback_id": "chatcmpl-bench",
    "include_usage": True,
}


def extra_kwargs(fn: Callable, n_positional: int, **offered) -> dict:
    """Keyword values for fn's required parameters after the first
    n_positional ones, taken by name from `offered` / KNOWN_ARGS."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}
    params = [p for p in sig.parameters.values() if p.name != "self"]
    pool = {**KNOWN_ARGS, **offered}
    kwargs = {}
    for p in params[n_positional:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in pool and p.kind != p.POSITIONAL_ONLY:
            kwargs[p.name] = pool[p.name]
        elif p.default is p.empty:
            raise Skip(
                f"{getattr(fn, '__qualname__', fn)}{sig}: don't know what to pass "
                f"for {p.name!r} (edit the call site in bench/micro.py)"
            )
    return kwargs


# --------------------------------------------------------------------------- call sites
# The only places that know the adapter's API. Edit these when it settles.


def make_request_ctx(body: dict):
    """The ctx argument of to_native_request (None if the module has no ctx type)."""
    import adapter.translate.request as mod

    for name in ("TranslationContext", "RequestContext", "Context", "Ctx"):
        cls = getattr(mod, name, None)
        if cls is None:
            continue
        for kwargs in ({}, {"model": body.get("model", MODEL)}):
            try:
                return cls(**kwargs)
            except TypeError:
                continue
    return None


def request_fn(sample: dict) -> Callable[[dict], object]:
    """OpenAI request dict -> native request."""
    from adapter.translate.request import to_native_request

    # to_native_request(body, aliases=None) today; a ctx/context parameter, if one
    # appears, gets make_request_ctx(sample).
    ctx = make_request_ctx(sample)
    kw = extra_kwargs(to_native_request, 1, ctx=ctx, context=ctx, aliases={})
    return lambda body: to_native_request(body, **kw)


def reply_fn(request: dict) -> Callable[[dict], object]:
    """native GenerateContentResponse dict -> OpenAI chat.completion."""
    from adapter.translate.response.reply import completion_from

    kw = extra_kwargs(
        completion_from, 1, request=request, body=request, ctx=make_request_ctx(request)
    )
    return lambda native: completion_from(native, **kw)


def stream_translator_factory(request: dict) -> Callable[[], object]:
    """A fresh StreamTranslator for one stream."""
    from adapter.translate.response.stream import StreamTranslator

    kw = extra_kwargs(
        StreamTranslator, 0, request=request, body=request, ctx=make_request_ctx(request)
    )
    return lambda: StreamTranslator(**kw)


def stream_feed(translator) -> Callable[[dict], object]:
    """The translator's per-event method: native chunk dict -> OpenAI chunk(s)."""
    for name in ("chunks_for", "feed", "translate", "on_event", "event", "process", "push"):
        m = getattr(translator, name, None)
        if callable(m):
            return m
    if type(translator).__call__ is not object.__call__:
        return translator
    raise Skip(
        f"StreamTranslator has none of feed/translate/on_event/...: "
        f"{[n for n in dir(translator) if not n.startswith('_')]}"
    )


def stream_finish(translator) -> Callable[[], object] | None:
    """The translator's end-of-stream method, if any."""
    for name in ("finish", "close", "end", "done", "flush"):
        m = getattr(translator, name, None)
        if callable(m):
            return m
    return None


# --------------------------------------------------------------------------- cases
def case_request_typical():
    body = load_json("chat_request.json")
    f = request_fn(body)
    return (lambda: f(body)), body


def case_reply_typical():
    native = load_json("generate_content.json")
    f = reply_fn(load_json("chat_request.json"))
    return (lambda: f(native)), native


def case_stream_event():
    request = load_json("chat_request_stream.json")
    events = [orjson.loads(e) for e in sse_events()]
    tr = stream_translator_factory(request)()
    feed = stream_feed(tr)
    feed(events[0])  # past the first event (role chunk etc.): measure the steady state
    mid = events[len(events) // 2]
    return (lambda: feed(mid)), mid


def case_stream_whole():
    request = load_json("chat_request_stream.json")
    events = [orjson.loads(e) for e in sse_events()]
    new = stream_translator_factory(request)

    def run():
        tr = new()
        feed = stream_feed(tr)
        for ev in events:
            feed(ev)
        fin = stream_finish(tr)
        if fin is not None:
            fin()

    return run, None, len(events)


def case_request_tools_100():
    body = load_json("tool_conversation_100.json")
    f = request_fn(body)
    return (lambda: f(body)), body


def _dump(obj) -> None:
    """Serialize whatever the translator returned (dict, list of dicts, bytes, None)."""
    if obj is None or isinstance(obj, (bytes, str)):
        return
    if isinstance(obj, (list, tuple)):
        for o in obj:
            _dump(o)
        return
    orjson.dumps(obj)


def case_wire_request_reply():
    """bytes in -> bytes out, as on the hot path (orjson both ways)."""
    req_raw = (FIXTURES / "chat_request.json").read_bytes()
    rep_raw = (FIXTURES / "generate_content.json").read_bytes()
    sample = orjson.loads(req_raw)
    freq, frep = request_fn(sample), reply_fn(sample)

    def run():
        _dump(freq(orjson.loads(req_raw)))
        _dump(frep(orjson.loads(rep_raw)))

    return run, None


def case_wire_stream_event():
    request = load_json("chat_request_stream.json")
    raw = sse_events()
    tr = stream_translator_factory(request)()
    feed = stream_feed(tr)
    feed(orjson.loads(raw[0]))
    mid = raw[len(raw) // 2]

    def run():
        _dump(feed(orjson.loads(mid)))

    return run, None


def _drive(coroutine) -> None:
    """Run a coroutine that never really waits, without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    raise RuntimeError("the coroutine waited")


def _observed_request(observed: bool, events: int = 0):
    """One request through an ASGI app that records what a route records (model, usage,
    finish reasons), with or without the observability middleware (request id, counters,
    two histograms, token counters, the open-streams gauge; no log line, no tracing).
    `events` > 0: a stream of that many writes."""
    from adapter.observability.context import current, record
    from adapter.observability.middleware import Observability

    reply = load_json("generate_content.json")
    kind = b"text/event-stream; charset=utf-8" if events else b"application/json"
    headers = [(b"content-type", kind)]
    chunk = {"type": "http.response.body", "body": b"data: {}\n\n", "more_body": True}

    async def app(scope, receive, send):
        record(operation="chat", model=MODEL, adjusted=[], stream=events > 0)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for _ in range(events):
            await send(chunk)
        exchange = current()
        if exchange is not None:
            exchange.saw_reply(reply)
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    asgi = Observability(app) if observed else app
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "headers": [(b"authorization", b"Bearer k")],
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        return None

    def run():
        _drive(asgi(scope, receive, send))

    return run, None


def case_observed_request():
    return _observed_request(True)


def case_unobserved_request():
    return _observed_request(False)


def case_observed_stream():
    return _observed_request(True, events=20)


def case_unobserved_stream():
    return _observed_request(False, events=20)
# --- the Responses API (POST /v1/responses) -------------------------------------------------
def _responses_context(body: dict):
    from adapter.translate.responses.output import ResponseContext
    from adapter.translate.responses.request import to_native_responses

    translated = to_native_responses(body)
    return ResponseContext(
        response_id="resp_bench",
        created_at=0,
        model=body["model"],
        echo=translated.echo,
        tools=translated.tools.map,
    )


def case_responses_request():
    from adapter.translate.responses.request import to_native_responses

    body = load_json("responses_request.json")
    return (lambda: to_native_responses(body)), body


def case_responses_reply():
    from adapter.translate.responses.reply import response_from

    ctx = _responses_context(load_json("responses_request.json"))
    native = load_json("generate_content.json")
    return (lambda: response_from(native, ctx)), native


def case_responses_stream_event():
    from adapter.translate.responses.stream import ResponsesStream

    stream = ResponsesStream(_responses_context(load_json("responses_request_stream.json")))
    events = [orjson.loads(e) for e in sse_events()]
    stream.start()
    stream.sse_for(events[0])
    mid = events[len(events) // 2]
    return (lambda: stream.sse_for(mid)), mid


def case_responses_stream_whole():
    from adapter.translate.responses.stream import ResponsesStream

    ctx = _responses_context(load_json("responses_request_stream.json"))
    events = [orjson.loads(e) for e in sse_events()]

    def run():
        stream = ResponsesStream(ctx)
        stream.start()
        for ev in events:
            stream.sse_for(ev)
        stream.finish()

    return run, None, len(events)


CASES = [
    # key, label, factory, target µs (None = informational)
    ("request", "typical request -> native", case_request_typical, None),
    ("reply", "typical reply -> completion", case_reply_typical, None),
    ("stream_event", "one stream event -> chunk", case_stream_event, 10.0),
    ("stream_whole", "20-event stream, per event (incl. start/finish)", case_stream_whole, 10.0),
    ("request_tools_100", "100-message tool conversation request", case_request_tools_100, None),
    (
        "wire_request_reply",
        "request + reply incl. orjson parse/dump",
        case_wire_request_reply,
        None,
    ),
    ("wire_stream_event", "one stream event incl. orjson parse/dump", case_wire_stream_event, None),
    (
        "observed_request",
        "request through the observability middleware (metrics, id)",
        case_observed_request,
        None,
    ),
    ("unobserved_request", "the same request without it", case_unobserved_request, None),
    ("observed_stream", "20-write stream through the middleware", case_observed_stream, None),
    ("unobserved_stream", "the same stream without it", case_unobserved_stream, None),
    ("responses_request", "responses: typical request -> native", case_responses_request, None),
    ("responses_reply", "responses: typical reply -> response", case_responses_reply, None),
    (
        "responses_stream_event",
        "responses: one stream event -> SSE bytes",
        case_responses_stream_event,
        10.0,
    ),
    (
        "responses_stream_whole",
        "responses: 20-event stream, per event (incl. start/finish, SSE bytes)",
        case_responses_stream_whole,
        None,
    ),
]


def measure(fn: Callable[[], object], repeat: int, min_time: float) -> tuple[float, float]:
    t = timeit.Timer(fn)
    number, elapsed = t.autorange()
    # scale so each repeat takes about min_time
    if elapsed < min_time:
        number = max(1, int(number * min_time / max(elapsed, 1e-9)))
    runs = [x / number * 1e6 for x in t.repeat(repeat=repeat, number=number)]
    return min(runs), statistics.median(runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="translation micro-benchmark (µs per call)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true", help="print tracebacks of skips")
    args = ap.parse_args(argv)
    repeat, min_time = (3, 0.1) if args.quick else (7, 0.2)

    results: dict[str, dict] = {}
    rows = []
    for key, label, factory, target in CASES:
        try:
            made = factory()
            fn, mutable_input = made[0], made[1]
            per = made[2] if len(made) > 2 else 1
            if mutable_input is not None:
                before = copy.deepcopy(mutable_input)
                fn()
                if mutable_input != before:
                    print(
                        f"[micro] WARNING: {key}: the translation mutated its input dict",
                        file=sys.stderr,
                    )
            best, med = measure(fn, repeat, min_time)
            best, med = best / per, med / per
            results[key] = {"label": label, "best_us": round(best, 2), "median_us": round(med, 2)}
            rows.append((label, f"{best:.1f}", f"{med:.1f}", target))
        except Exception as e:  # noqa: BLE001 - skip, with the reason
            reason = f"{type(e).__name__}: {e}"
            if args.verbose:
                traceback.print_exc()
            results[key] = {"label": label, "skipped": reason}
            rows.append((label, "skipped", reason[:90], target))

    if (
        "request" in results
        and "reply" in results
        and "best_us" in results["request"]
        and "best_us" in results["reply"]
    ):
        b = results["request"]["best_us"] + results["reply"]["best_us"]
        m = results["request"]["median_us"] + results["reply"]["median_us"]
        results["request_plus_reply"] = {
            "label": "typical request + reply",
            "best_us": round(b, 2),
            "median_us": round(m, 2),
        }
        rows.insert(2, ("**typical request + reply**", f"{b:.1f}", f"{m:.1f}", 50.0))
    else:
        rows.insert(2, ("**typical request + reply**", "skipped", "", 50.0))

    print("| case | µs/call (best) | µs/call (median) | target | |")
    print("|---|---:|---:|---:|---|")
    for label, best, med, target in rows:
        verdict = ""
        if target is not None:
            try:
                verdict = "PASS" if float(best) < target else "FAIL"
            except ValueError:
                verdict = "n/a"
        tgt = f"< {target:g}" if target is not None else ""
        print(f"| {label} | {best} | {med} | {tgt} | {verdict} |")
    print(f"\n(best of {repeat} repeats, Python {sys.version.split()[0]})")
    print("MICRO_RESULT " + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
