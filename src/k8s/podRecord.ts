// What jarvice-pod-scheduler keeps of a Kubernetes pod or node: a compact
// record read once per informer event. The informers hold the full objects;
// the scheduler's cache (schedulerCache.ts) holds only these records.
import type * as k8s from "@kubernetes/client-node";
import type { NodeSnapshot, Resources, Taint, Toleration } from "../core/placement";
import { ANNOTATION_JOB_PODS, HOSTNAME_TOPOLOGY, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY, POD_SCHEDULER_NAME } from "../core/podPlan";
import { podRequests, type PodRequests } from "../core/podRequests";
import { quantity } from "../core/quantity";

/** Pods the scheduler watches: finished ones hold nothing and are left out by the API server. */
export const ACTIVE_PODS_FIELD_SELECTOR = "status.phase!=Succeeded,status.phase!=Failed";

export interface PodRecord {
  /** namespace/name */
  key: string;
  /** the gang: `namespace/<jarvice-job-number label>`, or the pod's own key */
  job: string;
  /** members the job will have (ANNOTATION_JOB_PODS); undefined when not annotated */
  expected?: number | undefined;
  /** metadata.uid (for Events about the pod) */
  uid?: string | undefined;
  /** spec.schedulerName is jarvice-pod-scheduler: ours to place */
  ours: boolean;
  /** the tenant of a Paddock-managed pod; undefined for pods Paddock does not manage */
  tenant?: string | undefined;
  /** spec.nodeName: bound there */
  node?: string | undefined;
  requests: PodRequests;
  nodeSelector?: Record<string, string> | undefined;
  tolerations: Toleration[];
  /** a required pod affinity to the pods of its own job on one host (podPlan's sameNodeAffinity): the whole job goes on one node */
  sameNode: boolean;
  /** spec.priority (0 when unset): higher is placed first */
  priority: number;
  /** creation time, ms since the epoch */
  created: number;
  /** the pod's wall time (spec.activeDeadlineSeconds), counted from startTime */
  activeDeadlineSeconds?: number | undefined;
  /** status.startTime, ms since the epoch */
  startTime?: number | undefined;
  /** metadata.deletionTimestamp is set */
  deleting: boolean;
  /** phase Succeeded or Failed: uses nothing any more */
  finished: boolean;
}

const ms = (t: Date | string | undefined): number | undefined => {
  if (t === undefined) return undefined;
  const v = new Date(t).getTime();
  return Number.isFinite(v) ? v : undefined;
};

export function podRecord(p: k8s.V1Pod): PodRecord {
  const ns = p.metadata?.namespace ?? "";
  const name = p.metadata?.name ?? "";
  const labels = p.metadata?.labels ?? {};
  const jobNumber = labels[LABEL_JOB_NUMBER];
  const expected = Number(p.metadata?.annotations?.[ANNOTATION_JOB_PODS]);
  const phase = p.status?.phase;
  return {
    key: `${ns}/${name}`,
    uid: p.metadata?.uid,
    job: `${ns}/${jobNumber ?? name}`,
    expected: Number.isInteger(expected) && expected > 0 ? expected : undefined,
    ours: p.spec?.schedulerName === POD_SCHEDULER_NAME,
    tenant: labels[LABEL_MANAGED_BY] === MANAGED_BY ? labels[LABEL_TENANT] : undefined,
    node: p.spec?.nodeName || undefined,
    requests: podRequests(p.spec),
    nodeSelector: p.spec?.nodeSelector,
    tolerations: (p.spec?.tolerations ?? []).map((t) => ({ key: t.key, operator: t.operator as "Equal" | "Exists" | undefined, value: t.value, effect: t.effect })),
    sameNode: jobNumber !== undefined && sameNodeAffinity(p, jobNumber),
    priority: p.spec?.priority ?? 0,
    created: ms(p.metadata?.creationTimestamp) ?? 0,
    activeDeadlineSeconds: p.spec?.activeDeadlineSeconds,
    startTime: ms(p.status?.startTime),
    deleting: p.metadata?.deletionTimestamp !== undefined && p.metadata?.deletionTimestamp !== null,
    finished: phase === "Succeeded" || phase === "Failed",
  };
}

/** Whether the pod requires to share a host with the pods of job `jobNumber` (a required podAffinity term on its job-number label and the hostname). */
function sameNodeAffinity(p: k8s.V1Pod, jobNumber: string): boolean {
  const terms = p.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.some((t) => t.topologyKey === HOSTNAME_TOPOLOGY && t.labelSelector?.matchLabels?.[LABEL_JOB_NUMBER] === jobNumber);
}

/** When a pod will have ended at the latest (its wall time from its start, or from `now` if not started); undefined without a wall time. */
export function podEndsAt(r: PodRecord, now: number): number | undefined {
  if (r.activeDeadlineSeconds === undefined) return undefined;
  return (r.startTime ?? now) + r.activeDeadlineSeconds * 1000;
}

/** A node; an allocatable quantity that does not parse counts as 0 of that resource (and is reported through `warn`). */
export function nodeSnapshot(n: k8s.V1Node, warn: (message: string) => void = () => {}): NodeSnapshot {
  const alloc: Resources = {};
  for (const [r, q] of Object.entries(n.status?.allocatable ?? {})) {
    const v = quantity(r, q);
    alloc[r] = v.ok ? v.value : 0;
    if (!v.ok) warn(`node ${n.metadata?.name}: allocatable ${r}: ${v.problem}; counting 0`);
  }
  const ready = (n.status?.conditions ?? []).find((c) => c.type === "Ready");
  return {
    name: n.metadata!.name!,
    allocatable: alloc,
    labels: n.metadata?.labels ?? {},
    taints: (n.spec?.taints ?? []).map((t): Taint => ({ key: t.key, value: t.value, effect: t.effect })),
    unschedulable: n.spec?.unschedulable === true || (ready !== undefined && ready.status !== "True"),
  };
}

/**
 * What a pod already on a node (or reserved there) uses. A pod we did not place may carry a request
 * we cannot parse; Kubernetes accepted it, so it uses *something*. The rule: an unparsable request
 * counts as the node's whole allocatable of that resource, so nothing else asking for it fits there
 * (conservative: never NaN, never "fits everywhere").
 */
export function usedBy(requests: PodRequests, node: NodeSnapshot | undefined): Resources {
  if (requests.ok) return requests.requests;
  const out = { ...requests.requests };
  for (const name of requests.unparsable) out[name] = node?.allocatable[name] ?? 0;
  return out;
}
