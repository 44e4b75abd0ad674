#!/usr/bin/env python3
"""Static checks of deploy/ and helm/worldcluster that need neither a cluster, Docker nor helm.

Run through deploy/validate.sh. Needs python3 with PyYAML and jsonschema (Debian: python3-yaml python3-jsonschema).
Exit status 1 when any check fails; every failure is printed.
"""
import base64
import glob
import json
import os
import re
import sys

try:
    import yaml
    import jsonschema
except ImportError as e:  # pragma: no cover
    sys.exit(f"validate.py needs PyYAML and jsonschema ({e}); on Debian/Ubuntu: apt-get install python3-yaml python3-jsonschema")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CHART = os.path.join(ROOT, "helm", "worldcluster")
failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL {msg}")


def ok(msg):
    print(f"ok   {msg}")


def rel(p):
    return os.path.relpath(p, ROOT)


# 1. Every plain YAML and JSON file parses (Helm templates are not plain YAML and are checked in 5).
yaml_files = sorted(
    f for pat in ("deploy/**/*.yml", "deploy/**/*.yaml", "helm/worldcluster/*.yaml")
    for f in glob.glob(os.path.join(ROOT, pat), recursive=True))
for f in yaml_files:
    try:
        list(yaml.safe_load_all(open(f)))
    except yaml.YAMLError as e:
        fail(f"{rel(f)} does not parse: {e}")
json_files = [os.path.join(ROOT, "deploy/grafana/worldcluster-dashboard.json"), os.path.join(CHART, "values.schema.json")]
for f in json_files:
    try:
        json.load(open(f))
    except ValueError as e:
        fail(f"{rel(f)} does not parse: {e}")
ok(f"{len(yaml_files)} YAML and {len(json_files)} JSON files parsed")

# 2. values.yaml validates against values.schema.json (and the schema is valid draft-07).
schema = json.load(open(os.path.join(CHART, "values.schema.json")))
values = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))
try:
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=lambda e: list(e.path))
    for e in errors:
        fail(f"values.yaml: {'.'.join(map(str, e.path)) or '<root>'}: {e.message}")
    if not errors:
        ok("values.yaml validates against values.schema.json")
except jsonschema.SchemaError as e:
    fail(f"values.schema.json is not a valid draft-07 schema: {e.message}")
