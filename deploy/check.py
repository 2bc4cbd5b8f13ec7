"""The deployment files' structure and the invariants between them; run by deploy/check.

    python3 deploy/check.py RENDERED_KUBERNETES_YAML

Prints each problem found and exits 1, or prints nothing and exits 0. Needs PyYAML and jsonschema.
"""

import json
import re
import shlex
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def load_yaml(path):
    with open(path, encoding="utf-8") as file:
        return yaml.safe_load(file)


def rel(path):
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# The gateway's defaults, read from the source so the check follows them.

def swift_default(name):
    source = (ROOT / "Sources/SwitchyardCore/Configuration/ServerSettings.swift").read_text(encoding="utf-8")
    match = re.search(rf"\b{name}: Duration = \.seconds\((\d+)\)", source)
    if not match:
        raise SystemExit(f"deploy/check.py: the default of {name} is no longer found in ServerSettings.swift")
    return int(match.group(1))


DEFAULT_GRACE = swift_default("shutdownGracePeriod")
DEFAULT_FLUSH = swift_default("finalFlushBudget")


def drain_seconds(config):
    """How long a stopping gateway may take: the drain, then the last rows written."""
    server = (config or {}).get("server") or {}
    return int(server.get("shutdown_grace_seconds", DEFAULT_GRACE)) + int(server.get("final_flush_seconds", DEFAULT_FLUSH))


def duration_seconds(text):
    """'45s', '1m30s', '1min 30s', '45' (seconds) as seconds."""
    text = str(text).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    parts = re.findall(r"(\d+)\s*(ms|sec|min|s|m|h)", text)
    if not parts or re.sub(r"(\d+)\s*(ms|sec|min|s|m|h)|\s", "", text):
        raise ValueError(f"cannot read the duration {text!r}")
    return sum(int(number) * units[unit] for number, unit in parts)


# Configuration keys: every key path the deployment configurations use must be in the configuration reference.

def key_paths(node, prefix=""):
    paths = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= key_paths(value, path)
    elif isinstance(node, list):
        for item in node:
            paths |= key_paths(item, prefix + "[]")
    return paths


def reference_key_paths():
    """The key paths of the YAML examples in README.md's Configuration section (and docs/configuration.md, if any)."""
    texts = []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Configuration\n(.*?)^## ", readme, re.M | re.S)
    if section:
        texts.append(section.group(1))
    if (ROOT / "docs/configuration.md").exists():
        texts.append((ROOT / "docs/configuration.md").read_text(encoding="utf-8"))
    paths = set()
    for text in texts:
        for block in re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S):
            paths |= key_paths(yaml.safe_load(block))
    if not paths:
        raise SystemExit("deploy/check.py: no configuration reference found in README.md's Configuration section")
    return paths


def check_config_keys(path, config, reference):
    for key in sorted(key_paths(config) - reference):
        problem(rel(path), f"{key} is not a documented configuration key (README.md#configuration)")


SECRET_VALUE = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*\}$")


