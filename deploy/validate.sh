#!/usr/bin/env bash
# Validates deploy/ and helm/worldcluster without a cluster, Docker or (necessarily) helm:
#   - kubectl kustomize deploy/k8s renders (kubectl is required);
#   - deploy/validate.py: YAML/JSON parse, values.yaml against values.schema.json, `# --` comments on every value,
#     every .Values reference exists and every value is used, template block balance, metric names, alert fields,
#     and the chart rendered by deploy/render_chart.py (a Go-template subset interpreter, not helm) in several
#     configurations, checking the objects and that bad configurations fail; the model silo autoscaling overlays
#     (deploy/overlays/model-autoscaling-{hpa,keda}, rendered with kubectl kustomize) and the chart's HPA and KEDA
#     ScaledObject: their target, the metrics they use (MetricNames.cs, the prometheus-adapter rules) and scale-down;
#   - where they exist: promtool (alert rules and their unit tests, config, the dashboard's queries), helm (lint, template with GPU and
#     without gateways). promtool is in Debian's `prometheus` package.
# Needs python3 with PyYAML and jsonschema (Debian/Ubuntu: apt-get install python3-yaml python3-jsonschema).
set -euo pipefail
# The first python3 that has PyYAML and jsonschema (build/install-deps.sh installs Debian's python3-yaml and python3-jsonschema).
PY=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import yaml, jsonschema" 2>/dev/null; then PY="$candidate"; break; fi
done
[ -n "$PY" ] || { echo "FAIL: no python3 with PyYAML and jsonschema (run build/install-deps.sh)"; exit 1; }
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== kubectl kustomize deploy/k8s"
kubectl kustomize deploy/k8s > "$out/k8s.yaml"
echo "ok   rendered $(grep -c '^kind:' "$out/k8s.yaml") objects"

echo "== static checks (deploy/validate.py)"
"$PY" deploy/validate.py "$out/k8s.yaml"

if command -v promtool >/dev/null 2>&1; then
  echo "== promtool"
  promtool check rules deploy/prometheus/alerts.yml
  promtool test rules deploy/prometheus/alerts.test.yml
  # The config names /etc/prometheus/alerts.yml (the compose mount); check the rules file above instead.
  sed 's#/etc/prometheus/alerts.yml#'"$PWD"'/deploy/prometheus/alerts.yml#' deploy/prometheus/prometheus.yml > "$out/prometheus.yml"
  promtool check config "$out/prometheus.yml"
  # The dashboard's queries, as recording rules with Grafana's variables filled in, so that promtool parses them.
  "$PY" - "$out/dashboard-rules.yml" <<'PY'
import json, sys, yaml
d = json.load(open("deploy/grafana/worldcluster-dashboard.json"))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
fill = lambda e: e.replace("$__rate_interval", "5m").replace("$instance", ".*").replace("$model", ".*")
rules = [{"record": f"dashboard:query_{i}", "expr": fill(e)} for i, e in enumerate(exprs)]
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[1], "w"))
PY
  promtool check rules "$out/dashboard-rules.yml"
else
  echo "-- promtool not found: Prometheus rules checked by structure only"
fi

if command -v helm >/dev/null 2>&1; then
  echo "== helm"
  helm lint helm/worldcluster --set storage.connectionString=UseDevelopmentStorage=true
  for f in helm/worldcluster/ci/*-values.yaml; do helm lint helm/worldcluster -f "$f"; done
  helm template wc helm/worldcluster --set storage.connectionString=UseDevelopmentStorage=true > "$out/helm-default.yaml"
  helm template wc helm/worldcluster --set storage.existingSecret=wc-storage \
    --set model.gpu.enabled=true --set gateway.enabled=false --set model.replicas=1 > "$out/helm-gpu.yaml"
  grep -q 'nvidia.com/gpu: "1"' "$out/helm-gpu.yaml" || { echo "FAIL GPU limit not rendered"; exit 1; }
  helm template wc helm/worldcluster --set storage.existingSecret=wc-storage --set model.autoscaling.enabled=true > "$out/helm-hpa.yaml"
  grep -q 'name: worldcluster_batcher_busy_ratio' "$out/helm-hpa.yaml" || { echo "FAIL model HPA not rendered"; exit 1; }
  helm template wc helm/worldcluster --set storage.existingSecret=wc-storage --set model.autoscaling.enabled=true \
    --set model.autoscaling.kind=keda --set model.autoscaling.keda.serverAddress=http://prometheus:9090 \
    --api-versions keda.sh/v1alpha1/ScaledObject > "$out/helm-keda.yaml"
  grep -q 'kind: ScaledObject' "$out/helm-keda.yaml" || { echo "FAIL model ScaledObject not rendered"; exit 1; }
  echo "ok   helm lint and template"
else
  echo "-- helm not found: chart rendered by deploy/render_chart.py only (run 'helm lint helm/worldcluster' where helm exists)"
fi
echo "deploy/validate.sh: passed"