# The ci/ values files (chart-testing) merged over values.yaml validate too.
def merged(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


for f in sorted(glob.glob(os.path.join(CHART, "ci", "*-values.yaml"))):
    for e in jsonschema.Draft7Validator(schema).iter_errors(merged(values, yaml.safe_load(open(f)) or {})):
        fail(f"{rel(f)}: {'.'.join(map(str, e.path)) or '<root>'}: {e.message}")
# The schema must reject what it should: an unknown top-level key and a bad enum.
for bad, what in (({**values, "nope": 1}, "an unknown key"), ({**values, "clustering": {"kind": "consul"}}, "an unknown clustering kind")):
    if jsonschema.Draft7Validator(schema).is_valid(bad):
        fail(f"values.schema.json accepts {what}")
# Helm's schema validators use Go regular expressions: no look-around or backreferences.
for m in re.finditer(r'"pattern":\s*"([^"]*)"', open(os.path.join(CHART, "values.schema.json")).read()):
    if re.search(r"\(\?[=!<]|\\[1-9]", m.group(1)):
        fail(f"values.schema.json pattern {m.group(1)} is not RE2 (Go) syntax")

# 3. Every value in values.yaml has a `# --` comment (a documented map's children need none).
lines = open(os.path.join(CHART, "values.yaml")).read().splitlines()
stack = []  # (indent, documented)
pending_doc = False
undocumented = []
for i, line in enumerate(lines):
    s = line.strip()
    if not s:
        continue
    if s.startswith("#"):
        if s.startswith("# --"):
            pending_doc = True
        continue
    m = re.match(r"^(\s*)([A-Za-z0-9_.\-/]+):(.*)$", line)
    if not m:
        continue  # list items and continuation lines belong to a documented value
    indent, key, rest = len(m.group(1)), m.group(2), m.group(3).strip()
    while stack and stack[-1][0] >= indent:
        stack.pop()
    parent_documented = any(d for _, d in stack)
    is_parent = rest == "" and i + 1 < len(lines)
    if not parent_documented and not pending_doc and not is_parent:
        undocumented.append(f"{key} (line {i + 1})")
    stack.append((indent, pending_doc or parent_documented))
    pending_doc = False
for u in undocumented:
    fail(f"values.yaml: value without a '# --' comment: {u}")
if not undocumented:
    ok("every value in values.yaml has a '# --' comment")


# 4. Every .Values reference in the templates exists in values.yaml, and every value is used.
def has_path(d, path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return False
        d = d[p]
    return True


def leaf_paths(d, prefix=()):
    for k, v in d.items():
        if isinstance(v, dict) and v:
            yield from leaf_paths(v, prefix + (k,))
        else:
            yield prefix + (k,)


templates = sorted(glob.glob(os.path.join(CHART, "templates", "*")))
refs = set()
for t in templates:
    for m in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", open(t).read()):
        path = tuple(m.group(1).lstrip(".").split("."))
        refs.add(path)
        if not has_path(values, path):
            fail(f"{rel(t)} references .Values.{'.'.join(path)}, which values.yaml does not define")
unused = [p for p in leaf_paths(values)
          if not any(r[:len(p)] == p or p[:len(r)] == r for r in refs)]
for p in unused:
    fail(f"values.yaml: {'.'.join(p)} is used by no template")
ok(f"{len(refs)} distinct .Values references in {len(templates)} templates checked; {len(unused)} unused values")

# 5. Template syntax sanity: balanced actions and block openers/ends per file (helm lint does more where helm exists).
for t in templates:
    text = open(t).read()
    if text.count("{{") != text.count("}}"):
        fail(f"{rel(t)}: unbalanced '{{{{' and '}}}}'")
    actions = re.findall(r"\{\{-?\s*(.*?)\s*-?\}\}", text, re.S)
    opens = sum(1 for a in actions if re.match(r"(if|with|range|define|block)\b", a))
    ends = sum(1 for a in actions if re.match(r"end\b", a))
    if opens != ends:
        fail(f"{rel(t)}: {opens} if/with/range/define blocks but {ends} ends")
ok("template actions balanced")

# 6. Metric names used by the dashboard and alerts exist (MetricNames.cs), with the right suffixes.
metric_src = open(os.path.join(ROOT, "src/WorldCluster.Runtime/Metrics/MetricNames.cs")).read()
known = set(re.findall(r'"(worldcluster_[a-z0-9_]+)"', metric_src))
histograms = {n for n in known if re.search(r"_(seconds|size)$", n) and not n.endswith("_total")}
dash_exprs = [t["expr"] for p in json.load(open(os.path.join(ROOT, "deploy/grafana/worldcluster-dashboard.json")))["panels"]
              for t in p.get("targets", [])]
alert_exprs = [r["expr"] for g in yaml.safe_load(open(os.path.join(ROOT, "deploy/prometheus/alerts.yml")))["groups"]
               for r in g["rules"]]
def check_series(where, exprs):
    """Fails for every worldcluster_* series in the PromQL exprs that the silo does not export; returns the names used."""
    used = set(re.findall(r"worldcluster_[a-z0-9_]+", " ".join(exprs)))
    for u in sorted(used):
        base = re.sub(r"_(bucket|sum|count)$", "", u)
        if u in known and u not in histograms:
            continue
        if base in histograms and u != base:
            continue
        fail(f"{where}: {u} is not a metric from MetricNames.cs (histograms need _bucket/_sum/_count)")
    return used


for f, exprs in (("deploy/grafana/worldcluster-dashboard.json", dash_exprs), ("deploy/prometheus/alerts.yml", alert_exprs)):
    used = check_series(f, exprs)
    ok(f"{f}: {len(used)} metric names in {len(exprs)} queries checked")

# 7. Dashboard shape.
dash = json.load(open(os.path.join(ROOT, "deploy/grafana/worldcluster-dashboard.json")))
ids = [p["id"] for p in dash["panels"]]
if len(ids) != len(set(ids)):
    fail("dashboard: duplicate panel ids")
if not 36 <= dash.get("schemaVersion", 0) <= 41:
    fail(f"dashboard: schemaVersion {dash.get('schemaVersion')}")
ok(f"dashboard: {len(ids)} panels, schemaVersion {dash['schemaVersion']}")

# 8. Alert rules: every rule has for, severity, summary and description.
rules = [r for g in yaml.safe_load(open(os.path.join(ROOT, "deploy/prometheus/alerts.yml")))["groups"] for r in g["rules"]]
for r in rules:
    missing = [k for k, ok_ in (("for", "for" in r), ("severity", "severity" in r.get("labels", {})),
                                ("summary", "summary" in r.get("annotations", {})),
                                ("description", "description" in r.get("annotations", {}))) if not ok_]
    if missing:
        fail(f"alerts.yml: {r.get('alert')} lacks {', '.join(missing)}")
ok(f"alerts.yml: {len(rules)} rules checked")

# 9. Rendered kustomize output (a file given as argv[1]): probes, grace period above the host's shutdown timeout.
if len(sys.argv) > 1:
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
    kinds = sorted(d["kind"] for d in docs)
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    shutdown = int(cm["data"].get("DOTNET_shutdownTimeoutSeconds", 30))
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        spec = d["spec"]["template"]["spec"]
        name = d["metadata"]["name"]
        if spec.get("terminationGracePeriodSeconds", 30) <= shutdown:
            fail(f"k8s {name}: terminationGracePeriodSeconds {spec.get('terminationGracePeriodSeconds')} not above shutdown timeout {shutdown}")
        for c in spec["containers"]:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe not in c:
                    fail(f"k8s {name}: container {c['name']} has no {probe}")
            envs = {e["name"] for e in c.get("env", [])}
            for e in ("POD_NAME", "POD_IP", "WorldCluster__Role"):
                if e not in envs:
                    fail(f"k8s {name}: no {e} env")
    model_silo = next((d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "worldcluster-model"), None)
    if not model_silo or model_silo["spec"].get("replicas") is None:
        fail("k8s: the base's model Deployment should keep a fixed replica count (autoscaling is an optional component)")
    if any(d["kind"] == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["name"] == "worldcluster-model" for d in docs):
        fail("k8s: the base should not autoscale model silos (it must render and run without prometheus-adapter or KEDA)")
    ok(f"kustomize output: {len(docs)} objects ({', '.join(kinds)})")

# 10. Render the chart with deploy/render_chart.py (a Go-template subset interpreter, not helm) in several
# configurations; the output must be valid YAML with the expected objects, and bad configurations must fail.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render_chart  # noqa: E402


def rendered(sets, apis=()):
    texts = render_chart.render(CHART, sets, apis)
    out = []
    for f, text in texts.items():
        if f == "NOTES.txt":
            continue
        try:
            out += [(f, d) for d in yaml.safe_load_all(text) if d]
        except yaml.YAMLError as e:
            fail(f"chart render {sets}: {f} is not valid YAML: {e}")
    return out, texts.get("NOTES.txt", "")


def env_of(d):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}


def find(docs, kind, suffix):
    return next((d for _, d in docs if d["kind"] == kind and d["metadata"]["name"].endswith(suffix)), None)


try:
    docs, notes = rendered(["storage.connectionString=UseDevelopmentStorage=true"])
    kinds = sorted(d["kind"] for _, d in docs)
    want = sorted(["Deployment", "Deployment", "Service", "Service", "PodDisruptionBudget", "PodDisruptionBudget",
                   "HorizontalPodAutoscaler", "ServiceAccount", "Secret"])
    if kinds != want:
        fail(f"chart default render: kinds {kinds}, expected {want}")
    for _, d in docs:
        if d["kind"] == "Deployment":
            c = d["spec"]["template"]["spec"]["containers"][0]
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe not in c:
                    fail(f"chart: {d['metadata']['name']} lacks {probe}")
            if d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] <= int(env_of(d)["DOTNET_shutdownTimeoutSeconds"]):
                fail(f"chart: {d['metadata']['name']} grace period not above the shutdown timeout")
            sel = d["spec"]["selector"]["matchLabels"]
            if any(d["spec"]["template"]["metadata"]["labels"].get(k) != v for k, v in sel.items()):
                fail(f"chart: {d['metadata']['name']} selector does not match its pod labels")
    gw = find(docs, "Deployment", "-gateway")
    if gw and "replicas" in gw["spec"]:
        fail("chart: gateway Deployment sets replicas although the HPA owns them")
    model = find(docs, "Deployment", "-model")
    if env_of(model).get("WorldCluster__Role") != "model" or "nvidia.com/gpu" in str(model["spec"]["template"]["spec"]):
        fail("chart default render: model silos should be role model without GPUs")
    secret = find(docs, "Secret", "-storage")
    if secret and base64.b64decode(secret["data"]["connectionString"]).decode() != "UseDevelopmentStorage=true":
        fail("chart: created Secret does not hold storage.connectionString")
    if "port-forward" not in notes:
        fail("chart: NOTES.txt did not render")

    docs, _ = rendered(["storage.existingSecret=wc-storage", "model.gpu.enabled=true", "model.gpu.count=2",
                        "gateway.enabled=false", "model.replicas=1", "model.nodeSelector.pool=gpu"])
    model = find(docs, "Deployment", "-model")
    spec = model["spec"]["template"]["spec"]
    limits = spec["containers"][0]["resources"]["limits"]
    if str(limits.get("nvidia.com/gpu")) != "2" or limits.get("memory") != "8Gi":
        fail(f"chart GPU render: limits {limits}")
    if spec.get("nodeSelector") != {"nvidia.com/gpu.present": "true", "pool": "gpu"}:
        fail(f"chart GPU render: nodeSelector {spec.get('nodeSelector')}")
    if not any(t.get("key") == "nvidia.com/gpu" for t in spec.get("tolerations", [])):
        fail("chart GPU render: no nvidia.com/gpu toleration")
    if env_of(model)["WorldCluster__Role"] != "both":
        fail("chart without gateways: model silos should be role both")
    if find(docs, "Secret", "") or find(docs, "Deployment", "-gateway") or find(docs, "HorizontalPodAutoscaler", ""):
        fail("chart GPU render: unexpected Secret, gateway or HPA")
    svc = find(docs, "Service", "worldcluster")
    if svc["spec"]["selector"].get("app.kubernetes.io/component") != "model":
        fail("chart without gateways: client Service should select model silos")
    if env_of(model)["WorldCluster__Store__ConnectionString"]["secretKeyRef"]["name"] != "wc-storage":
        fail("chart: existingSecret not used")

    docs, _ = rendered(["storage.existingSecret=wc-storage", "serviceMonitor.enabled=true", "serviceMonitor.labels.release=prom",
                        "extraEnv.WorldCluster__Worlds__SnapshotEvery=128"], ["monitoring.coreos.com/v1/ServiceMonitor"])
    sm = find(docs, "ServiceMonitor", "")
    if not sm or sm["metadata"]["labels"].get("release") != "prom":
        fail("chart: ServiceMonitor missing or without its extra labels")
    if env_of(find(docs, "Deployment", "-model")).get("WorldCluster__Worlds__SnapshotEvery") != "128":
        fail("chart: extraEnv not rendered")

    for sets, apis, why in (([], [], "no storage secret"),
                            (["storage.existingSecret=x", "terminationGracePeriodSeconds=45"], [], "grace period not above shutdown timeout"),
                            (["storage.existingSecret=x", "serviceMonitor.enabled=true"], [], "ServiceMonitor without its CRD")):
        try:
            render_chart.render(CHART, sets, apis)
            fail(f"chart: rendering with {why} should fail")
        except render_chart.Fail:
            pass
    ok("chart renders (render_chart.py): default, GPU without gateways, ServiceMonitor; 3 bad configurations fail")