def check_secrets_from_environment(path, config):
    """The master key, provider keys and storage URL are ${VAR} references, never literals in the file."""
    secret_values = [("server.master_key", (config.get("server") or {}).get("master_key")),
                     ("storage.url", (config.get("storage") or {}).get("url"))]
    for index, provider in enumerate(config.get("providers") or []):
        for key in ("api_key", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            if key in provider:
                secret_values.append((f"providers[{index}].{key}", provider[key]))
    for key, value in secret_values:
        if value is None:
            problem(rel(path), f"{key} is not set: it should come from the environment as ${{VAR}}")
        elif not SECRET_VALUE.match(str(value)):
            problem(rel(path), f"{key} should be a ${{VAR}} reference to the environment, not a value in the file")


def environment_references(config):
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", json.dumps(config)))


# The Dockerfile.

def read_dockerfile():
    path = DEPLOY / "Dockerfile"
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            instructions.append((word.upper(), rest.strip()))
    stages = [rest for word, rest in instructions if word == "FROM"]
    if len(stages) < 2:
        problem("deploy/Dockerfile", "should be multi-stage: a Swift build stage and a slim runtime stage")
    elif not stages[0].startswith("swift:"):
        problem("deploy/Dockerfile", f"the build stage should start from the official Swift image, not {stages[0]}")
    elif stages[-1].startswith("swift:"):
        problem("deploy/Dockerfile", "the runtime stage should not be the Swift image")
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    if "swift build -c release --static-swift-stdlib --product switchyard" not in runs:
        problem("deploy/Dockerfile", "should build with swift build -c release --static-swift-stdlib --product switchyard")
    if not re.search(r"cp -R \S*\*\.resources", runs):
        problem("deploy/Dockerfile", "should copy the binary's *.resources bundles next to it")
    users = [rest for word, rest in instructions if word == "USER"]
    uid = users[-1].split(":")[0] if users else None
    if uid is None or not uid.isdigit() or int(uid) == 0:
        problem("deploy/Dockerfile", "the runtime stage should run as a numeric non-root USER")
    healthchecks = [rest for word, rest in instructions if word == "HEALTHCHECK"]
    if not healthchecks or "/health/live" not in healthchecks[-1]:
        problem("deploy/Dockerfile", "should have a HEALTHCHECK on /health/live")
    exposed = [rest for word, rest in instructions if word == "EXPOSE"]
    return {"uid": int(uid) if uid and uid.isdigit() else None,
            "port": int(exposed[-1].split("/")[0]) if exposed else None,
            "healthcheck": healthchecks[-1] if healthchecks else ""}


# docker-compose.yaml and what it mounts.

def container_port(mapping):
    return int(str(mapping).split(":")[-1].split("/")[0])


def mounts(service):
    """(source, target) of each volume: source a Path for a bind mount, a name for a named volume."""
    result = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, target, kind = volume.get("source"), volume.get("target"), volume.get("type", "volume")
        else:
            parts = str(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            kind = "bind" if source and source.startswith((".", "/", "~")) else "volume"
        if kind == "bind":
            result.append(((DEPLOY / source).resolve(), target))
        else:
            result.append((source, target))
    return result


def host_file(service, container_path):
    """The file in the repository that a bind mount puts at container_path, if any."""
    for source, target in mounts(service):
        if isinstance(source, Path) and (container_path == target or container_path.startswith(target.rstrip("/") + "/")):
            return source / container_path[len(target):].lstrip("/") if container_path != target else source
    return None


def check_compose(dockerfile, reference):
    path = DEPLOY / "docker-compose.yaml"
    where = rel(path)
    compose = load_yaml(path)
    services = compose.get("services") or {}
    named_volumes = set((compose.get("volumes") or {}).keys())
    for name, service in services.items():
        if "image" not in service and "build" not in service:
            problem(where, f"service {name} has neither image nor build")
        build = service.get("build")
        if build:
            context = DEPLOY / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile_path = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            if not context.is_dir() or not dockerfile_path.is_file():
                problem(where, f"service {name}: build context or Dockerfile {rel(dockerfile_path)} does not exist")
        for source, target in mounts(service):
            if isinstance(source, Path):
                if not source.exists():
                    problem(where, f"service {name} mounts {rel(source)}, which does not exist")
            elif source and source not in named_volumes:
                problem(where, f"service {name} uses the volume {source}, not declared under volumes:")
        for kind in ("configs", "secrets"):
            declared = compose.get(kind) or {}
            for item in service.get(kind) or []:
                item_name = item if isinstance(item, str) else item.get("source")
                if item_name not in declared:
                    problem(where, f"service {name} uses the {kind[:-1]} {item_name}, not declared under {kind}:")
                elif "file" in declared[item_name] and not (DEPLOY / declared[item_name]["file"]).exists():
                    problem(where, f"{kind}.{item_name}: {declared[item_name]['file']} does not exist")
        depends = service.get("depends_on") or []
        for other in depends:
            if other not in services:
                problem(where, f"service {name} depends on {other}, which is not a service")
            elif isinstance(depends, dict) and depends[other].get("condition") == "service_healthy" \
                    and "healthcheck" not in services[other] and "build" not in services[other]:
                problem(where, f"service {name} waits for {other} to be healthy, but {other} has no healthcheck")

    gateway = services.get("gateway")
    if not gateway:
        problem(where, "no gateway service")
        return
    # The gateway's configuration: mounted, documented keys, secrets from the environment, reachable port.
    config_path = host_file(gateway, "/etc/switchyard/switchyard.yaml")
    if config_path is None or not config_path.is_file():
        problem(where, "the gateway does not mount its configuration at /etc/switchyard/switchyard.yaml")
        return
    config = load_yaml(config_path)
    check_config_keys(config_path, config, reference)
    check_secrets_from_environment(config_path, config)
    environment = gateway.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    for variable in sorted(environment_references(config) - set(environment)):
        problem(where, f"the gateway's configuration reads ${{{variable}}}, which the gateway's environment does not set")
    server = config.get("server") or {}
    port = int(server.get("port", 8080))
    if server.get("host") != "0.0.0.0":
        problem(rel(config_path), "server.host should be 0.0.0.0, or the gateway is unreachable from outside its container")
    if port not in [container_port(mapping) for mapping in gateway.get("ports") or []]:
        problem(where, f"the gateway's ports do not publish its server.port {port}")
    if dockerfile["port"] != port or f":{port}/" not in dockerfile["healthcheck"]:
        problem("deploy/Dockerfile", f"EXPOSE and HEALTHCHECK should use the configured server.port {port}")
    grace = duration_seconds(gateway.get("stop_grace_period", "10s"))
    if grace <= drain_seconds(config):
        problem(where, f"the gateway's stop_grace_period ({grace} s) should be above the drain "
                       f"(shutdown_grace_seconds + final_flush_seconds = {drain_seconds(config)} s)")
    if gateway.get("read_only") is not True:
        problem(where, "the gateway should run with read_only: true")

    # Prometheus scrapes the gateway.
    prometheus = services.get("prometheus")
    prometheus_config = host_file(prometheus or {}, "/etc/prometheus/prometheus.yml")
    if prometheus_config is None or not prometheus_config.is_file():
        problem(where, "Prometheus does not mount a configuration from the repository at /etc/prometheus/prometheus.yml")
    else:
        scrape = load_yaml(prometheus_config)
        targets = [(job, target) for job in scrape.get("scrape_configs") or []
                   for static in job.get("static_configs") or [] for target in static.get("targets") or []]
        if not targets:
            problem(rel(prometheus_config), "no scrape targets")
        for job, target in targets:
            host, _, target_port = target.rpartition(":")
            if host not in services:
                problem(rel(prometheus_config), f"target {target}: {host} is not a compose service")
            elif host == "gateway" and (int(target_port) != port or job.get("metrics_path", "/metrics") != "/metrics"):
                problem(rel(prometheus_config), f"target {target} should be gateway:{port} with metrics_path /metrics")
        if not any(host == "gateway" for _, target in targets for host in [target.rpartition(":")[0]]):
            problem(rel(prometheus_config), "does not scrape the gateway")

    # Grafana: its provisioning, the Prometheus data source, and the dashboard.
    grafana = services.get("grafana") or {}
    provisioning = host_file(grafana, "/etc/grafana/provisioning")
    if provisioning is None or not provisioning.is_dir():
        problem(where, "Grafana does not mount a provisioning directory from the repository at /etc/grafana/provisioning")
        return
    datasource_types = set()
    for file in sorted((provisioning / "datasources").glob("*.y*ml")):
        for source in load_yaml(file).get("datasources") or []:
            datasource_types.add(source.get("type"))
            match = re.match(r"https?://([^:/]+)(?::(\d+))?", source.get("url", ""))
            if not match or match.group(1) not in services:
                problem(rel(file), f"data source {source.get('name')}: {source.get('url')} is not a compose service")
    if "prometheus" not in datasource_types:
        problem(rel(provisioning), "no Prometheus data source is provisioned")
    dashboards = 0
    for file in sorted((provisioning / "dashboards").glob("*.y*ml")):
        for provider in load_yaml(file).get("providers") or []:
            folder = (provider.get("options") or {}).get("path", "")
            files = [host_file(grafana, target) for _, target in mounts(grafana)
                     if target.startswith(folder.rstrip("/") + "/") or target == folder]
            files = [path for path in files if path is not None]
            if not files:
                problem(rel(file), f"provider {provider.get('name')}: nothing from the repository is mounted at {folder}")
            for dashboard in files:
                for json_file in [dashboard] if dashboard.is_file() else sorted(dashboard.glob("*.json")):
                    try:
                        data = json.loads(json_file.read_text(encoding="utf-8"))
                    except (OSError, ValueError) as error:
                        problem(rel(json_file), f"not a readable dashboard: {error}")
                        continue
                    dashboards += 1
                    if not data.get("uid") or not data.get("panels"):
                        problem(rel(json_file), "a dashboard needs a uid and panels")
    if dashboards == 0:
        problem(rel(provisioning), "no dashboard is provisioned")


# Kubernetes: the manifests as kustomize renders them.

DURATION = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
SERVICE_MONITOR_SCHEMA = {
    # The part of monitoring.coreos.com/v1 ServiceMonitor (Prometheus Operator) these manifests use.
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {"type": "object", "additionalProperties": False, "properties": {
                    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "matchExpressions": {"type": "array"}}},
                "namespaceSelector": {"type": "object"},
                "jobLabel": {"type": "string"},
                "endpoints": {"type": "array", "minItems": 1, "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "port": {"type": "string"},
                        "targetPort": {"type": ["string", "integer"]},
                        "path": {"type": "string", "pattern": "^/"},
                        "scheme": {"enum": ["http", "https"]},
                        "interval": {"type": "string", "pattern": DURATION},
                        "scrapeTimeout": {"type": "string", "pattern": DURATION},
                        "honorLabels": {"type": "boolean"},
                        "authorization": {"type": "object"},
                        "relabelings": {"type": "array"},
                        "metricRelabelings": {"type": "array"},
                    },
                }},
            },
        },
    },
}


