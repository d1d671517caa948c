"""The container set-up without a Docker engine: hadolint on the Dockerfile, the compose
file against the compose-spec JSON schema (as shipped by check-jsonschema), the pins in
constraints.txt, and the image's own HEALTHCHECK and ENTRYPOINT/CMD commands run for
real against the adapter and the emulator (on 127.0.0.1 instead of 0.0.0.0)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import tomllib
from importlib import resources
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from servers import free_port, wait_until

from deploy.tooling import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def final_stage() -> list[tuple[str, str]]:
    steps = instructions(DOCKERFILE)
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def one(stage: list[tuple[str, str]], word: str) -> str:
    values = [rest for w, rest in stage if w == word]
    assert len(values) == 1, f"{word}: {values}"
    return values[0]


def test_hadolint_clean(hadolint: str) -> None:
    result = subprocess.run(
        [hadolint, "--format", "json", "--failure-threshold", "style", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout


def test_dockerfile_shape() -> None:
    steps = instructions(DOCKERFILE)
    assert sum(word == "FROM" for word, _ in steps) >= 2, "multi-stage"
    stage = final_stage()
    user = one(stage, "USER").split(":")[0]
    assert user not in ("root", "0")
    assert one(stage, "STOPSIGNAL") == "SIGTERM"
    health = one(stage, "HEALTHCHECK")
    assert "/healthz" in health and "curl" not in health and "wget" not in health
    exec_form(one(stage, "ENTRYPOINT"))
    exec_form(one(stage, "CMD"))
    installs = " ".join(rest for word, rest in steps if word == "RUN" and "pip install" in rest)
    assert "constraints.txt" in installs


def test_dockerignore_keeps_what_the_build_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set()
    for word, rest in instructions(DOCKERFILE):
        if word == "COPY" and not rest.startswith("--from"):
            copied.update(p.rstrip("/") for p in rest.split()[:-1])
    assert copied and copied <= kept


def test_constraints_pin_every_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep, f"not an exact pin: {line}"
            pins[canonicalize_name(name)] = version.strip()
    image_extras = re.findall(r"ARG EXTRAS=(\S+)", DOCKERFILE)
    assert image_extras, "the Dockerfile names the extras it installs"
    extras = [e for group in image_extras for e in group.split(",")]
    specs = project["dependencies"] + [
        spec for extra in extras for spec in project["optional-dependencies"][extra]
    ]
    for spec in specs:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: run `bash deploy/lock.sh`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, pyproject asks {requirement.specifier}"
        )


def compose_schema() -> dict[str, Any]:
    path = resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    return json.loads(path.read_text())


def test_compose_file_matches_compose_spec() -> None:
    validator = jsonschema.Draft202012Validator(compose_schema())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert not errors
    broken = {**COMPOSE, "services": {"x": {"image": "i", "stop_grace_periods": "1s"}}}
    assert not validator.is_valid(broken)  # the schema really checks service keys


def seconds(duration: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(
        float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(duration))
    )


def test_compose_services() -> None:
    services = COMPOSE["services"]
    ours = {name: s for name, s in services.items() if name != "postgres"}
    assert [name for name, s in services.items() if "build" in s] == ["adapter"]
    assert len({s["image"] for s in ours.values()}) == 1, "one image for every service"
    emulator = services["emulator"]
    assert emulator["command"][0] == "emulator"
    port = emulator["command"][emulator["command"].index("--port") + 1]
    for name, service in ours.items():
        if name == "emulator":
            continue
        command = service["command"]
        assert isinstance(command, list) and command[0] == "serve"
        grace = float(command[command.index("--shutdown-grace") + 1])
        assert seconds(service["stop_grace_period"]) > grace
        upstream = service["environment"]["GEMINI_UPSTREAM_URL"]
        assert f"http://emulator:{port}" in upstream
    postgres_profile = {n for n, s in services.items() if "postgres" in s.get("profiles", [])}
    assert "postgres" in postgres_profile
    store_urls = [
        services[n]["environment"].get("ADAPTER_STORE", "")
        for n in postgres_profile
        if n != "postgres"
    ]
    assert any(url.startswith("postgresql://") and "@postgres:" in url for url in store_urls)


def healthcheck_command() -> list[str]:
    health = one(final_stage(), "HEALTHCHECK")
    return exec_form(health[health.index("CMD") + 3 :].strip())


def run_healthcheck(url: str | None) -> int:
    env = {**os.environ}
    env.pop("HEALTHCHECK_URL", None)
    if url:
        env["HEALTHCHECK_URL"] = url
    command = healthcheck_command()
    assert command[0] == "python"
    return subprocess.run([sys.executable, *command[1:]], env=env, timeout=30).returncode


def start(command: list[str]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def local(argv: list[str], port: int) -> list[str]:
    """The image's arguments with 0.0.0.0 -> 127.0.0.1 and its port -> a free one."""
    out = list(argv)
    out[out.index("--host") + 1] = "127.0.0.1"
    out[out.index("--port") + 1] = str(port)
    return out


