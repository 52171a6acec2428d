// The placement core of jarvice-pod-scheduler: pure, in memory, no Kubernetes.
//  Filter: resources fit (CPU, memory, pods, GPUs and any extended resource),
//          node selector, taints vs tolerations, schedulable; in multi-tenant
//          mode `disqualifiedByTenant`: a node holding another tenant's pod.
//  Score:  best fit — the node left fullest (least free CPU, then memory).
//  Gang:   all pods of a job are placed, or none.
// Nodes are indexed per tenant (and "holds no tenant") in best-fit order, so a
// decision looks only at nodes that could take the pod.
import { compareFit as compareKeys, SortedNodes, type FitKey } from "./sortedNodes";

/** Quantities by resource name: "cpu" in millicores, "memory" in bytes, "pods", "nvidia.com/gpu", ... */
export type Resources = Record<string, number>;

export interface Taint {
  key: string;
  value?: string | undefined;
  effect: string;
}

export interface Toleration {
  key?: string | undefined;
  operator?: "Equal" | "Exists" | undefined;
  value?: string | undefined;
  effect?: string | undefined;
}

export interface NodeSnapshot {
  name: string;
  allocatable: Resources;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
}

export interface BoundPod {
  /** namespace/name */
  key: string;
  node: string;
  requests: Resources;
  /** the pod's tenant; undefined for pods Paddock does not manage (they use resources but claim no node) */
  tenant?: string | undefined;
}

export interface PodToPlace {
  key: string;
  requests: Resources;
  tenant: string;
  nodeSelector?: Record<string, string> | undefined;
  tolerations?: Toleration[] | undefined;
}

export interface Disqualification {
  pod: string;
  node: string;
  /** the other tenant(s) whose pods hold the node */
  tenants: string[];
}

export type PlacementDecision =
  | {
      placed: true;
      bindings: Array<{ pod: string; node: string }>;
      disqualified: Disqualification[];
      /** summed over the job's pods: nodes that would have been a better fit but for another tenant's pods (0 off multi-tenant mode) */
      disqualifiedByTenant: number;
    }
  | {
      placed: false;
      /** the pod that did not fit, the job it belongs to, and kube-scheduler's message */
      reason: string;
      /** the first pod of the job that no node could take */
      pod: string;
      /** for that pod, every node counted once by the first filter that rejected it (kube-scheduler's reason -> nodes), in filter order */
      filtered: Record<string, number>;
      /** kube-scheduler's words: "0/500 nodes are available: 3 Insufficient cpu, 490 node(s) hold another tenant's pods." */
      message: string;
      disqualified: Disqualification[];
      /** nodes that would have been a better fit (for the pods placed before the failing one) or the only fit (for it) but for another tenant's pods */
      disqualifiedByTenant: number;
    };

export interface PlacementOptions {
  multiTenant: boolean;
  /** also list the nodes disqualified by tenant that would otherwise have fit better (for log level 10) */
  explain?: boolean;
  /**
   * Count, on success too, the nodes disqualified only by another tenant's pods
   * that would have been a better fit (the metric). It scans every better fit,
   * which on a packed multi-tenant cluster costs more than the decision itself
   * (see bench/placement.ts); off, a successful decision counts 0 and a failed
   * one still counts the failing pod's nodes. Implied by `explain`.
   */
  countDisqualified?: boolean;
  /** nodes this placement must not use (head-of-line protection, core/backfill.ts); a failure counts them as REASON_KEPT */
  avoid?: ((node: string) => boolean) | undefined;
}

interface NodeState {
  info: NodeSnapshot;
  used: Resources;
  tenants: Map<string, number>;
  pods: Set<string>;
  key: NodeKey;
  cls: NodeClass;
}

/**
 * Nodes alike for every filter that does not depend on what is bound: the same
 * scheduling taints and the same extended resources (anything but CPU, memory
 * and pods). A pod's taint and extended-resource filters are decided once per
 * class, so a scan never visits, e.g., GPU nodes for a pod that does not
 * tolerate their taint, or CPU nodes for a GPU pod.
 */
