// jarvice-pod-scheduler's metrics (issue 11 item 7), in the process registry.
import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "../lib/metrics";

const registers = [registry];

export const schedulerMetrics = {
  /** one per gang placement attempt: scheduled | unschedulable | error */
  attempts: new Counter({ name: "jarvice_pod_scheduler_schedule_attempts_total", help: "Gang (job) placement attempts by result.", labelNames: ["result"] as const, registers }),
  /** jobs waiting, by where they are in the queue: active | backoff | unschedulable */
  pendingJobs: new Gauge({ name: "jarvice_pod_scheduler_pending_jobs", help: "Jobs waiting to be placed, by queue.", labelNames: ["queue"] as const, registers }),
  /** from the pod's creation to the informer confirming its binding */
  e2eSeconds: new Histogram({ name: "jarvice_pod_scheduler_e2e_scheduling_duration_seconds", help: "Time from pod creation to a confirmed binding.", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers }),
  /** one POST pods/binding */
  bindingSeconds: new Histogram({ name: "jarvice_pod_scheduler_binding_duration_seconds", help: "Duration of one binding request.", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers }),
  /** failed bindings by outcome: gone | conflict | refused | unavailable */
  bindingErrors: new Counter({ name: "jarvice_pod_scheduler_binding_errors_total", help: "Failed bindings by outcome.", labelNames: ["outcome"] as const, registers }),
  /** nodes filtered out while placing a pod, by reason (tenant = holds another tenant's pods) */
  disqualifiedNodes: new Counter({ name: "jarvice_pod_scheduler_disqualified_nodes_total", help: "Nodes disqualified for a pod, by reason.", labelNames: ["reason"] as const, registers }),
  /** 1 while this instance holds the Lease */
  leader: new Gauge({ name: "jarvice_pod_scheduler_leader", help: "1 while this instance is the leader.", registers }),
};
