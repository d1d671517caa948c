{{/* Names and labels. */}}
{{- define "gemini-adapter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gemini-adapter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gemini-adapter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gemini-adapter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gemini-adapter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gemini-adapter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gemini-adapter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gemini-adapter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding GEMINI_API_KEY / ADAPTER_API_KEYS. */}}
{{- define "gemini-adapter.keysSecret" -}}
{{- default (include "gemini-adapter.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* The Secret holding the store URL. */}}
{{- define "gemini-adapter.storeSecret" -}}
{{- default (include "gemini-adapter.fullname" .) .Values.store.existingSecret }}
{{- end }}

{{/* Whether the chart's own Secret has anything to hold. */}}
{{- define "gemini-adapter.ownSecret" -}}
{{- if or (and (not .Values.secrets.existingSecret) (or .Values.secrets.geminiApiKey .Values.secrets.adapterApiKeys)) (and (not .Values.store.existingSecret) .Values.store.url) }}true{{ end }}
{{- end }}

{{/*
The store's kind: postgresql, sqlite, none or memory. From store.url when set, from
store.scheme when the URL is in an existing Secret, sqlite when nothing is set (the
adapter's default).
*/}}
{{- define "gemini-adapter.storeScheme" -}}
{{- if .Values.store.existingSecret }}
{{- required "store.scheme is required with store.existingSecret (postgresql, sqlite, none or memory): the chart checks replicas against it" .Values.store.scheme }}
{{- else if .Values.store.url }}
{{- $url := .Values.store.url }}
{{- if or (hasPrefix "postgresql://" $url) (hasPrefix "postgres://" $url) (hasPrefix "postgresql+" $url) }}postgresql
{{- else if or (eq $url "sqlite") (hasPrefix "sqlite:" $url) }}sqlite
{{- else if eq $url "none" }}none
{{- else if eq $url "memory" }}memory
{{- else }}{{ fail (printf "store.url must be postgresql://..., sqlite or sqlite:///..., none or memory (got scheme %q)" (first (splitList ":" $url))) }}
{{- end }}
{{- else }}sqlite
{{- end }}
{{- end }}

{{/* The most pods this release can run: replicaCount, or the HPA's ceiling. */}}
{{- define "gemini-adapter.maxPods" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas | int }}{{ else }}{{ .Values.replicaCount | int }}{{ end }}
{{- end }}

{{/*
Checks that stop a bad release at render time (helm template / install / upgrade).
*/}}
{{- define "gemini-adapter.validate" -}}
{{- $scheme := include "gemini-adapter.storeScheme" . }}
{{- if not (has $scheme (list "postgresql" "sqlite" "none" "memory")) }}
{{- fail (printf "store.scheme must be postgresql, sqlite, none or memory, not %q" $scheme) }}
{{- end }}
{{- $pods := include "gemini-adapter.maxPods" . | int }}
{{- if and (gt $pods 1) (has $scheme (list "sqlite" "memory")) }}
{{- fail (printf "%d replicas (replicaCount, or autoscaling.maxReplicas when autoscaling is on) need a store all of them share: set store.url to postgresql://... (or none), not %s, whose data lives in one pod" $pods $scheme) }}
{{- end }}
{{- if and (gt $pods 1) .Values.persistence.enabled (not .Values.persistence.existingClaim) (eq $scheme "sqlite") }}
{{- fail "persistence with several replicas: use a PostgreSQL store" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (.Values.autoscaling.minReplicas | int) (.Values.autoscaling.maxReplicas | int)) }}
{{- fail "autoscaling.minReplicas is above autoscaling.maxReplicas" }}
{{- end }}
{{- if and (not .Values.secrets.existingSecret) .Values.secrets.geminiApiKey (not .Values.secrets.adapterApiKeys) }}
{{- fail "secrets.geminiApiKey without secrets.adapterApiKeys would serve your key to anyone who reaches the Service (the adapter refuses to start as an open relay): set adapterApiKeys" }}
{{- end }}
{{- if and (eq .Values.adapter.upstream "vertex") (not .Values.secrets.existingSecret) (not .Values.secrets.adapterApiKeys) }}
{{- fail "adapter.upstream vertex calls Vertex AI with the pod's own credentials: callers must present one of secrets.adapterApiKeys (or set secrets.existingSecret), or the adapter refuses to start as an open relay" }}
{{- end }}
{{- if le (include "gemini-adapter.terminationGrace" . | int) (add (.Values.adapter.shutdownGraceSeconds | int) (.Values.preStopSleepSeconds | int)) }}
{{- fail "terminationGracePeriodSeconds must be above preStopSleepSeconds + adapter.shutdownGraceSeconds, or the kubelet kills streams the adapter would let finish" }}
{{- end }}
{{- end }}

{{- define "gemini-adapter.terminationGrace" -}}
{{- if .Values.terminationGracePeriodSeconds }}{{ .Values.terminationGracePeriodSeconds | int }}{{ else }}{{ add (.Values.adapter.shutdownGraceSeconds | int) (.Values.preStopSleepSeconds | int) 10 }}{{ end }}
{{- end }}

{{/* config.json for --config: model aliases plus any other setting. */}}
{{- define "gemini-adapter.configJson" -}}
{{- $config := deepCopy (default dict .Values.adapter.config) }}
{{- if .Values.adapter.modelAliases }}
{{- $_ := set $config "model_aliases" .Values.adapter.modelAliases }}
{{- end }}
{{- toPrettyJson $config }}
{{- end }}