interface NodeClass {
  id: string;
  taints: Taint[];
  resources: Set<string>;
  /** schedulable nodes of the class, and those of them holding no tenant's pod, in best-fit order */
  all: SortedNodes<NodeKey>;
  unclaimed: SortedNodes<NodeKey>;
}

const scheduling = (t: Taint) => t.effect === "NoSchedule" || t.effect === "NoExecute";

function classOf(info: NodeSnapshot): { id: string; taints: Taint[]; resources: Set<string> } {
  const taints = info.taints.filter(scheduling);
  const resources = new Set(Object.keys(info.allocatable).filter((r) => r !== CPU && r !== MEMORY && r !== PODS && (info.allocatable[r] ?? 0) > 0));
  const id = JSON.stringify([taints.map((t) => [t.key, t.value ?? "", t.effect]).sort(), [...resources].sort()]);
  return { id, taints, resources };
}

/** Whether any node of the class could take the pod as far as taints and extended resources go. */
function classAdmits(c: NodeClass, f: PodFilter): boolean {
  for (const r of f.names) if (r !== CPU && r !== MEMORY && r !== PODS && !c.resources.has(r)) return false;
  return c.taints.length === 0 || taintsTolerated(c.taints, f.tolerations);
}

/** A node's place in the best-fit indexes, carrying its state (no lookup by name while scanning). */
type NodeKey = FitKey & { readonly state: NodeState };

/** A pod's filters prepared once per decision: the requests that count (q > 0) as arrays, the selector as pairs. */
interface PodFilter {
  names: string[];
  quantities: number[];
  selector: Array<[string, string]>;
  tolerations: Toleration[] | undefined;
}

function podFilter(pod: PodToPlace): PodFilter {
  const names: string[] = [];
  const quantities: number[] = [];
  for (const r in pod.requests) {
    const q = pod.requests[r]!;
    if (q > 0) {
      names.push(r);
      quantities.push(q);
    }
  }
  return { names, quantities, selector: Object.entries(pod.nodeSelector ?? {}), tolerations: pod.tolerations };
}

/** fits() && selectorMatches() && taintsTolerated() on a schedulable node, without allocating: the hot path of every scan. */
function passesFilter(s: NodeState, f: PodFilter): boolean {
  const info = s.info;
  if (info.unschedulable) return false;
  const alloc = info.allocatable;
  const used = s.used;
  for (let i = 0; i < f.names.length; i++) {
    const r = f.names[i]!;
    if ((used[r] ?? 0) + f.quantities[i]! > (alloc[r] ?? 0)) return false;
  }
  if ((used[PODS] ?? 0) + 1 > (alloc[PODS] ?? Infinity)) return false;
  for (let i = 0; i < f.selector.length; i++) if (info.labels[f.selector[i]![0]] !== f.selector[i]![1]) return false;
  return info.taints.length === 0 || taintsTolerated(info.taints, f.tolerations);
}

const CPU = "cpu";
const MEMORY = "memory";
const PODS = "pods";

export function fits(allocatable: Resources, used: Resources, requests: Resources): boolean {
  for (const [r, q] of Object.entries(requests)) {
    if (q > 0 && (used[r] ?? 0) + q > (allocatable[r] ?? 0)) return false;
  }
  return (used[PODS] ?? 0) + 1 <= (allocatable[PODS] ?? Infinity);
}

export function selectorMatches(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function tolerates(tolerations: Toleration[] | undefined, t: Taint): boolean {
  return (tolerations ?? []).some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.operator === "Exists") return tol.key === undefined || tol.key === "" || tol.key === t.key;
    return tol.key === t.key && (tol.value ?? "") === (t.value ?? "");
  });
}

export function taintsTolerated(taints: Taint[], tolerations: Toleration[] | undefined): boolean {
  return taints.every((t) => (t.effect !== "NoSchedule" && t.effect !== "NoExecute") || tolerates(tolerations, t));
}

