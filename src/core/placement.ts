// The placement core of jarvice-pod-scheduler: pure, in memory, no Kubernetes.
//  Filter: resources fit (CPU, memory, pods, GPUs and any extended resource),
//          node selector, taints vs tolerations, schedulable; in multi-tenant
//          mode `disqualifiedByTenant`: a node holding another tenant's pod.
//  Score:  best fit — the node left fullest (least free CPU, then memory).
//  Gang:   all pods of a job are placed, or none.
// Nodes are indexed per tenant (and "holds no tenant") in best-fit order, so a
// decision looks only at nodes that could take the pod.
import { FREE, NodeTable, UNSCHEDULABLE, type NodeNumbers } from "./nodeTable";
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
  /**
   * Every pod of the job on one node (required pod affinity on the job, for a ReadWriteOnce vault):
   * the best-fit node that takes them all, or none. `node`: where the job's pods already are (the
   * rest must go there too).
   */
  oneNode?: { node?: string | undefined } | undefined;
}

/**
 * A node as placement keeps it. What the filters read is held as plain numbers
 * (CPU, memory, pod count: no lookup by resource name on the hot path); a class,
 * so every node has the same shape and the filters stay monomorphic.
 */
class NodeState implements NodeNumbers {
  allocCpu = 0;
  usedCpu = 0;
  allocMemory = 0;
  usedMemory = 0;
  allocPods = 0;
  usedPods = 0;
  /** the ordinal of the one tenant holding pods here (-1 unless exactly one does) */
  soleTenant = -1;
  /** the node's slot in the placement's NodeTable */
  slot = -1;
  /** schedulable, so counted in its class and filed in the best-fit indexes that are kept */
  indexed = false;
  readonly pods = new Set<string>();
  key: NodeKey;

  constructor(
    public info: NodeSnapshot,
    readonly used: Resources,
    readonly tenants: Map<string, number>,
    public cls: NodeClass,
  ) {
    this.key = { state: this, freeCpu: 0, freeMemory: 0, name: info.name };
    this.refresh();
  }

  /** the numbers, from the allocatable and used resources */
  refresh(): void {
    const alloc = this.info.allocatable;
    this.allocCpu = alloc[CPU] ?? 0;
    this.allocMemory = alloc[MEMORY] ?? 0;
    this.allocPods = alloc[PODS] ?? Infinity;
    this.usedCpu = this.used[CPU] ?? 0;
    this.usedMemory = this.used[MEMORY] ?? 0;
    this.usedPods = this.used[PODS] ?? 0;
  }