except render_chart.TemplateError as e:
    fail(f"chart render: {e}")

# 11. Model silo autoscaling: the kustomize components (through deploy/overlays) and the chart's HPA and ScaledObject
# target the model Deployment, which then leaves its replica count to them, drains by migration and has a grace period
# above the shutdown timeout; they use only metrics the silo exports (through the adapter rules, for the HPA); scale-down
# is slow and one silo per period longer than a drain.
import subprocess  # noqa: E402

adapter = yaml.safe_load(open(os.path.join(ROOT, "deploy/k8s/prometheus-adapter/config.yaml")))
adapter_values = yaml.safe_load(open(os.path.join(ROOT, "deploy/prometheus/prometheus-adapter-values.yaml")))
if adapter_values.get("rules", {}).get("custom") != adapter["rules"]:
    fail("deploy/prometheus/prometheus-adapter-values.yaml: rules.custom differ from deploy/k8s/prometheus-adapter/config.yaml")
adapter_names = set()
for rule in adapter["rules"]:
    check_series("prometheus-adapter rules", [rule["seriesQuery"], rule["metricsQuery"]])
    adapter_names.add(rule["name"]["as"])
    if set(rule["resources"]["overrides"]) != {"namespace", "pod"}:
        fail(f"prometheus-adapter rule {rule['name']['as']}: should map the namespace and pod labels")
