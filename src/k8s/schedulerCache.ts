// jarvice-pod-scheduler's cache: one long-lived placement state fed by
// informer events, applied incrementally (no rebuild per cycle), from compact
// records (podRecord.ts). A pod counts on a node when the informer shows it
// bound there, or while it is reserved ("assumed") there by this scheduler.
// A reservation lasts until the informer shows the pod bound (on another node:
// it moves), the pod is deleted or finished, or the loop releases it: never
// by time, so a slow watch cannot make a pod count twice or not at all.
// Each change says whether it freed or added capacity (parked jobs may fit
// now) and which jobs' members changed, for the queue.
import type { BackfillNode } from "../core/backfill";
import { PlacementState, type NodeSnapshot, type PlacementDecision, type PlacementOptions, type PodToPlace, type Resources } from "../core/placement";
import { podEndsAt, usedBy, type PodRecord } from "./podRecord";

export interface CacheChange {
  /** capacity was freed or added (a pod left a node, a node came or grew): parked jobs may fit now */
  capacity: boolean;
  /** jobs of ours whose members changed (a pod arrived, left, or stopped waiting) */
  jobs: string[];
  /** pods whose reservation the informer just confirmed (bound where we reserved, or elsewhere) */
  confirmed: PodRecord[];
  /** pods that are gone (deleted or finished) */
  gone: string[];
}

export interface Gang {
  job: string;
  /** members the job will have: the annotation, or the members seen */
  expected: number;
  /** members of the job seen so far (not finished) */
  members: number;
  bound: PodRecord[];
  reserved: Array<{ pod: PodRecord; node: string }>;
  /** members of ours waiting for a node (not reserved, not being deleted) */
  pending: PodRecord[];
}

interface Counted {
  node: string;
  used: Resources;
  tenant: string | undefined;
}

const none = (): CacheChange => ({ capacity: false, jobs: [], confirmed: [], gone: [] });

function shrank(before: Resources, after: Resources): boolean {
  for (const [r, q] of Object.entries(before)) if ((after[r] ?? 0) < q) return true;
  return false;
}

