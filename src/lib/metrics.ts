// One Prometheus registry per process (prom-client), served as text on
// /metrics: by the API server, and by a small listener in a process that runs
// only the pod scheduler. Metric labels never carry tenant, user or job names.
import { collectDefaultMetrics, Registry } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The exposition format's media type, exactly as Prometheus expects it. */
export const METRICS_CONTENT_TYPE = registry.contentType;

export function metricsText(): Promise<string> {
  return registry.metrics();
}
