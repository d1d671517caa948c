"""The Helm chart (deploy/helm/gemini-adapter), rendered by a real helm binary and every
rendered object validated against the Kubernetes JSON schemas (kubernetes-validate, which
ships them, strict: unknown fields fail) for the oldest Kubernetes the chart supports and
the newest the schemas know. Also the render-time refusals (several replicas on SQLite)."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from adapter.config import build_config
from deploy.tooling import CHART

CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
KUBE_VERSIONS = ["1.25.0", latest_version()]


def render(helm: str, *args: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [helm, "template", "rel", str(CHART), "--namespace", "ai", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def refused(helm: str, *args: str) -> str:
    result = subprocess.run(
        [helm, "template", "rel", str(CHART), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0, f"rendered although it should not:\n{result.stdout}"
    return result.stderr


def by_kind(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for doc in docs:
        assert doc["kind"] not in kinds, f"two {doc['kind']} objects"
        kinds[doc["kind"]] = doc
    return kinds


def assert_valid(docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{doc['kind']} invalid for Kubernetes {version}: {exc}")


def container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (only,) = by_kind(docs)["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


def flag(args: list[str], name: str) -> str:
    values = [a.split("=", 1)[1] for a in args if a.startswith(f"--{name}=")]
    assert len(values) == 1, f"--{name} given {len(values)} times in {args}"
    return values[0]


def test_lint(helm: str) -> None:
    for values in [None, *CI_VALUES]:
        extra = ["-f", str(values)] if values else []
        result = subprocess.run(
            [helm, "lint", "--strict", str(CHART), *extra], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_default_values_render_valid_objects(helm: str) -> None:
    docs = render(helm)
    assert_valid(docs)
    kinds = by_kind(docs)
    assert {"Deployment", "Service", "ConfigMap", "ServiceAccount"} <= set(kinds)
    assert "Secret" not in kinds  # forwarding mode, default store: nothing secret to hold
    assert kinds["Deployment"]["spec"]["replicas"] == 1
    assert "ADAPTER_STORE" not in {e["name"] for e in container(docs)["env"]}


@pytest.mark.parametrize("values", CI_VALUES, ids=lambda p: p.name)
def test_ci_values_render_valid_objects(helm: str, values: Path) -> None:
    assert_valid(render(helm, "-f", str(values)))


def test_ci_values_render_hpa_and_pdb(helm: str) -> None:
    kinds: set[str] = set()
    for values in CI_VALUES:
        kinds |= {doc["kind"] for doc in render(helm, "-f", str(values))}
    assert {"HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds


def test_scale_out_objects(helm: str) -> None:
    docs = render(helm, "-f", str(CHART / "ci" / "postgres-values.yaml"))
    kinds = by_kind(docs)
    name = kinds["Deployment"]["metadata"]["name"]
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 8)
    assert "replicas" not in kinds["Deployment"]["spec"]  # the HPA owns the count
    pdb = kinds["PodDisruptionBudget"]["spec"]
    assert pdb["minAvailable"] == 1
    pod_labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert pdb["selector"]["matchLabels"].items() <= pod_labels.items()
    service = kinds["Service"]["spec"]
    assert service["selector"].items() <= pod_labels.items()
    assert service["ports"][0]["targetPort"] == "http"


def test_probes_and_shutdown_timing(helm: str) -> None:
    docs = render(helm, "--set", "adapter.shutdownGraceSeconds=50")
    pod = by_kind(docs)["Deployment"]["spec"]["template"]["spec"]
    main = container(docs)
    for probe in ("livenessProbe", "readinessProbe"):
        assert main[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in main["ports"]
    grace = float(flag(main["args"], "shutdown-grace"))
    sleep = main["lifecycle"]["preStop"]["exec"]["command"]
    assert sleep[0] == "sleep"
    assert grace == 50
    assert pod["terminationGracePeriodSeconds"] > grace + float(sleep[1])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert main["securityContext"]["readOnlyRootFilesystem"] is True


def test_keys_and_store_url_come_from_a_secret(helm: str) -> None:
    password_url = "postgresql://adapter:pa55word@db:5432/adapter"
    docs = render(
        helm,
        "--set",
        "secrets.geminiApiKey=AIza-test-key",
        "--set",
        "secrets.adapterApiKeys=k1\\,k2",
        "--set",
        f"store.url={password_url}",
        "--set",
        "replicaCount=3",
    )
    kinds = by_kind(docs)
    secret = {k: base64.b64decode(v).decode() for k, v in kinds["Secret"]["data"].items()}
    assert secret == {
        "GEMINI_API_KEY": "AIza-test-key",
        "ADAPTER_API_KEYS": "k1,k2",
        "ADAPTER_STORE": password_url,
    }
    env = {e["name"]: e for e in container(docs)["env"]}
    for name in secret:
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert (ref["name"], ref["key"]) == (kinds["Secret"]["metadata"]["name"], name)
        assert "value" not in env[name]
    rendered_elsewhere = json.dumps([d for d in docs if d["kind"] != "Secret"])
    for value in ("pa55word", "AIza-test-key"):
        assert value not in rendered_elsewhere


def test_existing_secrets(helm: str) -> None:
    docs = render(helm, "-f", str(CHART / "ci" / "existing-secret-values.yaml"))
    kinds = by_kind(docs)
    assert "Secret" not in kinds
    env = {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in container(docs)["env"]
        if "valueFrom" in e
    }
    assert env["GEMINI_API_KEY"]["name"] == "gemini-adapter-keys"
    assert env["ADAPTER_API_KEYS"]["name"] == "gemini-adapter-keys"
    assert env["ADAPTER_STORE"] == {"name": "gemini-adapter-store", "key": "url"}


def test_configmap_holds_aliases_the_adapter_reads(helm: str, tmp_path: Path) -> None:
    docs = render(
        helm,
        "--set",
        "adapter.modelAliases.gpt-4o-mini=gemini-2.5-flash",
        "--set",
        "adapter.config.max_body_bytes=1048576",
    )
    kinds = by_kind(docs)
    config_json = kinds["ConfigMap"]["data"]["config.json"]
    main = container(docs)
    mount = next(m for m in main["volumeMounts"] if m["name"] == "config")
    assert flag(main["args"], "config") == f"{mount['mountPath']}/config.json"
    path = tmp_path / "config.json"
    path.write_text(config_json)
    config = build_config({"config": str(path)}, env={})  # the adapter's own loader
    assert config.model_aliases == {"gpt-4o-mini": "gemini-2.5-flash"}
    assert config.max_body_bytes == 1048576


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "replicaCount=2"], "2 replicas"),
        (["--set", "autoscaling.enabled=true", "--set", "autoscaling.maxReplicas=4"], "4 replicas"),
        (["--set", "replicaCount=2", "--set", "store.url=sqlite:////data/s.db"], "not sqlite"),
        (["--set", "replicaCount=2", "--set", "store.url=memory"], "not memory"),
        (
            [
                "--set",
                "replicaCount=2",
                "--set",
                "store.existingSecret=s",
                "--set",
                "store.scheme=sqlite",
            ],
            "not sqlite",
        ),
        (["--set", "store.existingSecret=s"], "store.scheme is required"),
        (["--set", "store.url=mysql://x"], "store.url must be"),
        (["--set", "replicaCount=2", "--set", "store.url=sqlite"], "not sqlite"),
        (["--set", "secrets.geminiApiKey=AIza-x"], "adapterApiKeys"),
        (["--set", "terminationGracePeriodSeconds=20"], "terminationGracePeriodSeconds"),
        (["--set", "adapter.upstream=vertex"], "secrets.adapterApiKeys"),
        (["--set", "replicas=2"], "'replicas' not allowed"),  # values.schema.json: typos
        (["--set", "adapter.workers=0"], "/adapter/workers"),
    ],
)
def test_refuses(helm: str, args: list[str], message: str) -> None:
    assert message in refused(helm, *args)


@pytest.mark.parametrize("store", ["none", "postgresql://u:p@db/adapter"])
def test_several_replicas_on_a_shared_or_no_store(helm: str, store: str) -> None:
    docs = render(helm, "--set", "replicaCount=3", "--set", f"store.url={store}")
    assert by_kind(docs)["Deployment"]["spec"]["replicas"] == 3


def test_sqlite_persistence_claims_a_volume(helm: str) -> None:
    docs = render(helm, "--set", "persistence.enabled=true")
    assert_valid(docs)
    kinds = by_kind(docs)
    claim = kinds["PersistentVolumeClaim"]["metadata"]["name"]
    volumes = {v["name"]: v for v in kinds["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"] == {"claimName": claim}
    assert kinds["Deployment"]["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("values", [None, *CI_VALUES], ids=lambda p: p.name if p else "default")
def test_container_args_are_flags_the_adapter_accepts(helm: str, values: Path | None) -> None:
    from adapter.cli import _parser

    docs = render(helm, *(["-f", str(values)] if values else []))
    args = container(docs)["args"]
    parsed = _parser().parse_args(args)  # argparse exits (SystemExit) on an unknown flag
    assert parsed.command == "serve"
    assert parsed.host == "0.0.0.0"
