{{- define "paddock.systemNamespace" -}}
{{- .Values.jarvice.JARVICE_SYSTEM_NAMESPACE | default "jarvice-system" -}}
{{- end -}}

{{- define "paddock.jobsNamespace" -}}
{{- .Values.jarvice.JARVICE_JOBS_NAMESPACE | default (printf "%s-jobs" (include "paddock.systemNamespace" .)) -}}
{{- end -}}

{{- define "paddock.labels" -}}
app.kubernetes.io/name: paddock
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "paddock.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* A downstream-only release (downstream: true): non-empty when set. */}}
{{- define "paddock.downstream" -}}
{{- include "paddock.isTrue" .Values.downstream -}}
{{- end -}}

{{- define "paddock.embedded" -}}
{{- if .Values.database.urlSecret.name -}}{{- else -}}true{{- end -}}
{{- end -}}

{{/* A boolean value as Paddock's schema takes it: true, false, or JARVICE's string
forms in any case ("false" is false, not a non-empty string). Empty for false. */}}
{{- define "paddock.isTrue" -}}
{{- if has (lower (trim (toString .))) (list "true" "yes" "1") -}}true{{- end -}}
{{- end -}}

{{/* The same for a setting that defaults to true: only an explicit false turns it off. */}}
{{- define "paddock.isFalse" -}}
{{- if has (lower (trim (toString .))) (list "false" "no" "0") -}}true{{- end -}}
{{- end -}}

{{/* The jarvice.* settings Paddock reads, as environment variables of the same
names, in the forms src/config/settings.ts takes. Empty ones (null, "") are left
out; '{}' and '[]' pass as they are (settings.ts reads them as unset). Every
other key of a JARVICE values file's jarvice: section is ignored: not rendered,
so JARVICE's own secrets (JARVICE_DBPASSWD, JARVICE_LICENSE_LIC, ...) never
reach a pod spec. */}}
{{- define "paddock.jarviceEnv" -}}
{{- $jarvice := .Values.jarvice | default dict }}
{{- range $k := list "JARVICE_JOBS_MULTI_TENANT" "JARVICE_JOBS_MULTI_TENANT_INGRESS_POD_LABELS" "JARVICE_JOBS_MULTI_TENANT_INGRESS_NS_LABELS" "JARVICE_JOBS_MULTI_TENANT_LB_SERVICE_CIDRS" "JARVICE_POD_SCHED_LOGLEVEL" "JARVICE_PVC_VAULT_NAME" "JARVICE_PVC_VAULT_STORAGECLASS" "JARVICE_PVC_VAULT_VOLUMENAME" "JARVICE_PVC_VAULT_ACCESSMODES" "JARVICE_PVC_VAULT_SIZE" "JARVICE_PVC_VAULT_SUBPATH" "JARVICE_PVC_VAULT_ZONE" "JARVICE_EPHEMERAL_VAULT_ZONE" "JARVICE_DAL_HOOK_META" }}
{{- $v := index $jarvice $k }}
{{- if and (not (kindIs "invalid" $v)) (ne (trim (toString $v)) "") }}
- name: {{ $k }}
  value: {{ if eq $k "JARVICE_JOBS_MULTI_TENANT" }}{{ lower (trim (toString $v)) | quote }}{{ else }}{{ trim (toString $v) | quote }}{{ end }}
{{- end }}
{{- end }}
- name: JARVICE_SYSTEM_NAMESPACE
  value: {{ include "paddock.systemNamespace" . | quote }}
- name: JARVICE_JOBS_NAMESPACE
  value: {{ include "paddock.jobsNamespace" . | quote }}
- name: PADDOCK_CLUSTER
  value: kubernetes
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end -}}

{{- define "paddock.databaseEnv" -}}
{{- if .Values.database.urlSecret.name }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.urlSecret.name }}
      key: {{ .Values.database.urlSecret.key }}
{{- else }}
- name: PADDOCK_DATA_DIR
  value: /data/pglite
{{- end }}
{{- end -}}

{{- define "paddock.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "paddock.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: false
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* Pod annotations for Prometheus' pod discovery (the prometheus.io/* convention of
Prometheus' example kubernetes_sd configuration and of the prometheus community chart):
scrape GET /metrics on the given port. Left out when metrics.annotations is false.
Takes (list $ port). */}}
{{- define "paddock.metricsAnnotations" -}}
{{- $root := index . 0 }}
{{- $port := index . 1 }}
{{- if not (include "paddock.isFalse" $root.Values.metrics.annotations) }}
annotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: {{ $port | quote }}
  prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* The /metrics and /healthz listener of a pod that runs no API (PADDOCK_METRICS_PORT), its
port named "metrics", and a liveness probe on /healthz (a wedged event loop also loses the Lease). */}}
{{- define "paddock.metricsListenerEnv" -}}
- name: PADDOCK_HOST
  value: "0.0.0.0"
- name: PADDOCK_METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
{{- end -}}

{{- define "paddock.metricsListenerPort" -}}
ports:
  - name: metrics
    containerPort: {{ .Values.metrics.port }}
livenessProbe:
  httpGet: { path: /healthz, port: metrics }
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 6
{{- end -}}