# The custom metrics keep the silo's names (a histogram's base name for its mean), so HPAs read like the silo's /metrics.
for n in sorted(adapter_names - known):
    fail(f"prometheus-adapter rules: custom metric {n} is not named after a metric from MetricNames.cs")
ok(f"prometheus-adapter rules: {', '.join(sorted(adapter_names))}")


def check_model_autoscaling(where, docs, kind, model_name, scaler_name):
    model = next((d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == model_name), None)
    if model is None:
        fail(f"{where}: no model Deployment {model_name}")
        return
    spec = model["spec"]["template"]["spec"]
    grace = spec.get("terminationGracePeriodSeconds", 30)
    env = {e["name"]: e.get("value") for e in spec["containers"][0].get("env", [])}
    if "replicas" in model["spec"]:
        fail(f"{where}: the model Deployment sets replicas although the autoscaler owns them")
    if env.get("WorldCluster__Worlds__DrainByMigration") != "true":
        fail(f"{where}: model silos should set WorldCluster__Worlds__DrainByMigration=true (scale-down drains by migration)")
    scaler = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == scaler_name]
    if len(scaler) != 1:
        fail(f"{where}: expected one {kind} {scaler_name}, found {len(scaler)}")
        return
    sc = scaler[0]["spec"]
    target = sc["scaleTargetRef"]
    if target.get("name") != model_name or target.get("kind", "Deployment") != "Deployment" or target.get("apiVersion", "apps/v1") != "apps/v1":
        fail(f"{where}: {kind} targets {target}, not the model Deployment {model_name}")
    if kind == "HorizontalPodAutoscaler":
        lowest, behavior = sc["minReplicas"], sc["behavior"]
        names = [m["pods"]["metric"]["name"] for m in sc["metrics"] if m["type"] == "Pods"]
        if len(names) != len(sc["metrics"]) or not names:
            fail(f"{where}: HPA metrics should all be Pods metrics from the adapter")
        for n in names:
            if n not in adapter_names:
                fail(f"{where}: HPA metric {n} is not served by the prometheus-adapter rules")
        for n in sorted(set(names) - known):
            fail(f"{where}: HPA metric {n} is not a metric from MetricNames.cs")
        if "worldcluster_batcher_busy_ratio" not in names:
            fail(f"{where}: HPA does not scale on the batcher busy share")
    else:
        lowest, behavior = sc["minReplicaCount"], sc["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        triggers = sc["triggers"]
        if not triggers or any(t["type"] != "prometheus" for t in triggers):
            fail(f"{where}: ScaledObject triggers should all be prometheus")
        for t in triggers:
            md = t["metadata"]
            check_series(where, [md["query"]])
            if md.get("ignoreNullValues") != "false":
                fail(f"{where}: trigger {t.get('name')} should set ignoreNullValues \"false\" (an empty result must not scale down)")
            if not md.get("serverAddress") or float(md["threshold"]) <= 0:
                fail(f"{where}: trigger {t.get('name')} lacks a server address or a positive threshold")
            namespace = scaler[0]["metadata"].get("namespace")
            if namespace and f'namespace="{namespace}"' not in md["query"]:
                fail(f"{where}: trigger {t.get('name')} queries another namespace than {namespace}")
        if not any("worldcluster_batcher_busy_ratio" in t["metadata"]["query"] for t in triggers):
            fail(f"{where}: ScaledObject does not scale on the batcher busy share")
    if lowest < 2:
        fail(f"{where}: fewer than 2 model silos leaves a drain nowhere to move worlds")
    down = behavior["scaleDown"]
    if down.get("stabilizationWindowSeconds", 0) < 300:
        fail(f"{where}: scale-down stabilization window under 5 minutes")
    for policy in down["policies"]:
        if policy["type"] != "Pods" or policy["value"] != 1 or policy["periodSeconds"] <= grace:
            fail(f"{where}: scale-down policy {policy} should remove 1 pod per period longer than the grace period ({grace} s)")


def kustomize(path):
    out = subprocess.run(["kubectl", "kustomize", os.path.join(ROOT, path)], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"kubectl kustomize {path}: {out.stderr.strip()}")
        return []
    return [d for d in yaml.safe_load_all(out.stdout) if d]


for path, kind in (("deploy/overlays/model-autoscaling-hpa", "HorizontalPodAutoscaler"),
                   ("deploy/overlays/model-autoscaling-keda", "ScaledObject")):
    docs = kustomize(path)
    if docs:
        check_model_autoscaling(path, docs, kind, "worldcluster-model", "worldcluster-model")
        ok(f"{path}: {len(docs)} objects, {kind} on the model silos checked")
cms = kustomize("deploy/k8s/prometheus-adapter")
if cms and yaml.safe_load(cms[0]["data"]["config.yaml"]) != adapter:
    fail("deploy/k8s/prometheus-adapter: the ConfigMap does not hold config.yaml")

try:
    keda_api = ["keda.sh/v1alpha1/ScaledObject"]
    secret = "storage.existingSecret=wc-storage"
    docs, _ = rendered([secret, "model.autoscaling.enabled=true"])
    check_model_autoscaling("chart hpa", [d for _, d in docs], "HorizontalPodAutoscaler", "wc-worldcluster-model", "wc-worldcluster-model")
    docs, _ = rendered([secret, "model.autoscaling.enabled=true", "model.autoscaling.targetBudgetRatio=0",
                        "model.autoscaling.targetQueueDelaySeconds=0"])
    hpa = find(docs, "HorizontalPodAutoscaler", "-model")
    if [m["pods"]["metric"]["name"] for m in hpa["spec"]["metrics"]] != ["worldcluster_batcher_busy_ratio"]:
        fail("chart hpa: targets of 0 should leave their metrics out")
    docs, _ = rendered([secret, "model.autoscaling.enabled=true", "model.autoscaling.kind=keda",
                        "model.autoscaling.keda.serverAddress=http://prometheus-operated.monitoring.svc:9090"], keda_api)
    check_model_autoscaling("chart keda", [d for _, d in docs], "ScaledObject", "wc-worldcluster-model", "wc-worldcluster-model")
    if find(docs, "HorizontalPodAutoscaler", "-model"):
        fail("chart keda: an HPA beside the ScaledObject (KEDA makes its own)")
    docs, _ = rendered([secret])
    if find(docs, "HorizontalPodAutoscaler", "-model") or find(docs, "ScaledObject", "") or "replicas" not in find(docs, "Deployment", "-model")["spec"]:
        fail("chart: with model.autoscaling off, model silos should have a fixed count and no autoscaler")
    for sets, apis, why in (([secret, "model.autoscaling.enabled=true", "model.autoscaling.kind=keda",
                              "model.autoscaling.keda.serverAddress=http://p:9090"], [], "KEDA without its CRD"),
                            ([secret, "model.autoscaling.enabled=true", "model.autoscaling.kind=keda"], keda_api, "KEDA without a Prometheus address"),
                            ([secret, "model.autoscaling.enabled=true", "model.autoscaling.scaleDownPeriodSeconds=60"], [],
                             "a scale-down period not above the grace period"),
                            ([secret, "model.autoscaling.enabled=true", "model.autoscaling.minReplicas=5", "model.autoscaling.maxReplicas=3"], [],
                             "maxReplicas below minReplicas")):
        try:
            render_chart.render(CHART, sets, apis)
            fail(f"chart: rendering with {why} should fail")
        except render_chart.Fail:
            pass
    bad = merged(values, {"model": {"autoscaling": {"kind": "cpu"}}})
    if jsonschema.Draft7Validator(schema).is_valid(bad):
        fail("values.schema.json accepts an unknown model.autoscaling.kind")
    ok("chart model autoscaling: hpa, keda and off render and check; 4 bad configurations fail")
except render_chart.TemplateError as e:
    fail(f"chart render: {e}")

print()
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