def test_image_command_serves_answers_healthcheck_and_stops_on_sigterm() -> None:
    entrypoint = exec_form(one(final_stage(), "ENTRYPOINT"))
    cmd = exec_form(one(final_stage(), "CMD"))
    assert entrypoint == ["gemini-adapter"]
    port = free_port()
    process = start(
        [sys.executable, "-m", "adapter", *local(cmd, port), "--upstream-url", "emulator"]
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _ok(f"{url}/healthz"), timeout=20)
        assert run_healthcheck(f"{url}/healthz") == 0
        assert run_healthcheck(f"http://127.0.0.1:{free_port()}/healthz") != 0
    finally:
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=40)[0].decode()
    assert process.returncode == 0, output
    assert time.monotonic() - began < 30


def test_compose_emulator_healthcheck_url_works() -> None:
    emulator = COMPOSE["services"]["emulator"]
    port = free_port()
    process = start([sys.executable, "-m", "adapter", *local(emulator["command"], port)])
    try:
        target = emulator["environment"]["HEALTHCHECK_URL"]
        target = re.sub(r"//[^/]+", f"//127.0.0.1:{port}", target, count=1)
        assert wait_until(lambda: _ok(target), timeout=20)
        assert run_healthcheck(target) == 0
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert "key=healthcheck" not in output  # the emulator's access log redacts it


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).is_success
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("script", ["deploy/lock.sh", "deploy/tools.sh"])
def test_scripts_are_valid_bash(script: str) -> None:
    assert subprocess.run(["bash", "-n", script], cwd=ROOT).returncode == 0
    assert shlex.split((ROOT / script).read_text().splitlines()[0]) == ["#!/usr/bin/env", "bash"]


@pytest.mark.parametrize(("grace", "finishes"), [(6.0, True), (0.5, False)])
def test_sigterm_drains_within_the_grace_and_exits_zero(grace: float, finishes: bool) -> None:
    """A request in flight when SIGTERM arrives (the emulator's `fault-slow` model holds its
    reply back 2 s) completes if the grace allows it; either way the process exits 0 once
    the grace is over: what compose's stop_grace_period and Kubernetes'
    terminationGracePeriodSeconds are sized for."""
    import threading

    port = free_port()
    process = start(
        [
            sys.executable,
            "-m",
            "adapter",
            "serve",
            "--upstream-url",
            "emulator",
            "--port",
            str(port),
            "--shutdown-grace",
            str(grace),
        ]
    )
    url = f"http://127.0.0.1:{port}"
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["status"] = httpx.post(
                f"{url}/v1/chat/completions",
                headers={"authorization": "Bearer any-key"},
                json={"model": "fault-slow", "messages": [{"role": "user", "content": "hi"}]},
                timeout=30,
            ).status_code
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    try:
        assert wait_until(lambda: _ok(f"{url}/healthz"), timeout=20)
        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.5)  # the request is in flight, waiting on the upstream
    finally:
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=40)[0].decode()
    took = time.monotonic() - began
    caller.join(timeout=30)
    assert process.returncode == 0, output
    assert took < grace + 5
    assert (outcome.get("status") == 200) is finishes, outcome
