// An independent check of a cluster's bindings, for the scheduler benchmark
// and the churn soak: it reads only what the API server shows (pods, nodes)
// and shares no code with the scheduler (its own quantity parser, its own
// sums), so a bug in the placement core cannot hide itself here.
//  - violations: a node running pods of two tenants (multi-tenant mode);
//  - overcommits: a node whose running pods request more than it has;
//  - partialGangs: a job with some members bound and others waiting;
//  - nodesUsed and an offline lower bound on nodes (CPU only: per tenant in
//    multi-tenant mode, since tenants never share a node).
import type * as k8s from "@kubernetes/client-node";

export interface BindingCheckOptions {
  tenantLabel?: string;
  jobLabel?: string;
  /** annotation with the job's member count */
  expectedAnnotation?: string;
  /** label that marks pods the tenant rule applies to, and its value */
  managedLabel?: string;
  managedValue?: string;
  /** check tenant exclusivity (multi-tenant mode) */
  multiTenant?: boolean;
}

export interface BindingReport {
  pods: number;
  bound: number;
  unbound: number;
  nodesUsed: number;
  /** offline lower bound on the nodes needed for the bound and waiting pods, by CPU */
  lowerBound: number;
  violations: Array<{ node: string; tenants: string[] }>;
  overcommits: Array<{ node: string; resource: string; requested: number; allocatable: number }>;
  partialGangs: Array<{ job: string; bound: number; waiting: number; expected: number }>;
}

const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A Kubernetes quantity as a number of units (cpu "500m" -> 0.5). Throws on anything it does not know: a check must not guess. */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?))$/.exec(q.trim());
  if (!m) throw new Error(`bindingCheck: cannot read quantity ${JSON.stringify(q)}`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  if (m[3]) return n * BINARY[m[3]]!;
  return n * DECIMAL[m[4] ?? ""]!;
}

/** max(sum of containers, largest init container) + overhead, per resource */
function requestsOf(pod: k8s.V1Pod): Map<string, number> {
  const sum = new Map<string, number>();
  for (const c of pod.spec?.containers ?? []) for (const [r, q] of Object.entries(c.resources?.requests ?? {})) sum.set(r, (sum.get(r) ?? 0) + parseQuantity(q));
  for (const c of pod.spec?.initContainers ?? []) for (const [r, q] of Object.entries(c.resources?.requests ?? {})) sum.set(r, Math.max(sum.get(r) ?? 0, parseQuantity(q)));
  for (const [r, q] of Object.entries(pod.spec?.overhead ?? {})) sum.set(r, (sum.get(r) ?? 0) + parseQuantity(q));
  return sum;
}

const finished = (p: k8s.V1Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export function checkBindings(pods: readonly k8s.V1Pod[], nodes: readonly k8s.V1Node[], opts: BindingCheckOptions = {}): BindingReport {
  const tenantLabel = opts.tenantLabel ?? "jarvice-tenant";
  const jobLabel = opts.jobLabel ?? "jarvice-job-number";
  const expectedAnnotation = opts.expectedAnnotation ?? "paddock.io/job-pods";
  const managedLabel = opts.managedLabel ?? "app.kubernetes.io/managed-by";
  const managedValue = opts.managedValue;
  const isManaged = (p: k8s.V1Pod) => (managedValue === undefined ? p.metadata?.labels?.[tenantLabel] !== undefined : p.metadata?.labels?.[managedLabel] === managedValue);

  // Pods being deleted still hold their node until they are gone; gangs count only the others.
  const onNodes = pods.filter((p) => !finished(p));
  const live = onNodes.filter((p) => !p.metadata?.deletionTimestamp);
  const perNode = new Map<string, { requested: Map<string, number>; pods: number; tenants: Set<string> }>();
  for (const p of onNodes) {
    const node = p.spec?.nodeName;
    if (!node) continue;
    let n = perNode.get(node);
    if (!n) perNode.set(node, (n = { requested: new Map(), pods: 0, tenants: new Set() }));
    n.pods++;
    for (const [r, q] of requestsOf(p)) n.requested.set(r, (n.requested.get(r) ?? 0) + q);
    const tenant = p.metadata?.labels?.[tenantLabel];
    if (isManaged(p) && tenant !== undefined) n.tenants.add(tenant);
  }

  const allocatable = new Map(nodes.map((n) => [n.metadata!.name!, n.status?.allocatable ?? {}] as const));
  const violations: BindingReport["violations"] = [];
  const overcommits: BindingReport["overcommits"] = [];
  for (const [node, n] of perNode) {
    if (opts.multiTenant !== false && n.tenants.size > 1) violations.push({ node, tenants: [...n.tenants].sort() });
    const alloc = allocatable.get(node) ?? {};
    const podsAllowed = alloc.pods !== undefined ? parseQuantity(alloc.pods) : Infinity;
    if (n.pods > podsAllowed) overcommits.push({ node, resource: "pods", requested: n.pods, allocatable: podsAllowed });
    for (const [r, q] of n.requested) {
      const a = alloc[r] !== undefined ? parseQuantity(alloc[r]) : 0;
      // a tolerance for float sums of decimal quantities
      if (q > a + 1e-9 * Math.max(1, a)) overcommits.push({ node, resource: r, requested: q, allocatable: a });
    }
  }

  // Gangs: members present (not finished) by job.
  const gangs = new Map<string, { bound: number; waiting: number; expected: number }>();
  for (const p of live) {
    const job = p.metadata?.labels?.[jobLabel];
    if (job === undefined) continue;
    const key = `${p.metadata?.namespace}/${job}`;
    let g = gangs.get(key);
    if (!g) gangs.set(key, (g = { bound: 0, waiting: 0, expected: Number(p.metadata?.annotations?.[expectedAnnotation] ?? 1) }));
    if (p.spec?.nodeName) g.bound++;
    else g.waiting++;
  }
  const partialGangs = [...gangs].filter(([, g]) => g.bound > 0 && g.waiting > 0).map(([job, g]) => ({ job, ...g }));

  // Lower bound on nodes, by CPU, with the largest node's CPU.
  const nodeCpu = Math.max(0, ...nodes.map((n) => parseQuantity(n.status?.allocatable?.cpu ?? "0")));
  const cpuBy = new Map<string, number>();
  for (const p of live) {
    const tenant = opts.multiTenant !== false && isManaged(p) ? (p.metadata?.labels?.[tenantLabel] ?? "") : "";
    cpuBy.set(tenant, (cpuBy.get(tenant) ?? 0) + (requestsOf(p).get("cpu") ?? 0));
  }
  let lowerBound = 0;
  if (nodeCpu > 0) for (const cpu of cpuBy.values()) lowerBound += Math.ceil(cpu / nodeCpu - 1e-9);

  const bound = live.filter((p) => p.spec?.nodeName).length;
  return { pods: live.length, bound, unbound: live.length - bound, nodesUsed: perNode.size, lowerBound, violations, overcommits, partialGangs };
}

/** One line for logs: counts, and the first few problems. */
export function describeReport(r: BindingReport): string {
  const first = <T>(xs: T[]) => (xs.length ? ` e.g. ${JSON.stringify(xs.slice(0, 3))}` : "");
  return (
    `${r.bound}/${r.pods} bound on ${r.nodesUsed} node(s) (lower bound ${r.lowerBound}); ` +
    `violations ${r.violations.length}${first(r.violations)}; overcommits ${r.overcommits.length}${first(r.overcommits)}; partial gangs ${r.partialGangs.length}${first(r.partialGangs)}`
  );
}