/** In multi-tenant mode, a node holding any pod of another tenant is disqualified. */
export function disqualifiedByTenant(nodeTenants: ReadonlyMap<string, number>, tenant: string): string[] {
  const others: string[] = [];
  for (const [t, n] of nodeTenants) if (n > 0 && t !== tenant) others.push(t);
  return others;
}

/** Whether a node's tenants include one other than `tenant` (disqualifiedByTenant without the list). */
function heldByOtherTenant(nodeTenants: ReadonlyMap<string, number>, tenant: string): boolean {
  return nodeTenants.size > 1 || (nodeTenants.size === 1 && !nodeTenants.has(tenant));
}

// Why a pod waits, in kube-scheduler's words (its FailedScheduling message):
// each node is counted once, by the first filter that rejects it, filters in
// kube-scheduler's order (NodeUnschedulable, TaintToleration, NodeAffinity,
// NodeResourcesFit) and the tenant filter last, so its count is the nodes
// rejected only because they hold another tenant's pods.
export const REASON_UNSCHEDULABLE = "node(s) were unschedulable";
export const REASON_SELECTOR = "node(s) didn't match Pod's node affinity/selector";
export const REASON_TOO_MANY_PODS = "Too many pods";
export const REASON_TENANT = "node(s) hold another tenant's pods";
/** a node every filter lets through but that placement was told to leave alone (kept for a job ahead in the queue) */
export const REASON_KEPT = "node(s) were kept for a job ahead in the queue";
export const untoleratedTaint = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** The filter a reason comes from (a bounded label for metrics). */
export type FilterName = "unschedulable" | "taint" | "selector" | "resources" | "tenant" | "queue";
export function filterOf(reason: string): FilterName {
  if (reason === REASON_UNSCHEDULABLE) return "unschedulable";
  if (reason === REASON_SELECTOR) return "selector";
  if (reason === REASON_TENANT) return "tenant";
  if (reason === REASON_KEPT) return "queue";
  if (reason.startsWith("node(s) had untolerated taint")) return "taint";
  return "resources";
}

const FILTER_ORDER: readonly FilterName[] = ["unschedulable", "taint", "selector", "resources", "tenant", "queue"];
/** Within the resources filter: the pod count first, then CPU, memory, the rest by name (kube-scheduler's fitsRequest order). */
const resourceRank = (reason: string): string => (reason === REASON_TOO_MANY_PODS ? "0" : reason === insufficient(CPU) ? "1" : reason === insufficient(MEMORY) ? "2" : `3${reason}`);
const reasonOrder = (a: string, b: string): number => {
  const fa = FILTER_ORDER.indexOf(filterOf(a));
  const fb = FILTER_ORDER.indexOf(filterOf(b));
  if (fa !== fb) return fa - fb;
  const ra = fa === FILTER_ORDER.indexOf("resources") ? resourceRank(a) : a;
  const rb = fb === FILTER_ORDER.indexOf("resources") ? resourceRank(b) : b;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
};

/**
 * The first filter that keeps `pod` off a node in this state (kube-scheduler's
 * words), or undefined when the node can take it. The same verdict as the
 * filters placement applies, in a fixed order, one reason per node.
 */
export function firstRejection(node: NodeSnapshot, used: Resources, nodeTenants: ReadonlyMap<string, number>, pod: PodToPlace, multiTenant: boolean): string | undefined {
  return rejection(node, used, nodeTenants, pod, multiTenant, resourceOrder(pod));
}

/** The pod's requested resources (q > 0) in the order their shortage is reported: CPU, memory, the rest by name. */
function resourceOrder(pod: PodToPlace): string[] {
  return Object.keys(pod.requests)
    .filter((r) => (pod.requests[r] ?? 0) > 0)
    .sort((a, b) => reasonOrder(insufficient(a), insufficient(b)));
}

