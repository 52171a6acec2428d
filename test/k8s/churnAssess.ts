// The churn soak's judgement, as pure functions over what the API server holds
// (pod and node lists): which waiting jobs would fit the free capacity now, and
// the live watch ledger that checks every binding the moment it is seen. No
// I/O here, so the rules are unit-tested on hand-made inputs (churnAssess.test.ts)
// and the soak (churn.ts) only feeds them.
import type * as k8s from "@kubernetes/client-node";
import { ANNOTATION_JOB_PODS, LABEL_JOB_NUMBER, LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY } from "../../src/core/podPlan";

const finished = (p: k8s.V1Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/**
 * CPU in millicores and memory in bytes, for the few quantity forms the soak writes
 * (`4`, `500m`, `16Gi`, `1000Mi`, plain bytes). Deliberately not src/core/quantity.ts: the
 * checker must not share code with what it checks.
 */
export function simpleQuantity(q: string | undefined): number {
  if (q === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`churn soak: unexpected quantity ${q}`);
  const n = Number(m[1]);
  const unit = m[2];
  const mult: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return unit ? n * mult[unit]! : n;
}

export interface Usage {
  cpuMilli: number;
  memory: number;
}

export const podUsage = (p: k8s.V1Pod): Usage => {
  let cpu = 0;
  let mem = 0;
  for (const c of p.spec?.containers ?? []) {
    cpu += Math.round(simpleQuantity(c.resources?.requests?.cpu) * 1000);
    mem += simpleQuantity(c.resources?.requests?.memory);
  }
  return { cpuMilli: cpu, memory: mem };
};

export const nodeCapacity = (n: k8s.V1Node): Usage => ({
  cpuMilli: Math.round(simpleQuantity(n.status?.allocatable?.cpu) * 1000),
  memory: simpleQuantity(n.status?.allocatable?.memory),
});

export const tenantOf = (p: k8s.V1Pod): string => p.metadata?.labels?.[LABEL_TENANT] ?? `untenanted:${p.metadata?.name}`;
export const jobOf = (p: k8s.V1Pod): number => Number(p.metadata?.labels?.[LABEL_JOB_NUMBER]);
const ours = (p: k8s.V1Pod) => p.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY;

export interface WaitingJob {
  job: number;
  tenant: string;
  /** pods of the job that exist and are not bound */
  unbound: number;
  /** pods the job should have (its annotation) */
  expected: number;
  /** pods that exist now (bound or not) */
  existing: number;
  usage: Usage;
}

/** Jobs with pods that are not bound yet (complete jobs only: all `expected` pods exist), by job number. */
export function waitingJobs(pods: k8s.V1Pod[]): WaitingJob[] {
  const byJob = new Map<number, k8s.V1Pod[]>();
  for (const p of pods) {
    if (!ours(p) || finished(p) || p.metadata?.deletionTimestamp) continue;
    const j = jobOf(p);
    byJob.set(j, [...(byJob.get(j) ?? []), p]);
  }
  const out: WaitingJob[] = [];
  for (const [job, mine] of byJob) {
    const unbound = mine.filter((p) => !p.spec?.nodeName);
    if (unbound.length === 0) continue;
    const expected = Number(mine[0]!.metadata?.annotations?.[ANNOTATION_JOB_PODS] ?? mine.length);
    out.push({ job, tenant: tenantOf(mine[0]!), unbound: unbound.length, expected, existing: mine.length, usage: podUsage(unbound[0]!) });
  }
  return out.sort((a, b) => a.job - b.job);
}

/**
 * Would the job's unbound pods (all of one size, as Paddock's are) fit the free capacity now?
 * A node can take them only if it hosts no pod of another tenant (multi-tenant mode); how many
 * fit on a node is the smaller of the CPU and memory quotients. Exact for pods of one size.
 */
export function fitsNow(job: WaitingJob, pods: k8s.V1Pod[], nodes: k8s.V1Node[]): boolean {
  const used = new Map<string, Usage & { tenants: Set<string> }>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node || finished(p)) continue;
    const u = used.get(node) ?? { cpuMilli: 0, memory: 0, tenants: new Set<string>() };
    const r = podUsage(p);
    u.cpuMilli += r.cpuMilli;
    u.memory += r.memory;
    u.tenants.add(tenantOf(p));
    used.set(node, u);
  }
  let room = 0;
  for (const n of nodes) {
    if (n.spec?.unschedulable) continue;
    const cap = nodeCapacity(n);
    const u = used.get(n.metadata!.name!);
    if (u && [...u.tenants].some((t) => t !== job.tenant)) continue;
    const freeCpu = cap.cpuMilli - (u?.cpuMilli ?? 0);
    const freeMem = cap.memory - (u?.memory ?? 0);
    room += Math.max(0, Math.min(job.usage.cpuMilli > 0 ? Math.floor(freeCpu / job.usage.cpuMilli) : Infinity, job.usage.memory > 0 ? Math.floor(freeMem / job.usage.memory) : Infinity));
    if (room >= job.unbound) return true;
  }
  return false;
}

