"""``infra/k8s/``: every document is valid against Kubernetes' schemas (kubernetes-validate,
offline), and the manifests agree with each other and with the app (names, variables, probes)."""

import re
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from saas_platform.heartbeat import is_fresh
from tests.conftest import REPO

K8S = REPO / "infra" / "k8s"
# The oldest Kubernetes still offered by the big clouds, and the newest the validator knows.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
# What the production settings refuse to start without (saas_platform/settings/production.py).
REQUIRED_VARIABLES = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN", "EMAIL_URL"}


def documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                found.append((path.name, document))
    return found


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def pod_specs() -> dict[str, dict]:
    """Pod templates of the Deployments and the Job, by workload name."""
    specs = {}
    for kind in ("Deployment", "Job"):
        for name, doc in of_kind(kind).items():
            specs[name] = doc["spec"]["template"]["spec"]
    return specs


def containers() -> list[tuple[str, dict]]:
    return [(name, c) for name, spec in pod_specs().items() for c in spec["containers"]]


def test_every_file_parses_into_named_namespaced_resources():
    found = documents()
    assert len(found) >= 10
    for filename, doc in found:
        assert {"apiVersion", "kind", "metadata"} <= doc.keys(), filename
        assert doc["metadata"].get("name"), filename
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "pictureday", filename


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_resource_is_valid_against_the_kubernetes_schemas(version):
    for filename, doc in documents():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{filename} {doc['kind']}/{doc['metadata']['name']}: {error.message}")


def test_the_validator_rejects_a_broken_deployment():
    """So the test above can fail: a misspelt field and a wrong type are refused."""
    web = of_kind("Deployment")["web"]
    broken = yaml.safe_load(yaml.safe_dump(web))
    broken["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)
    misspelt = yaml.safe_load(yaml.safe_dump(web))
    misspelt["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSIONS[-1], strict=True)


def test_deployments_have_probes_resources_and_run_as_non_root():
    deployments = of_kind("Deployment")
    assert set(deployments) == {"web", "worker", "beat"}
    for name, doc in deployments.items():
        spec = doc["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec["containers"]:
            assert "livenessProbe" in container, name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][kind].keys(), name
    web = deployments["web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert deployments["beat"]["spec"]["replicas"] == 1
    assert deployments["beat"]["spec"]["strategy"]["type"] == "Recreate"


def test_every_variable_reference_exists():
    config = of_kind("ConfigMap")
    secrets = of_kind("Secret")
    for workload, container in containers():
        names = set()
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                names |= config[source["configMapRef"]["name"]]["data"].keys()
            if "secretRef" in source:
                names |= secrets[source["secretRef"]["name"]]["stringData"].keys()
        for variable in container.get("env", []):
            names.add(variable["name"])
            ref = variable.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                key = ref["configMapKeyRef"]
                assert key["key"] in config[key["name"]]["data"], (workload, key)
            if "secretKeyRef" in ref:
                key = ref["secretKeyRef"]
                assert key["key"] in secrets[key["name"]]["stringData"], (workload, key)
        assert names >= REQUIRED_VARIABLES, (workload, REQUIRED_VARIABLES - names)
        # $(VAR) in a command is expanded by Kubernetes only for variables it knows
        for part in container.get("command", []) + container.get("args", []):
            for variable in re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", part):
                assert variable in names, (workload, variable)


def test_settings_that_must_agree_across_files():
    config = of_kind("ConfigMap")["pictureday-config"]["data"]
    assert config["DJANGO_SETTINGS_MODULE"] == "saas_platform.settings.production"
    # one proxy (the ingress) appends to X-Forwarded-For: rate limits count visitors
    assert config["TRUSTED_PROXY_COUNT"] == "1"
    # the readiness probe asks the public tenant, whose host is BASE_DOMAIN
    web = of_kind("Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    headers = {h["name"]: h["value"] for h in web["readinessProbe"]["httpGet"]["httpHeaders"]}
    assert headers["Host"] == config["BASE_DOMAIN"]
    ingress = of_kind("Ingress")["web"]["spec"]
    assert {rule["host"] for rule in ingress["rules"]} == {
        config["BASE_DOMAIN"],
        f"*.{config['BASE_DOMAIN']}",
    }
    # the e-mail URL is a secret (it holds the password), the sender is not
    secret = of_kind("Secret")["pictureday-secrets"]["stringData"]
    assert secret["EMAIL_URL"].startswith("smtp")
    assert "EMAIL_URL" not in config
    assert "DEFAULT_FROM_EMAIL" in config


def test_services_hpas_and_ingress_point_at_what_exists():
    deployments = of_kind("Deployment")
    services = of_kind("Service")
    for name, service in services.items():
        selector = service["spec"]["selector"]
        matching = [
            d
            for d in deployments.values()
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matching) == 1, name
        port_names = {
            p["name"]
            for c in matching[0]["spec"]["template"]["spec"]["containers"]
            for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, name
    for name, hpa in of_kind("HorizontalPodAutoscaler").items():
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert name != "beat"
    for rule in of_kind("Ingress")["web"]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            ports = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
            assert backend["port"]["name"] in ports


@pytest.mark.parametrize(
    ("workload", "variable"), [("worker", "WORKER_HEARTBEAT_FILE"), ("beat", "BEAT_HEARTBEAT_FILE")]
)
def test_the_heartbeat_probes_read_the_file_their_process_writes(workload, variable, tmp_path):
    (container,) = of_kind("Deployment")[workload]["spec"]["template"]["spec"]["containers"]
    env = {v["name"]: v["value"] for v in container["env"]}
    command = container["livenessProbe"]["exec"]["command"]
    assert command[:3] == ["python", "-m", "saas_platform.heartbeat"]
    path, max_age = command[3], float(command[4])
    assert path == env[variable]
    assert path.startswith("/tmp/")  # the only writable place for the app user
    # several missed touches (worker: 15 s apart; beat: a loop of at most 60 s) before failing
    assert max_age >= {"worker": 4 * 15, "beat": 2 * 60}[workload]

    # the probe as written, pointed at a file here: passes when fresh, fails when stale
    local = tmp_path / "alive"
    local.touch()
    probe = [sys.executable, *command[1:3], str(local), command[4]]
    assert subprocess.run(probe, cwd=REPO, timeout=60).returncode == 0  # noqa: S603
    assert is_fresh(local, max_age)
    local.unlink()
    assert subprocess.run(probe, cwd=REPO, timeout=60, capture_output=True).returncode == 1  # noqa: S603