  get unschedulable(): boolean {
    return this.info.unschedulable;
  }
  get tenantCount(): number {
    return this.tenants.size;
  }
  get classOrdinal(): number {
    return this.cls.ordinal;
  }
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
  /** its index in the placement's list of classes */
  ordinal: number;
  taints: Taint[];
  resources: Set<string>;
  /** how many of its nodes are schedulable */
  schedulable: number;
  /** schedulable nodes of the class, and those of them holding no tenant's pod, in best-fit order (each kept once placement needs it) */
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

const newClass = (c: ReturnType<typeof classOf>, ordinal: number): NodeClass => ({ ...c, ordinal, schedulable: 0, all: new SortedNodes<NodeKey>(), unclaimed: new SortedNodes<NodeKey>() });

/** Whether any node of the class could take the pod as far as taints and extended resources go. */
function classAdmits(c: NodeClass, f: PodFilter): boolean {
  for (const r of f.names) if (r !== CPU && r !== MEMORY && r !== PODS && !c.resources.has(r)) return false;
  return c.taints.length === 0 || taintsTolerated(c.taints, f.tolerations);
}

/** A node's place in the best-fit indexes, carrying its state (no lookup by name while scanning). */
type NodeKey = FitKey & { readonly state: NodeState };

/**
 * A pod's filters prepared once per decision: CPU and memory as numbers (0 when
 * not requested), the other requests that count (q > 0) as arrays, the selector
 * as pairs.
 */
interface PodFilter {
  cpu: number;
  memory: number;
  names: string[];
  quantities: number[];
  selector: Array<[string, string]>;
  tolerations: Toleration[] | undefined;
}

function podFilter(pod: PodToPlace): PodFilter {
  const names: string[] = [];
  const quantities: number[] = [];
  let cpu = 0;
  let memory = 0;
  for (const r in pod.requests) {
    const q = pod.requests[r]!;
    if (!(q > 0)) continue;
    if (r === CPU) cpu = q;
    else if (r === MEMORY) memory = q;
    else {
      names.push(r);
      quantities.push(q);
    }
  }
  return { cpu, memory, names, quantities, selector: Object.entries(pod.nodeSelector ?? {}), tolerations: pod.tolerations };
}

/** fits() && selectorMatches() && taintsTolerated() on a schedulable node, without allocating: the hot path of every scan. */
function passesFilter(s: NodeState, f: PodFilter): boolean {
  const info = s.info;
  if (info.unschedulable) return false;
  if (f.cpu > 0 && s.usedCpu + f.cpu > s.allocCpu) return false;
  if (f.memory > 0 && s.usedMemory + f.memory > s.allocMemory) return false;
  if (s.usedPods + 1 > s.allocPods) return false;
  if (f.names.length > 0) {
    const alloc = info.allocatable;
    const used = s.used;
    for (let i = 0; i < f.names.length; i++) {
      const r = f.names[i]!;
      if ((used[r] ?? 0) + f.quantities[i]! > (alloc[r] ?? 0)) return false;
    }
  }
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
/** a node that takes the job's first pod but not all of them, when they must share one node */
export const REASON_ONE_NODE = "node(s) cannot hold all of the job's pods, which must share one node (pod affinity)";
export const untoleratedTaint = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** The filter a reason comes from (a bounded label for metrics). */
export type FilterName = "unschedulable" | "taint" | "selector" | "resources" | "affinity" | "tenant" | "queue";
export function filterOf(reason: string): FilterName {
  if (reason === REASON_UNSCHEDULABLE) return "unschedulable";
  if (reason === REASON_SELECTOR) return "selector";
  if (reason === REASON_TENANT) return "tenant";
  if (reason === REASON_KEPT) return "queue";
  if (reason === REASON_ONE_NODE) return "affinity";
  if (reason.startsWith("node(s) had untolerated taint")) return "taint";
  return "resources";
}

const FILTER_ORDER: readonly FilterName[] = ["unschedulable", "taint", "selector", "resources", "affinity", "tenant", "queue"];
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
  return rejection(new NodeState(node, used, new Map(nodeTenants), newClass(classOf(node), -1)), rejectionCheck(pod, multiTenant));
}

/**
 * A pod's filters prepared once for explaining a failure over every node: the
 * reasons built once (not a string per node), the selector as pairs.
 */
interface RejectionCheck {
  pod: PodToPlace;
  multiTenant: boolean;
  /** the requested resources in reporting order, their quantities and their "Insufficient ..." reasons */
  resources: string[];
  quantities: number[];
  reasons: string[];
  selector: Array<[string, string]>;
  /** untoleratedTaint() by taint key, then value */
  taintReasons: Map<string, Map<string, string>>;
  /** by node class: the index in `resources` of the first requested extended resource no node of the class has (-1: none missing) */
  missingByClass: Map<NodeClass, number>;
}

/**
 * Where the resources filter must stop for a node of class `cls`: a node of a
 * class without an extended resource has none of it (requests are never
 * negative), so that resource is insufficient without looking it up.
 */
function missingIn(c: RejectionCheck, cls: NodeClass): number {
  let m = c.missingByClass.get(cls);
  if (m === undefined) {
    m = c.resources.findIndex((r) => r !== CPU && r !== MEMORY && r !== PODS && !cls.resources.has(r));
    c.missingByClass.set(cls, m);
  }
  return m;
}

function rejectionCheck(pod: PodToPlace, multiTenant: boolean): RejectionCheck {
  const resources = resourceOrder(pod);
  return {
    pod,
    multiTenant,
    resources,
    quantities: resources.map((r) => pod.requests[r]!),
    reasons: resources.map(insufficient),
    selector: Object.entries(pod.nodeSelector ?? {}),
    taintReasons: new Map(),
    missingByClass: new Map(),
  };
}

function taintReason(c: RejectionCheck, t: Taint): string {
  let byValue = c.taintReasons.get(t.key);
  if (!byValue) c.taintReasons.set(t.key, (byValue = new Map()));
  const value = t.value ?? "";
  let reason = byValue.get(value);
  if (reason === undefined) byValue.set(value, (reason = untoleratedTaint(t)));
  return reason;
}

/** The pod's requested resources (q > 0) in the order their shortage is reported: CPU, memory, the rest by name. */
function resourceOrder(pod: PodToPlace): string[] {
  return Object.keys(pod.requests)
    .filter((r) => (pod.requests[r] ?? 0) > 0)
    .sort((a, b) => reasonOrder(insufficient(a), insufficient(b)));
}

function rejection(v: NodeState, c: RejectionCheck): string | undefined {
  const node = v.info;
  if (node.unschedulable) return REASON_UNSCHEDULABLE;
  for (let i = 0; i < node.taints.length; i++) {
    const t = node.taints[i]!;
    if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(c.pod.tolerations, t)) return taintReason(c, t);
  }
  for (let i = 0; i < c.selector.length; i++) if (node.labels[c.selector[i]![0]] !== c.selector[i]![1]) return REASON_SELECTOR;
  if (v.usedPods + 1 > v.allocPods) return REASON_TOO_MANY_PODS;
  const missing = missingIn(c, v.cls);
  const end = missing < 0 ? c.resources.length : missing;
  for (let i = 0; i < end; i++) {
    const r = c.resources[i]!;
    const q = c.quantities[i]!;
    if (r === CPU ? v.usedCpu + q > v.allocCpu : r === MEMORY ? v.usedMemory + q > v.allocMemory : (v.used[r] ?? 0) + q > (node.allocatable[r] ?? 0)) return c.reasons[i];
  }
  if (missing >= 0) return c.reasons[missing];
  if (c.multiTenant && heldByOtherTenant(v.tenants, c.pod.tenant)) return REASON_TENANT;
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
  /** pods recorded on a node not (or no longer) known, by node name: counted when it arrives */
  private readonly waitingForNode = new Map<string, Set<string>>();
  /**
   * Whether the per-tenant and "holds no tenant" indexes are kept. They are
   * built at the first multi-tenant decision: off multi-tenant mode a node holds
   * many tenants, and re-filing it in each of their indexes on every bind and
   * unbind would cost more than the decisions that never read them.
   */
  private tenantIndexed = false;
  /** Whether each class's index of all its nodes is kept: built at the first decision that reads it (multi-tenant off, or counting disqualified nodes). */
  private allIndexed = false;
  private readonly classList: NodeClass[] = [];
  /** every node's numbers in flat arrays, for the explanation's scan over all nodes */
  private readonly table = new NodeTable<NodeState>();
  /** tenants by ordinal (the table holds numbers, not names) */
  private readonly tenantOrdinals = new Map<string, number>();

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
    return { state: s, freeCpu: s.allocCpu - s.usedCpu, freeMemory: s.allocMemory - s.usedMemory, name: s.info.name };
  }

  private classFor(info: NodeSnapshot): NodeClass {
    const c = classOf(info);
    let cls = this.classes.get(c.id);
    if (!cls) {
      cls = newClass(c, this.classList.length);
      this.classes.set(c.id, cls);
      this.classList.push(cls);
    }
    return cls;
  }

  private unindex(s: NodeState): void {
    if (!s.indexed) return;
    s.indexed = false;
    s.cls.schedulable--;
    if (this.allIndexed) s.cls.all.remove(s.key);
    if (!this.tenantIndexed) return;
    if (s.tenants.size === 0) s.cls.unclaimed.remove(s.key);
    for (const t of s.tenants.keys()) this.byTenant.get(t)?.remove(s.key);
  }

  private tenantOrdinal(tenant: string): number {
    let n = this.tenantOrdinals.get(tenant);
    if (n === undefined) this.tenantOrdinals.set(tenant, (n = this.tenantOrdinals.size));
    return n;
  }

  private index(s: NodeState): void {
    s.refresh();
    s.soleTenant = -1;
    if (s.tenants.size === 1) for (const t of s.tenants.keys()) s.soleTenant = this.tenantOrdinal(t);
    this.table.write(s.slot, s);
    s.key = this.fitKey(s);
    if (s.info.unschedulable) return;
    s.indexed = true;
    s.cls.schedulable++;
    if (this.allIndexed) s.cls.all.insert(s.key);
    if (this.tenantIndexed) this.indexTenants(s);
  }

  private indexTenants(s: NodeState): void {
    if (s.tenants.size === 0) s.cls.unclaimed.insert(s.key);
    for (const t of s.tenants.keys()) {
      let idx = this.byTenant.get(t);
      if (!idx) this.byTenant.set(t, (idx = new SortedNodes<NodeKey>()));
      idx.insert(s.key);
    }
  }

  private indexTenantsOnce(): void {
    if (this.tenantIndexed) return;
    this.tenantIndexed = true;
    for (const s of this.nodes.values()) if (s.indexed) this.indexTenants(s);
  }

  private indexAllOnce(): void {
    if (this.allIndexed) return;
    this.allIndexed = true;
    for (const s of this.nodes.values()) if (s.indexed) s.cls.all.insert(s.key);
  }

  /** Add or replace a node (its pods stay bound to it). */
  upsertNode(info: NodeSnapshot): void {
    const existing = this.nodes.get(info.name);
    if (existing && sameForPlacement(existing.info, info)) {
      // A status heartbeat: nothing placement reads changed.
      existing.info = info;
      return;
    }
    if (existing) {
      this.unindex(existing);
      existing.info = info;
      existing.cls = this.classFor(info);
      this.index(existing);
      return;
    }
    const s = new NodeState(info, {}, new Map(), this.classFor(info));
    s.slot = this.table.add(s);
    this.nodes.set(info.name, s);
    this.index(s);
    // Pods recorded before their node arrived.
    const waiting = this.waitingForNode.get(info.name);
    this.waitingForNode.delete(info.name);
    for (const key of waiting ?? []) this.account(s, this.pods.get(key)!, +1);
  }

  removeNode(name: string): void {
    const s = this.nodes.get(name);
    if (!s) return;
    this.unindex(s);
    this.table.remove(s.slot);
    this.nodes.delete(name);
    // Its pods stay recorded (the informer deletes them): counted again if the node comes back.
    if (s.pods.size > 0) this.waitingForNode.set(name, new Set(s.pods));
  }

  private account(s: NodeState, p: BoundPod, sign: 1 | -1): void {
    this.unindex(s);
    for (const r in p.requests) s.used[r] = (s.used[r] ?? 0) + sign * p.requests[r]!;
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
    else {
      let waiting = this.waitingForNode.get(p.node);
      if (!waiting) this.waitingForNode.set(p.node, (waiting = new Set()));
      waiting.add(p.key);
    }
  }

  /** Forget a pod (finished, deleted, or a reservation rolled back). */
  unbind(key: string): void {
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    const s = this.nodes.get(p.node);
    if (s) this.account(s, p, -1);
    else {
      const waiting = this.waitingForNode.get(p.node);
      waiting?.delete(key);
      if (waiting?.size === 0) this.waitingForNode.delete(p.node);
    }
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
    for (const c of this.classList) if (c.schedulable > 0 && classAdmits(c, f)) classes.push(c);
    const better = (a: NodeState | undefined, b: NodeState | undefined) => (a && b ? (compareKeys(a.key, b.key) <= 0 ? a : b) : (a ?? b));
    let best: NodeState | undefined;
    if (opts.multiTenant) this.indexTenantsOnce();
    if (!opts.multiTenant || opts.countDisqualified || opts.explain) this.indexAllOnce();
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

  /**
   * For a pod no node takes: every node counted by the first filter that rejects
   * it. O(nodes), only on failure: one pass over the node table's arrays, with
   * the taint and extended-resource verdicts decided once per class.
   */
  private filteredFor(pod: PodToPlace, multiTenant: boolean): Record<string, number> {
    const c = rejectionCheck(pod, multiTenant);
    const t = this.table;
    const resources = c.resources;
    const quantities = c.quantities;
    const selector = c.selector;
    const nr = resources.length;
    // counts by reason: unschedulable, selector, too many pods, each resource, tenant, kept
    const SELECTOR = 1;
    const TOO_MANY = 2;
    const TENANT = 3 + nr;
    const KEPT = 4 + nr;
    const counts = new Float64Array(5 + nr);
    const byTaint = new Map<string, number>();
    const taintOf: Array<string | null | undefined> = this.classList.map((cls) => classTaintVerdict(cls, c));
    const missingOf = this.classList.map((cls) => missingIn(c, cls));
    const tenant = this.tenantOrdinals.get(pod.tenant) ?? -2;
    for (let i = 0; i < t.size; i++) {
      const state = t.state[i];
      if (state === FREE) continue;
      if (state === UNSCHEDULABLE) {
        counts[0]!++;
        continue;
      }
      const k = t.classOrdinal[i]!;
      const taint = taintOf[k];
      if (taint !== undefined) {
        // null: several untolerated taints, the node's own order says which is first
        const why = taint ?? rejection(t.items[i]!, c)!;
        byTaint.set(why, (byTaint.get(why) ?? 0) + 1);
        continue;
      }
      if (selector.length > 0) {
        const labels = t.items[i]!.info.labels;
        let j = 0;
        while (j < selector.length && labels[selector[j]![0]] === selector[j]![1]) j++;
        if (j < selector.length) {
          counts[SELECTOR]!++;
          continue;
        }
      }
      if (t.usedPods[i]! + 1 > t.allocPods[i]!) {
        counts[TOO_MANY]!++;
        continue;
      }
      const missing = missingOf[k]!;
      const end = missing < 0 ? nr : missing;
      let j = 0;
      for (; j < end; j++) {
        const r = resources[j]!;
        const q = quantities[j]!;
        if (r === CPU ? t.usedCpu[i]! + q > t.allocCpu[i]! : r === MEMORY ? t.usedMemory[i]! + q > t.allocMemory[i]! : exceeds(t.items[i]!, r, q)) break;
      }
      if (j < end) counts[3 + j]!++;
      else if (missing >= 0) counts[3 + missing]!++;
      else if (multiTenant && (t.tenantCount[i]! > 1 || (t.tenantCount[i] === 1 && t.soleTenant[i] !== tenant))) counts[TENANT]!++;
      else counts[KEPT]!++;
    }
    const all: Array<[string, number]> = [
      [REASON_UNSCHEDULABLE, counts[0]!],
      ...byTaint,
      [REASON_SELECTOR, counts[SELECTOR]!],
      [REASON_TOO_MANY_PODS, counts[TOO_MANY]!],
      ...c.reasons.map((r, j): [string, number] => [r, counts[3 + j]!]),
      [REASON_TENANT, counts[TENANT]!],
      [REASON_KEPT, counts[KEPT]!],
    ];
    const filtered: Record<string, number> = {};
    for (const [r, n] of all.filter(([, n]) => n > 0).sort(([a], [b]) => reasonOrder(a, b))) filtered[r] = (filtered[r] ?? 0) + n;
    return filtered;
  }

  /** Place all pods of one job, or none. On success the pods are recorded as bound (reserved). */
  placeJob(pods: readonly PodToPlace[], opts: PlacementOptions): PlacementDecision {
    if (opts.oneNode && pods.length > 0) return this.placeOnOneNode(pods, opts, opts.oneNode.node);
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

  /**
   * All pods of a job on one node, or none: candidate nodes in best-fit order (or only `node`, where
   * the job's pods already are), the first that takes every pod. Scans every node: only for jobs
   * that need it (a ReadWriteOnce vault on several nodes).
   */
  private placeOnOneNode(pods: readonly PodToPlace[], opts: PlacementOptions, node: string | undefined): PlacementDecision {
    const first = pods[0]!;
    if (opts.multiTenant) this.indexTenantsOnce();
    const candidates = node !== undefined ? [this.nodes.get(node)].filter((s): s is NodeState => s !== undefined) : [...this.nodes.values()].sort((a, b) => compareKeys(this.fitKey(a), this.fitKey(b)));
    const filters = pods.map(podFilter);
    for (const s of candidates) {
      if (s.info.unschedulable || opts.avoid?.(s.info.name)) continue;
      if (opts.multiTenant && heldByOtherTenant(s.tenants, first.tenant)) continue;
      const before = new Map<string, BoundPod | undefined>();
      let all = true;
      for (const [i, pod] of pods.entries()) {
        if (!passesFilter(s, filters[i]!)) {
          all = false;
          break;
        }
        if (!before.has(pod.key)) before.set(pod.key, this.pods.get(pod.key));
        this.bind({ key: pod.key, node: s.info.name, requests: pod.requests, tenant: pod.tenant });
      }
      if (all) return { placed: true, bindings: pods.map((p) => ({ pod: p.key, node: s.info.name })), disqualified: [], disqualifiedByTenant: 0 };
      for (const [key, was] of before) {
        this.unbind(key);
        if (was) this.bind(was);
      }
    }
    // Why: each node counted by the first filter that rejects the first pod; a node that takes it but not all of them by REASON_ONE_NODE.
    const check = rejectionCheck(first, opts.multiTenant);
    const filtered: Record<string, number> = {};
    let tenants = 0;
    for (const s of this.nodes.values()) {
      let why = node !== undefined && s.info.name !== node ? REASON_ONE_NODE : rejection(s, check);
      if (why === undefined) why = opts.avoid?.(s.info.name) ? REASON_KEPT : REASON_ONE_NODE;
      if (why === REASON_TENANT) tenants++;
      filtered[why] = (filtered[why] ?? 0) + 1;
    }
    const message = unavailableMessage(this.nodes.size, filtered);
    const where = node !== undefined ? `node ${node}, where its other pods are` : "one node";
    const reason = `no node fits all ${pods.length} pod(s) of the job on ${where} (${describe(first.requests)} each); none placed: ${message}`;
    return { placed: false, reason, pod: first.key, filtered, message, disqualified: [], disqualifiedByTenant: tenants };
  }
}

/** Whether a node's extended resource `r` cannot take `q` more. */
function exceeds(s: NodeState, r: string, q: number): boolean {
  return (s.used[r] ?? 0) + q > (s.info.allocatable[r] ?? 0);
}

/**
 * The taint verdict for every node of a class: undefined when the pod tolerates
 * them all, the reason when exactly one is not tolerated, null when several are
 * (each node's own order says which one it reports).
 */
function classTaintVerdict(cls: NodeClass, c: RejectionCheck): string | null | undefined {
  let first: Taint | undefined;
  let untolerated = 0;
  for (const taint of cls.taints) {
    if (tolerates(c.pod.tolerations, taint)) continue;
    untolerated++;
    first ??= taint;
  }
  if (first === undefined) return undefined;
  return untolerated === 1 ? taintReason(c, first) : null;
}

/** Whether two versions of a node agree on everything placement reads (schedulable, allocatable, labels, taints). */
function sameForPlacement(a: NodeSnapshot, b: NodeSnapshot): boolean {
  if (a.name !== b.name || a.unschedulable !== b.unschedulable || !sameRecord(a.allocatable, b.allocatable) || !sameRecord(a.labels, b.labels) || a.taints.length !== b.taints.length) return false;
  for (let i = 0; i < a.taints.length; i++) {
    const x = a.taints[i]!;
    const y = b.taints[i]!;
    if (x.key !== y.key || (x.value ?? "") !== (y.value ?? "") || x.effect !== y.effect) return false;
  }
  return true;
}

function sameRecord<V>(a: Readonly<Record<string, V>>, b: Readonly<Record<string, V>>): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (--n < 0 || !(k in a)) return false;
  return true;
}

function sameBinding(a: BoundPod, b: BoundPod): boolean {
  return a.node === b.node && a.tenant === b.tenant && sameRecord(a.requests, b.requests);
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