def matches(selector, labels):
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def check_kubernetes(rendered_path, dockerfile, reference):
    where = "deploy/kubernetes"
    with open(rendered_path, encoding="utf-8") as file:
        documents = [document for document in yaml.safe_load_all(file) if document]
    by_kind = {}
    for document in documents:
        by_kind.setdefault(document["kind"], []).append(document)
    missing = [kind for kind in ("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                                 "ServiceMonitor", "ServiceAccount") if len(by_kind.get(kind, [])) != 1]
    for kind in missing:
        problem(where, f"the rendered base should hold exactly one {kind}")
    if missing:
        return
    deployment, service, config_map = by_kind["Deployment"][0], by_kind["Service"][0], by_kind["ConfigMap"][0]
    hpa, pdb, monitor = by_kind["HorizontalPodAutoscaler"][0], by_kind["PodDisruptionBudget"][0], by_kind["ServiceMonitor"][0]
    pod = deployment["spec"]["template"]
    pod_labels = pod["metadata"].get("labels") or {}
    spec = pod["spec"]
    containers = spec.get("containers") or []
    if len(containers) != 1:
        problem(where, "the Deployment should have one container")
        return
    container = containers[0]

    # The configuration: the generated ConfigMap, mounted where --config points.
    config_file = DEPLOY / "kubernetes/switchyard.yaml"
    config = load_yaml(config_file)
    check_config_keys(config_file, config, reference)
    check_secrets_from_environment(config_file, config)
    if not re.fullmatch(r"switchyard-config-[a-z0-9]{10}", config_map["metadata"]["name"]):
        problem(where, "the ConfigMap should come from configMapGenerator, its name ending in a hash of its content")
    if yaml.safe_load((config_map.get("data") or {}).get("switchyard.yaml", "")) != config:
        problem(where, "the ConfigMap should hold deploy/kubernetes/switchyard.yaml as switchyard.yaml")
    volumes = {volume["name"]: volume for volume in spec.get("volumes") or []}
    config_volumes = [name for name, volume in volumes.items()
                      if (volume.get("configMap") or {}).get("name") == config_map["metadata"]["name"]]
    mount_paths = [mount["mountPath"] for mount in container.get("volumeMounts") or [] if mount["name"] in config_volumes]
    arguments = container.get("args") or []
    config_argument = arguments[arguments.index("--config") + 1] if "--config" in arguments[:-1] else None
    if not mount_paths or config_argument != mount_paths[0].rstrip("/") + "/switchyard.yaml":
        problem(where, "the container should mount the ConfigMap and pass --config <its mount>/switchyard.yaml")

    # Secrets: the configuration's ${VAR}s come from the Secret, none set to a value in the manifest.
    if not any("secretRef" in source for source in container.get("envFrom") or []):
        problem(where, "the master key, provider keys and storage URL should come from a Secret (envFrom secretRef)")
    for variable in container.get("env") or []:
        if variable["name"] in environment_references(config) and "secretKeyRef" not in (variable.get("valueFrom") or {}):
            problem(where, f"{variable['name']} should come from a Secret, not be set in the manifest")

    # Probes, port, security context.
    server = config.get("server") or {}
    port = int(server.get("port", 8080))
    ports = {entry.get("name"): entry["containerPort"] for entry in container.get("ports") or []}
    if port not in ports.values():
        problem(where, f"the container should declare server.port {port} as a containerPort")
    if server.get("host") != "0.0.0.0":
        problem(rel(config_file), "server.host should be 0.0.0.0, or probes and the Service cannot reach the gateway")
    for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
        get = (container.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != path or ports.get(get.get("port"), get.get("port")) != port:
            problem(where, f"the container's {probe} should be GET {path} on port {port}")
    pod_security = spec.get("securityContext") or {}
    security = container.get("securityContext") or {}
    if not (security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True):
        problem(where, "runAsNonRoot should be true")
    if security.get("readOnlyRootFilesystem") is not True:
        problem(where, "the container should have readOnlyRootFilesystem: true")
    if security.get("allowPrivilegeEscalation") is not False:
        problem(where, "the container should have allowPrivilegeEscalation: false")
    run_as = security.get("runAsUser", pod_security.get("runAsUser"))
    if dockerfile["uid"] is not None and run_as != dockerfile["uid"]:
        problem(where, f"runAsUser ({run_as}) should be the image's user ({dockerfile['uid']})")

    # Stopping: the pause before SIGTERM, then the drain, all within terminationGracePeriodSeconds.
    pre_stop = ((container.get("lifecycle") or {}).get("preStop")) or {}
    pause = 0
    if "sleep" in pre_stop:
        pause = int(pre_stop["sleep"]["seconds"])
    elif (pre_stop.get("exec") or {}).get("command", [None])[0] == "sleep":
        pause = int(pre_stop["exec"]["command"][1])
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if grace <= pause + drain_seconds(config):
        problem(where, f"terminationGracePeriodSeconds ({grace}) should be above the preStop pause ({pause}) + "
                       f"shutdown_grace_seconds + final_flush_seconds ({drain_seconds(config)})")

    # Service, autoscaler, disruption budget and ServiceMonitor all find the pods.
    if not matches(deployment["spec"]["selector"].get("matchLabels"), pod_labels):
        problem(where, "the Deployment's selector does not match its pods")
    if not matches(service["spec"].get("selector"), pod_labels):
        problem(where, "the Service's selector does not match the pods")
    for entry in service["spec"].get("ports") or []:
        if ports.get(entry.get("targetPort"), entry.get("targetPort")) != port:
            problem(where, f"the Service's port {entry.get('name')} does not lead to the gateway's port {port}")
    target = hpa["spec"]["scaleTargetRef"]
    if target.get("kind") != "Deployment" or target.get("name") != deployment["metadata"]["name"]:
        problem(where, "the HorizontalPodAutoscaler does not scale the Deployment")
    minimum, maximum = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
    if not 1 <= minimum <= maximum:
        problem(where, "the HorizontalPodAutoscaler needs 1 <= minReplicas <= maxReplicas")
    if "replicas" in deployment["spec"]:
        problem(where, "the Deployment should leave replicas to the HorizontalPodAutoscaler (an apply would reset them)")
    if not matches(pdb["spec"]["selector"].get("matchLabels"), pod_labels):
        problem(where, "the PodDisruptionBudget's selector does not match the pods")
    available = pdb["spec"].get("minAvailable")
    if isinstance(available, int) and available >= minimum:
        problem(where, f"the PodDisruptionBudget's minAvailable ({available}) should be below minReplicas ({minimum}), "
                       "or no node can ever be drained")
    for error in jsonschema.Draft7Validator(SERVICE_MONITOR_SCHEMA).iter_errors(monitor):
        path = ".".join(str(part) for part in error.absolute_path) or "(root)"
        problem(where, f"ServiceMonitor {path}: {error.message}")
    if not matches(monitor["spec"]["selector"].get("matchLabels"), service["metadata"].get("labels") or {}):
        problem(where, "the ServiceMonitor's selector does not match the Service's labels")
    service_ports = {entry.get("name") for entry in service["spec"].get("ports") or []}
    for endpoint in monitor["spec"].get("endpoints") or []:
        if endpoint.get("port") not in service_ports or endpoint.get("path", "/metrics") != "/metrics":
            problem(where, f"the ServiceMonitor should scrape /metrics on a named Service port ({sorted(service_ports)})")


# The systemd unit.

def check_systemd(configs):
    path = DEPLOY / "systemd/switchyard.service"
    service = {}
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif line and not line.startswith(("#", ";")) and "=" in line and section == "Service":
            key, _, value = line.partition("=")
            service.setdefault(key.strip(), []).append(value.strip())
    timeout = duration_seconds(service.get("TimeoutStopSec", ["90s"])[-1])
    drain = max([drain_seconds(config) for config in configs] + [DEFAULT_GRACE + DEFAULT_FLUSH])
    if timeout <= drain:
        problem(rel(path), f"TimeoutStopSec ({timeout} s) should be above the drain (shutdown_grace_seconds + "
                           f"final_flush_seconds, {drain} s in the shipped configurations and by default)")
    if service.get("KillSignal", ["SIGTERM"])[-1] not in ("SIGTERM", "TERM", "15"):
        problem(rel(path), "KillSignal should be SIGTERM, the signal that drains")
    exec_start = shlex.split(service.get("ExecStart", [""])[-1])
    if exec_start[1:2] != ["serve"] or "--config" not in exec_start:
        problem(rel(path), "ExecStart should run switchyard serve --config FILE")
    if not service.get("User") or service["User"][-1] == "root":
        problem(rel(path), "the service should run as its own user")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 deploy/check.py RENDERED_KUBERNETES_YAML")
    reference = reference_key_paths()
    dockerfile = read_dockerfile()
    check_compose(dockerfile, reference)
    check_kubernetes(sys.argv[1], dockerfile, reference)
    check_systemd([load_yaml(DEPLOY / "compose/switchyard.yaml"), load_yaml(DEPLOY / "kubernetes/switchyard.yaml")])
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