function rejection(node: NodeSnapshot, used: Resources, nodeTenants: ReadonlyMap<string, number>, pod: PodToPlace, multiTenant: boolean, resources: readonly string[]): string | undefined {
  if (node.unschedulable) return REASON_UNSCHEDULABLE;
  for (const t of node.taints) if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(pod.tolerations, t)) return untoleratedTaint(t);
  if (pod.nodeSelector && !selectorMatches(node.labels, pod.nodeSelector)) return REASON_SELECTOR;
  if ((used[PODS] ?? 0) + 1 > (node.allocatable[PODS] ?? Infinity)) return REASON_TOO_MANY_PODS;
  for (const r of resources) if ((used[r] ?? 0) + pod.requests[r]! > (node.allocatable[r] ?? 0)) return insufficient(r);
  if (multiTenant && heldByOtherTenant(nodeTenants, pod.tenant)) return REASON_TENANT;
  return undefined;
}

/** kube-scheduler's FailedScheduling message from the counts by reason (zero counts left out, filter order). */
export function unavailableMessage(nodeCount: number, filtered: Readonly<Record<string, number>>): string {
  if (nodeCount === 0) return "no nodes available to schedule pods";
  const parts = Object.keys(filtered)
    .filter((r) => (filtered[r] ?? 0) > 0)
    .sort(reasonOrder)
    .map((r) => `${filtered[r]} ${r}`);
  return `0/${nodeCount} nodes are available${parts.length > 0 ? `: ${parts.join(", ")}` : ""}.`;
}

export class PlacementState {
  private readonly nodes = new Map<string, NodeState>();
  private readonly classes = new Map<string, NodeClass>();
  private readonly byTenant = new Map<string, SortedNodes<NodeKey>>();
  private readonly pods = new Map<string, BoundPod>();

  get nodeCount(): number {
    return this.nodes.size;
  }

  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  nodeOf(podKey: string): string | undefined {
    return this.pods.get(podKey)?.node;
  }

  tenantsOn(node: string): string[] {
    return [...(this.nodes.get(node)?.tenants.keys() ?? [])];
  }

  /** What is counted on a node: resources used, pods by tenant, pod keys (for checks and tests). */
  usage(node: string): { used: Resources; tenants: Record<string, number>; pods: string[] } | undefined {
    const s = this.nodes.get(node);
    return s && { used: { ...s.used }, tenants: Object.fromEntries(s.tenants), pods: [...s.pods].sort() };
  }

  private fitKey(s: NodeState): NodeKey {
    return { state: s, freeCpu: (s.info.allocatable[CPU] ?? 0) - (s.used[CPU] ?? 0), freeMemory: (s.info.allocatable[MEMORY] ?? 0) - (s.used[MEMORY] ?? 0), name: s.info.name };
  }

  private classFor(info: NodeSnapshot): NodeClass {
    const c = classOf(info);
    let cls = this.classes.get(c.id);
    if (!cls) this.classes.set(c.id, (cls = { ...c, all: new SortedNodes<NodeKey>(), unclaimed: new SortedNodes<NodeKey>() }));
    return cls;
  }

  private unindex(s: NodeState): void {
    s.cls.all.remove(s.key);
    if (s.tenants.size === 0) s.cls.unclaimed.remove(s.key);
    for (const t of s.tenants.keys()) this.byTenant.get(t)?.remove(s.key);
  }

  private index(s: NodeState): void {
    s.key = this.fitKey(s);
    if (s.info.unschedulable) return;
    s.cls.all.insert(s.key);
    if (s.tenants.size === 0) s.cls.unclaimed.insert(s.key);
    for (const t of s.tenants.keys()) {
      let idx = this.byTenant.get(t);
      if (!idx) this.byTenant.set(t, (idx = new SortedNodes<NodeKey>()));
      idx.insert(s.key);
    }
  }