function grew(before: Resources, after: Resources): boolean {
  for (const [r, q] of Object.entries(after)) if (q > (before[r] ?? 0)) return true;
  return false;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

export class SchedulerCache {
  readonly state = new PlacementState();
  private readonly nodes = new Map<string, NodeSnapshot>();
  private readonly pods = new Map<string, PodRecord>();
  /** pod key -> node, reserved by this scheduler and not yet confirmed by the informer */
  private readonly reserved = new Map<string, string>();
  /** what each pod counts for in `state` */
  private readonly counted = new Map<string, Counted>();
  /** node -> keys of the pods counted on it */
  private readonly onNode = new Map<string, Set<string>>();
  /** job -> its members (pods of ours, not finished) */
  private readonly members = new Map<string, Set<string>>();
  /** job -> its pending members */
  private readonly pendingOf = new Map<string, Set<string>>();
  /** calls that look at every pod or node (none in a cycle with nothing to do) */
  scans = 0;

  get nodeCount(): number {
    return this.nodes.size;
  }

  get podCount(): number {
    return this.pods.size;
  }

  pod(key: string): PodRecord | undefined {
    return this.pods.get(key);
  }

  node(name: string): NodeSnapshot | undefined {
    return this.nodes.get(name);
  }

  reservedOn(podKey: string): string | undefined {
    return this.reserved.get(podKey);
  }

  get reservations(): ReadonlyMap<string, string> {
    return this.reserved;
  }

  /** Jobs with at least one member waiting for a node. */
  waitingJobs(): IterableIterator<string> {
    return this.pendingOf.keys();
  }

  onNodeUpsert(n: NodeSnapshot): CacheChange {
    const old = this.nodes.get(n.name);
    this.nodes.set(n.name, n);
    this.state.upsertNode(n);
    const change = none();
    change.capacity =
      !old ||
      grew(old.allocatable, n.allocatable) ||
      (old.unschedulable && !n.unschedulable) ||
      !sameLabels(old.labels, n.labels) ||
      old.taints.some((t) => !n.taints.some((u) => u.key === t.key && u.value === t.value && u.effect === t.effect));
    // Pods with an unparsable request count the node's whole allocatable of it: recount them.
    for (const key of this.onNode.get(n.name) ?? []) if (!this.pods.get(key)?.requests.ok) this.sync(key, change);
    return change;
  }

  onNodeDelete(name: string): CacheChange {
    this.nodes.delete(name);
    this.state.removeNode(name);
    return none();
  }

  onPodUpsert(r: PodRecord): CacheChange {
    const change = none();
    if (r.finished) return this.onPodDelete(r.key);
    const old = this.pods.get(r.key);
    this.pods.set(r.key, r);
    if (old && old.job !== r.job) this.leaveJob(old, change);
    const reservedAt = this.reserved.get(r.key);
    if (reservedAt !== undefined && r.node) {
      this.reserved.delete(r.key);
      change.confirmed.push(r);
    }
    this.sync(r.key, change);
    if (r.ours) {
      let m = this.members.get(r.job);
      if (!m) this.members.set(r.job, (m = new Set()));
      if (!m.has(r.key)) {
        m.add(r.key);
        change.jobs.push(r.job);
      }
    }
    this.syncPending(r.key, change);
    return change;
  }

  onPodDelete(key: string): CacheChange {
    const change = none();
    const old = this.pods.get(key);
    if (!old) return change;
    this.pods.delete(key);
    this.reserved.delete(key);
    this.sync(key, change);
    this.syncPending(key, change, old);
    this.leaveJob(old, change);
    change.gone.push(key);
    return change;
  }

  /** Count a pod on a node while its binding is under way. Returns false if it is not a pending pod of ours. */
  reserve(podKey: string, node: string): boolean {
    const r = this.pods.get(podKey);
    if (!r || !this.isPending(r)) return false;
    this.reserved.set(podKey, node);
    this.sync(podKey, none());
    this.syncPending(podKey, none());
    return true;
  }

  /** Drop a reservation (the binding will not happen): the pod waits again. True if it freed capacity. */
  release(podKey: string): boolean {
    if (!this.reserved.delete(podKey)) return false;
    const change = none();
    this.sync(podKey, change);
    this.syncPending(podKey, change);
    return change.capacity;
  }

  /**
   * Place pods with the core; on success each is reserved on its node. A pod that is not pending any
   * more is refused (the decision is rolled back).
   */
  place(pods: readonly PodToPlace[], opts: PlacementOptions): PlacementDecision {
    const decision = this.state.placeJob(pods, opts);
    if (!decision.placed) return decision;
    for (const b of decision.bindings) {
      const r = this.pods.get(b.pod);
      if (!r || !this.isPending(r)) throw new Error(`placed ${b.pod}, which is not a pending pod of ours`);
      this.reserved.set(b.pod, b.node);
      // placeJob counted it with its requests already: record that instead of counting it again
      this.setCounted(b.pod, { node: b.node, used: pods.find((p) => p.key === b.pod)!.requests, tenant: r.tenant });
      this.syncPending(b.pod, none());
    }
    return decision;
  }

  gang(job: string): Gang | undefined {
    const keys = this.members.get(job);
    if (!keys || keys.size === 0) return undefined;
    const g: Gang = { job, expected: 0, members: keys.size, bound: [], reserved: [], pending: [] };
    for (const k of keys) {
      const r = this.pods.get(k)!;
      g.expected = Math.max(g.expected, r.expected ?? 0);
      const at = this.reserved.get(k);
      if (r.node) g.bound.push(r);
      else if (at !== undefined) g.reserved.push({ pod: r, node: at });
      else if (this.isPending(r)) g.pending.push(r);
    }
    if (g.expected === 0) g.expected = keys.size;
    const byName = (a: PodRecord, b: PodRecord) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    g.pending.sort(byName);
    g.bound.sort(byName);
    return g;
  }

  /** The nodes as head-of-line protection sees them (core/backfill.ts). Looks at every node and pod. */
  backfillNodes(now: number): BackfillNode[] {
    this.scans++;
    const out: BackfillNode[] = [];
    for (const info of this.nodes.values()) {
      const foreignUsed: Resources = { pods: 0 };
      const managedEnds: Array<number | undefined> = [];
      for (const k of this.onNode.get(info.name) ?? []) {
        const r = this.pods.get(k)!;
        const c = this.counted.get(k)!;
        if (c.tenant === undefined) {
          for (const [res, q] of Object.entries(c.used)) foreignUsed[res] = (foreignUsed[res] ?? 0) + q;
          foreignUsed.pods = (foreignUsed.pods ?? 0) + 1;
        } else managedEnds.push(podEndsAt(r, now));
      }
      out.push({ info, foreignUsed, managedEnds });
    }
    return out;
  }

  /** Every record (for checks and tests; the loop never calls it). */
  records(): PodRecord[] {
    this.scans++;
    return [...this.pods.values()];
  }

  private isPending(r: PodRecord): boolean {
    return r.ours && !r.node && !r.deleting && !r.finished && !this.reserved.has(r.key);
  }

  private leaveJob(old: PodRecord, change: CacheChange): void {
    const m = this.members.get(old.job);
    if (m?.delete(old.key)) {
      change.jobs.push(old.job);
      if (m.size === 0) this.members.delete(old.job);
    }
    const p = this.pendingOf.get(old.job);
    if (p?.delete(old.key) && p.size === 0) this.pendingOf.delete(old.job);
  }

  /** Keep pendingOf in step with the pod's record; a pod that starts or stops waiting changes its job. */
  private syncPending(key: string, change: CacheChange, gone?: PodRecord): void {
    const r = this.pods.get(key) ?? gone;
    if (!r) return;
    const want = this.pods.has(key) && this.isPending(r);
    let p = this.pendingOf.get(r.job);
    const has = p?.has(key) ?? false;
    if (want === has) return;
    if (want) {
      if (!p) this.pendingOf.set(r.job, (p = new Set()));
      p.add(key);
    } else {
      p!.delete(key);
      if (p!.size === 0) this.pendingOf.delete(r.job);
    }
    if (!change.jobs.includes(r.job)) change.jobs.push(r.job);
  }

  private setCounted(key: string, c: Counted | undefined): void {
    const old = this.counted.get(key);
    if (old) this.onNode.get(old.node)?.delete(key);
    if (!c) {
      this.counted.delete(key);
      return;
    }
    this.counted.set(key, c);
    let s = this.onNode.get(c.node);
    if (!s) this.onNode.set(c.node, (s = new Set()));
    s.add(key);
  }

  /** Make the placement state count the pod where it should (bound, reserved, or nowhere). */
  private sync(key: string, change: CacheChange): void {
    const r = this.pods.get(key);
    const node = r && !r.finished ? (r.node ?? this.reserved.get(key)) : undefined;
    const old = this.counted.get(key);
    if (node === undefined) {
      if (old) {
        this.state.unbind(key);
        this.setCounted(key, undefined);
        change.capacity = true;
      }
      return;
    }
    const used = usedBy(r!.requests, this.nodes.get(node));
    if (old && old.node === node && old.tenant === r!.tenant && !shrank(old.used, used) && !grew(old.used, used)) return;
    if (old && (old.node !== node || old.tenant !== r!.tenant || shrank(old.used, used))) change.capacity = true;
    this.state.bind({ key, node, requests: used, tenant: r!.tenant });
    this.setCounted(key, { node, used, tenant: r!.tenant });
  }
}