/**
 * The watch ledger: every pod event of the jobs namespace, in the API server's order, applied
 * to a model of what each node hosts. A binding that puts a second tenant on a node, or more
 * than the node's allocatable CPU or memory, is recorded the moment it is seen - so "no node
 * EVER hosts two tenants" holds at every resourceVersion, not only at the sampled instants.
 */
export class BindingLedger {
  readonly problems: string[] = [];
  private readonly capacity = new Map<string, Usage>();
  /** node -> pod name -> (tenant, usage) of the live (bound, not finished) pods there */
  private readonly onNode = new Map<string, Map<string, { tenant: string; usage: Usage }>>();
  private readonly where = new Map<string, string>();

  constructor(private readonly multiTenant = true) {}

  setNode(n: k8s.V1Node): void {
    this.capacity.set(n.metadata!.name!, nodeCapacity(n));
  }

  /** A pod as the watch shows it now (added or updated). Returns "bound" when this event is its binding. */
  apply(p: k8s.V1Pod): "bound" | undefined {
    const name = p.metadata!.name!;
    const node = p.spec?.nodeName;
    const before = this.where.get(name);
    if (!node || finished(p)) {
      if (before) this.remove(name);
      return undefined;
    }
    if (before === node) return undefined;
    if (before && before !== node) this.problems.push(`pod ${name} moved from ${before} to ${node} (a pod is bound once)`);
    const tenant = tenantOf(p);
    const usage = podUsage(p);
    const here = this.onNode.get(node) ?? new Map<string, { tenant: string; usage: Usage }>();
    if (this.multiTenant) {
      const others = [...new Set([...here.values()].map((x) => x.tenant).filter((t) => t !== tenant))];
      if (others.length > 0) this.problems.push(`node ${node} hosts tenants ${[...others, tenant].join(", ")} (binding of ${name})`);
    }
    here.set(name, { tenant, usage });
    this.onNode.set(node, here);
    this.where.set(name, node);
    const cap = this.capacity.get(node);
    const sum = [...here.values()].reduce((a, x) => ({ cpuMilli: a.cpuMilli + x.usage.cpuMilli, memory: a.memory + x.usage.memory }), { cpuMilli: 0, memory: 0 });
    if (!cap) this.problems.push(`pod ${name} bound to unknown node ${node}`);
    else if (sum.cpuMilli > cap.cpuMilli || sum.memory > cap.memory) {
      this.problems.push(`node ${node} over-committed by the binding of ${name}: ${sum.cpuMilli}m CPU of ${cap.cpuMilli}m, ${sum.memory} B memory of ${cap.memory}`);
    }
    return before ? undefined : "bound";
  }

  /** The pod is gone (deleted). */
  remove(name: string): void {
    const node = this.where.get(name);
    if (!node) return;
    this.where.delete(name);
    this.onNode.get(node)?.delete(name);
  }
}