  /** Add or replace a node (its pods stay bound to it). */
  upsertNode(info: NodeSnapshot): void {
    const existing = this.nodes.get(info.name);
    if (existing) {
      this.unindex(existing);
      existing.info = info;
      existing.cls = this.classFor(info);
      this.index(existing);
      return;
    }
    const s = { info, used: {}, tenants: new Map(), pods: new Set() } as unknown as NodeState;
    s.key = { state: s, freeCpu: 0, freeMemory: 0, name: info.name };
    s.cls = this.classFor(info);
    this.nodes.set(info.name, s);
    this.index(s);
    // Pods recorded before their node arrived.
    for (const p of this.pods.values()) if (p.node === info.name) this.account(s, p, +1);
  }

  removeNode(name: string): void {
    const s = this.nodes.get(name);
    if (!s) return;
    this.unindex(s);
    this.nodes.delete(name);
  }

  private account(s: NodeState, p: BoundPod, sign: 1 | -1): void {
    this.unindex(s);
    for (const [r, q] of Object.entries(p.requests)) s.used[r] = (s.used[r] ?? 0) + sign * q;
    s.used[PODS] = (s.used[PODS] ?? 0) + sign;
    if (sign > 0) s.pods.add(p.key);
    else s.pods.delete(p.key);
    if (p.tenant !== undefined) {
      const n = (s.tenants.get(p.tenant) ?? 0) + sign;
      if (n > 0) s.tenants.set(p.tenant, n);
      else s.tenants.delete(p.tenant);
    }
    this.index(s);
  }

  /** Record a pod as bound (or being bound) to a node. Idempotent per pod key. */
  bind(p: BoundPod): void {
    const known = this.pods.get(p.key);
    if (known && sameBinding(known, p)) {
      // The informer confirming a reservation: nothing moves.
      this.pods.set(p.key, p);
      return;
    }
    if (known) this.unbind(p.key);
    this.pods.set(p.key, p);
    const s = this.nodes.get(p.node);
    if (s) this.account(s, p, +1);
  }

  /** Forget a pod (finished, deleted, or a reservation rolled back). */
  unbind(key: string): void {
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    const s = this.nodes.get(p.node);
    if (s) this.account(s, p, -1);
  }

  /** With `tenant`, skip nodes that also hold another tenant's pods (bound while multi-tenant mode was off). */
  private firstFit(idx: SortedNodes<NodeKey> | undefined, pod: PodToPlace, f: PodFilter, avoid: PlacementOptions["avoid"], tenant?: string): NodeState | undefined {
    return idx?.scan(minFreeCpu(pod), (k) => passesFilter(k.state, f) && (tenant === undefined || !heldByOtherTenant(k.state.tenants, tenant)) && !avoid?.(k.name))?.state;
  }

  /**
   * The best node for `pod`, or undefined. In multi-tenant mode, counts the
   * nodes that would have been a better fit (or, with no fit, any fit) but hold
   * another tenant's pods, and with `explain` lists them.
   */
  private bestNodeFor(pod: PodToPlace, opts: PlacementOptions, disqualified: Disqualification[], tally: { byTenant: number }): NodeState | undefined {
    const f = podFilter(pod);
    const classes: NodeClass[] = [];
    for (const c of this.classes.values()) if (c.all.size > 0 && classAdmits(c, f)) classes.push(c);
    const better = (a: NodeState | undefined, b: NodeState | undefined) => (a && b ? (compareKeys(a.key, b.key) <= 0 ? a : b) : (a ?? b));
    let best: NodeState | undefined;
    if (!opts.multiTenant) {
      for (const c of classes) best = better(best, this.firstFit(c.all, pod, f, opts.avoid));
      return best;
    }
    best = this.firstFit(this.byTenant.get(pod.tenant), pod, f, opts.avoid, pod.tenant);
    for (const c of classes) best = better(best, this.firstFit(c.unclaimed, pod, f, opts.avoid));
    if (!opts.countDisqualified && !opts.explain) return best;
    const passedOver: NodeState[] = [];
    for (const c of classes) {
      c.all.scan(minFreeCpu(pod), (k) => {
        if (best && compareKeys(k, best.key) >= 0) return true;
        const s = k.state;
        if (heldByOtherTenant(s.tenants, pod.tenant) && passesFilter(s, f) && !opts.avoid?.(s.info.name)) {
          tally.byTenant++;
          if (opts.explain) passedOver.push(s);
        }
        return false;
      });
    }
    // In best-fit order across classes, as one scan would have found them.
    for (const s of passedOver.sort((a, b) => compareKeys(a.key, b.key))) disqualified.push({ pod: pod.key, node: s.info.name, tenants: disqualifiedByTenant(s.tenants, pod.tenant) });
    return best;
  }

