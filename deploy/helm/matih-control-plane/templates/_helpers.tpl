{{/*
Names. The chart's objects are named after the release ("<release>-matih-control-plane", or just
the release name when it already contains the chart's name), cut to 63 characters (a DNS label).
*/}}
{{- define "matih.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "matih.fullname" -}}
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

{{/* A name derived from the full name: "<fullname>-<suffix>", within 63 characters. */}}
{{- define "matih.suffixed" -}}
{{- $suffix := .suffix }}
{{- printf "%s-%s" (include "matih.fullname" .root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "matih.selectorLabels" -}}
app.kubernetes.io/name: {{ include "matih.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "matih.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "matih.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: matih
{{- end }}

{{- define "matih.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "matih.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: name the ServiceAccount to run as when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret every secret variable comes from: the operator's own, or the one the chart makes. */}}
{{- define "matih.secretName" -}}
{{- default (include "matih.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "matih.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/* The embedded DNS server runs (and gets its Service and ports) when it is the DNS driver. */}}
{{- define "matih.embeddedDns" -}}
{{- if eq .Values.dns.driver "embedded" }}true{{ end }}
{{- end }}

{{/*
MATIH_TRUST_PROXY: as given; else one hop (the ingress controller) when the chart's Ingress is on;
else unset (the peer's address is the client's).
*/}}
{{- define "matih.trustProxy" -}}
{{- if .Values.trustProxy }}
{{- .Values.trustProxy | toString }}
{{- else if .Values.ingress.enabled }}
{{- "1" }}
{{- end }}
{{- end }}

{{/*
How long Kubernetes waits between pod deletion and SIGKILL: the preStop pause, the service's delay
before closing its listeners (MATIH_SHUTDOWN_DELAY_MS) and its own grace for requests in flight
(MATIH_SHUTDOWN_GRACE_MS), and a margin for the engine's steps to finish or hand their jobs back
(and, embedded, PostgreSQL to stop).
*/}}
{{- define "matih.terminationGracePeriodSeconds" -}}
{{- $graceSeconds := div (add .Values.shutdown.graceMs .Values.shutdown.delayMs 999) 1000 }}
{{- add .Values.shutdown.preStopSeconds $graceSeconds .Values.shutdown.marginSeconds }}
{{- end }}

{{/*
Refusals that need more than one value, with a message that says what to change. The schema
(values.schema.json) checks each value on its own.
*/}}
{{- define "matih.validate" -}}
{{- if and (not .Values.database.external) (gt (int .Values.replicaCount) 1) }}
{{- fail (printf "replicaCount=%d needs database.external=true: the embedded PostgreSQL server lives in one pod's data directory, so it serves one replica only. Set DATABASE_URL (a PostgreSQL server the replicas share) in the Secret and database.external=true, or replicaCount=1" (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.database.external (not .Values.secrets.existingSecret) (not .Values.secrets.values.DATABASE_URL) }}
{{- fail "database.external=true needs DATABASE_URL: put it in secrets.values.DATABASE_URL, or in the Secret secrets.existingSecret names (or set database.external=false for the embedded server, one replica)" }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) }}
{{- fail "ingress.enabled=true needs ingress.host, the host name the tenant API and dashboard answer on" }}
{{- end }}
{{- range $key, $value := .Values.secrets.values }}
{{- if hasKey $.Values.config $key }}
{{- fail (printf "%s is set in both config and secrets.values: keep it in one place (secrets.values for credentials)" $key) }}
{{- end }}
{{- end }}
{{- end }}
