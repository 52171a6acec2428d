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

{{- define "paddock.embedded" -}}
{{- if .Values.database.urlSecret.name -}}{{- else -}}true{{- end -}}
{{- end -}}

{{/* The jarvice.* settings as environment variables of the same names (empty ones are left out). */}}
{{- define "paddock.jarviceEnv" -}}
{{- range $k, $v := .Values.jarvice }}
{{- if and (ne $k "JARVICE_SYSTEM_NAMESPACE") (ne $k "JARVICE_JOBS_NAMESPACE") (or (kindIs "bool" $v) (kindIs "float64" $v) (kindIs "int64" $v) (ne (toString $v) "")) }}
- name: {{ $k }}
  value: {{ toString $v | quote }}
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
