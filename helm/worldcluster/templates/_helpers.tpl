{{/* Chart name. */}}
{{- define "worldcluster.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release + chart, unless overridden. */}}
{{- define "worldcluster.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "worldcluster.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every resource. */}}
{{- define "worldcluster.labels" -}}
helm.sh/chart: {{ include "worldcluster.chart" . }}
{{ include "worldcluster.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: worldcluster
{{- end -}}

{{/* Selector labels shared by all silos; workloads add app.kubernetes.io/component. */}}
{{- define "worldcluster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "worldcluster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "worldcluster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "worldcluster.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "worldcluster.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Name of the Secret with the storage connection string. */}}
{{- define "worldcluster.storageSecretName" -}}
{{- default (printf "%s-storage" (include "worldcluster.fullname" .)) .Values.storage.existingSecret -}}
{{- end -}}

{{/*
Environment shared by every silo. Orleans identity and address come from the downward API.
WorldCluster__Clustering__* and WorldCluster__Role are read once the clustering work lands (README.md).
*/}}
{{- define "worldcluster.env" -}}
- name: ASPNETCORE_URLS
  value: {{ printf "http://+:%d" (int .Values.httpPort) | quote }}
- name: DOTNET_shutdownTimeoutSeconds
  value: {{ .Values.shutdownTimeoutSeconds | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: ORLEANS_CLUSTER_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['orleans/clusterId']
- name: ORLEANS_SERVICE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['orleans/serviceId']
- name: WorldCluster__ClusterId
  value: {{ .Values.orleans.clusterId | quote }}
- name: WorldCluster__ServiceId
  value: {{ .Values.orleans.serviceId | quote }}
- name: WorldCluster__SiloPort
  value: {{ .Values.orleans.siloPort | quote }}
- name: WorldCluster__GatewayPort
  value: {{ .Values.orleans.gatewayPort | quote }}
- name: WorldCluster__Data
  value: /data
- name: WorldCluster__Clustering__Kind
  value: {{ .Values.clustering.kind | quote }}
- name: WorldCluster__Store__Kind
  value: {{ .Values.storage.kind | quote }}
- name: WorldCluster__Store__Container
  value: {{ .Values.storage.container | quote }}
- name: WorldCluster__Store__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ include "worldcluster.storageSecretName" . }}
      key: {{ .Values.storage.secretKey }}
- name: WorldCluster__Clustering__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ include "worldcluster.storageSecretName" . }}
      key: {{ .Values.storage.secretKey }}
{{- range $k, $v := .Values.extraEnv }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{/* Ports, probes, security context and volume mounts of the silo container. */}}
{{- define "worldcluster.containerCommon" -}}
image: {{ include "worldcluster.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
ports:
  - name: http
    containerPort: {{ .Values.httpPort }}
    protocol: TCP
  - name: silo
    containerPort: {{ .Values.orleans.siloPort }}
    protocol: TCP
  - name: gateway
    containerPort: {{ .Values.orleans.gatewayPort }}
    protocol: TCP
startupProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
readinessProbe:
  httpGet:
    path: /health/ready
    port: http
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
livenessProbe:
  httpGet:
    path: /health/live
    port: http
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
volumeMounts:
  - name: data
    mountPath: /data
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{/* Pod-level settings shared by every silo. */}}
{{- define "worldcluster.podCommon" -}}
serviceAccountName: {{ include "worldcluster.serviceAccountName" . }}
automountServiceAccountToken: false
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
volumes:
  # Scratch: worlds are in the store; the host creates its data folder at start.
  - name: data
    emptyDir: {}
  - name: tmp
    emptyDir: {}
{{- end -}}

{{/* Pod labels: Orleans' conventional labels carry the cluster and service ids to the downward API. */}}
{{- define "worldcluster.podLabels" -}}
orleans/clusterId: {{ .Values.orleans.clusterId | quote }}
orleans/serviceId: {{ .Values.orleans.serviceId | quote }}
{{- end -}}

{{/* The model silos' autoscaling behavior (HPA and KEDA alike): up after a minute of load, down slowly, one silo per period. */}}
{{- define "worldcluster.modelScalingBehavior" -}}
scaleUp:
  stabilizationWindowSeconds: {{ .Values.model.autoscaling.scaleUpStabilizationWindowSeconds }}
  selectPolicy: Max
  policies:
    - type: Pods
      value: 2
      periodSeconds: 120
scaleDown:
  stabilizationWindowSeconds: {{ .Values.model.autoscaling.scaleDownStabilizationWindowSeconds }}
  selectPolicy: Min
  policies:
    - type: Pods
      value: 1
      periodSeconds: {{ .Values.model.autoscaling.scaleDownPeriodSeconds }}
{{- end -}}