  /** For a pod no node takes: every node counted by the first filter that rejects it. O(nodes); only on failure. */
  private filteredFor(pod: PodToPlace, multiTenant: boolean): Record<string, number> {
    const counts = new Map<string, number>();
    const resources = resourceOrder(pod);
    for (const s of this.nodes.values()) {
      const why = rejection(s.info, s.used, s.tenants, pod, multiTenant, resources) ?? REASON_KEPT;
      counts.set(why, (counts.get(why) ?? 0) + 1);
    }
    const filtered: Record<string, number> = {};
    for (const r of [...counts.keys()].sort(reasonOrder)) filtered[r] = counts.get(r)!;
    return filtered;
  }

  /** Place all pods of one job, or none. On success the pods are recorded as bound (reserved). */
  placeJob(pods: readonly PodToPlace[], opts: PlacementOptions): PlacementDecision {
    const disqualified: Disqualification[] = [];
    const tally = { byTenant: 0 };
    const bindings: Array<{ pod: string; node: string }> = [];
    // What each pod key was bound to before this job, to restore on failure.
    const before = new Map<string, BoundPod | undefined>();
    for (const pod of pods) {
      const s = this.bestNodeFor(pod, opts, disqualified, tally);
      if (!s) {
        // Explained before the rollback: the job's own pods placed so far are part of why.
        const filtered = this.filteredFor(pod, opts.multiTenant);
        const message = unavailableMessage(this.nodes.size, filtered);
        for (const [key, was] of before) {
          this.unbind(key);
          if (was) this.bind(was);
        }
        const reason = `no node fits pod ${pod.key} (${describe(pod.requests)}); none of the job's ${pods.length} pod(s) placed: ${message}`;
        // Without counting, the scan above did not run for this pod: its count is in `filtered`.
        const byTenant = opts.countDisqualified || opts.explain ? tally.byTenant : (filtered[REASON_TENANT] ?? 0);
        return { placed: false, reason, pod: pod.key, filtered, message, disqualified, disqualifiedByTenant: byTenant };
      }
      if (!before.has(pod.key)) before.set(pod.key, this.pods.get(pod.key));
      this.bind({ key: pod.key, node: s.info.name, requests: pod.requests, tenant: pod.tenant });
      bindings.push({ pod: pod.key, node: s.info.name });
    }
    return { placed: true, bindings, disqualified, disqualifiedByTenant: tally.byTenant };
  }
}

function sameBinding(a: BoundPod, b: BoundPod): boolean {
  if (a.node !== b.node || a.tenant !== b.tenant) return false;
  let n = 0;
  for (const r in a.requests) {
    if (a.requests[r] !== b.requests[r]) return false;
    n++;
  }
  for (const r in b.requests) if (--n < 0 || !(r in a.requests)) return false;
  return true;
}

/** Where a best-fit scan starts: a pod that requests no CPU may still go on a node over-committed on CPU. */
function minFreeCpu(pod: PodToPlace): number {
  const cpu = pod.requests[CPU] ?? 0;
  return cpu > 0 ? cpu : -Infinity;
}

function describe(r: Resources): string {
  return Object.entries(r)
    .map(([k, v]) => `${k}=${k === CPU ? `${v}m` : k === MEMORY ? `${Math.round(v / 2 ** 20)}Mi` : v}`)
    .join(", ");
}
