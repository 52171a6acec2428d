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
