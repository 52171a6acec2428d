// jarvice-pod-scheduler: binds pods whose spec.schedulerName is
// jarvice-pod-scheduler, in kube-scheduler's shape:
//  - informers feed one long-lived cache (schedulerCache.ts) incrementally;
//  - waiting jobs (gangs) sit in a queue (schedulingQueue.ts) ordered by
//    priority then submission, with backoff, parked until capacity frees;
//  - a cycle takes active jobs in order and places each job's missing members
//    with the pure placement core (best fit; tenant exclusivity in multi-tenant
//    mode; all missing members of a job or none), under head-of-line
//    protection (core/backfill.ts);
//  - a placement is reserved in the cache first, then handed to a binder that
//    runs bindings concurrently while the next decisions are made; a reservation
//    lasts until the informer confirms the binding or the pod is gone;
//  - a binding refused or unanswered is retried on the reserved node with
//    backoff; a gang that cannot complete in `gangTimeoutMs` releases the
//    reservations of its unbound members and goes back to the queue.
// Only the binder writes to Kubernetes (and the reporter: Events, conditions).
import type * as k8s from "@kubernetes/client-node";
import { before } from "./schedulingQueue";
import { mayUseHeadNodes, protect, type Protection } from "../core/backfill";
import type { NodeSnapshot, PodToPlace } from "../core/placement";
import { podRequests as requestsOfSpec, type PodRequests } from "../core/podRequests";
import { CoalescedRunner } from "../lib/coalescedRunner";
import type { Logger } from "./logger";
import { ACTIVE_PODS_FIELD_SELECTOR, nodeSnapshot, podEndsAt, podRecord, usedBy, type PodRecord } from "./podRecord";
import { SchedulerCache, type CacheChange, type Gang } from "./schedulerCache";
import { schedulerMetrics } from "./schedulerMetrics";
import type { BinderLike, BindResult, ReporterLike } from "./schedulerSeams";
import { kubeBinder } from "./binder";
import { LightInformer } from "./lightInformer";
import { kubeReporter } from "./podReporter";
import { SchedulingQueue, type JobOrder, type QueueOptions } from "./schedulingQueue";

export { nodeSnapshot } from "./podRecord";

export interface PodSchedulerOptions {
  multiTenant: boolean;
  log: Logger;
  /** resync period; events also trigger cycles */
  resyncMs?: number;
  /** where bindings go; a factory gets a new one per term as leader (an instance is closed when the scheduler stops) */
  binder?: BinderLike | (() => BinderLike);
  /** where Events and PodScheduled conditions go (same rule as `binder`) */
  reporter?: ReporterLike | (() => ReporterLike);
  /** the clock (ms) */
  now?: () => number;
  /** a gang whose members are not all bound after this long releases its unbound reservations (default 60 s) */
  gangTimeoutMs?: number;
  /** the default binder: bindings in flight and the timeout of one */
  bindConcurrency?: number;
  bindTimeoutMs?: number;
  queue?: QueueOptions;
  /**
   * List the nodes disqualified by tenant that would have fit better (the log lines of level 10); costs
   * a scan of such nodes per pod in multi-tenant mode. Default true; the process turns it on only when
   * JARVICE_POD_SCHED_LOGLEVEL is 10. Without it, the disqualifiedNodes metric counts the nodes
   * disqualified for pods that wait.
   */
  explain?: boolean;
}

/** What a pod asks of a node: max(sum of containers, largest init container) + overhead; not ok if a quantity is unparsable. */
export function podRequests(p: k8s.V1Pod): PodRequests {
  return requestsOfSpec(p.spec);
}

/** What a pod already on a node (or reserved there) uses; an unparsable request counts the node's whole allocatable of it. */
export function boundRequests(p: k8s.V1Pod, node: NodeSnapshot | undefined) {
  return usedBy(podRequests(p), node);
}

/** Retries of a binding refused or unanswered: 1 s doubling to 10 s. */
const retryDelayMs = (attempts: number) => Math.min(10_000, 1000 * 2 ** Math.min(attempts - 1, 10));

interface Binding {
  job: string;
  node: string;
  inFlight: boolean;
  /** the binder said bound (or the pod was already bound: 409): the informer will confirm */
  done: boolean;
  attempts: number;
  retryAt?: number | undefined;
  /** its gang gave up while it was in flight: release it unless it got bound */
  abandoned?: boolean;
  /** the watch showed the pod bound while this binding was in flight */
  confirmed?: boolean;
}

export interface LoopOptions {
  multiTenant: boolean;
  log: Logger;
  binder: BinderLike;
  reporter: ReporterLike;
  now: () => number;
  gangTimeoutMs?: number;
  queue?: QueueOptions;
  /** list nodes disqualified by tenant (log level 10, metrics); default true */
  explain?: boolean;
  /** something happened outside a cycle (a binding ended): run a cycle soon */
  wake?: () => void;
  onBound?: () => void;
  /** real-time budget of one cycle; the rest waits for the next (keeps the event loop free for the Lease) */
  cycleBudgetMs?: number;
}

/**
 * The scheduling loop of one term as leader: the cache, the queue, the bindings under way. Informer
 * events go to the `on*` methods; `cycle()` decides. No I/O of its own (the binder and reporter do it).
 */
export class SchedulingLoop {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private active = true;
  private readonly bindings = new Map<string, Binding>();
  /** pods whose binding waits for a retry (a subset of `bindings`): cycles look only at these */
  private readonly retrying = new Set<string>();
  /** jobs whose reservations are being bound: since when */
  private readonly gangs = new Map<string, number>();
  private readonly lastReason = new Map<string, string>();
  private readonly gangTimeoutMs: number;
  /** bumped by every change that may change who the head is or what protects it */
  private gen = 0;
  private headGen = -1;
  private head: Protection | undefined;
  /** jobs attempted, for tests and logs */
  attempts = 0;

  constructor(private readonly o: LoopOptions) {
    this.queue = new SchedulingQueue(o.queue);
    this.gangTimeoutMs = o.gangTimeoutMs ?? 60_000;
  }

  stop(): void {
    this.active = false;
  }

  onNodeUpsert(n: NodeSnapshot): void {
    this.apply(this.cache.onNodeUpsert(n));
  }

  onNodeDelete(name: string): void {
    this.apply(this.cache.onNodeDelete(name));
    this.gen++;
  }

  onPodUpsert(r: PodRecord): void {
    this.apply(this.cache.onPodUpsert(r));
  }

  onPodDelete(key: string): void {
    this.apply(this.cache.onPodDelete(key));
  }

  private apply(c: CacheChange): void {
    const now = this.o.now();
    if (c.capacity) {
      this.queue.onCapacity(now);
      this.gen++;
    }
    for (const job of c.jobs) this.refresh(job, now);
    for (const r of c.confirmed) {
      // The watch can show a binding before its answer comes: the answer still gets logged.
      const b = this.bindings.get(r.key);
      if (b?.inFlight) b.confirmed = true;
      else this.bindings.delete(r.key);
      this.o.reporter.forget(r.key);
      if (r.created > 0) schedulerMetrics.e2eSeconds.observe(Math.max(0, now - r.created) / 1000);
      this.gangDone(r.job);
    }
    for (const key of c.gone) {
      this.bindings.delete(key);
      this.o.reporter.forget(key);
    }
  }

  /** A job's members changed: queue it while it has pods waiting, forget it otherwise. */
  private refresh(job: string, now: number): void {
    this.gen++;
    const g = this.cache.gang(job);
    if (!g || g.pending.length === 0) {
      this.queue.remove(job);
      this.lastReason.delete(job);
      if (!g) this.gangs.delete(job);
      if (this.head?.head === job) this.headGone(now);
      return;
    }
    this.queue.add(job, order(g), now);
  }

  /** The gang has nothing left being bound: stop its clock. */
  private gangDone(job: string): void {
    if (!this.gangs.has(job)) return;
    const g = this.cache.gang(job);
    if (!g || g.reserved.every((r) => this.bindings.get(r.pod.key)?.done)) this.gangs.delete(job);
  }

  /** When the loop next has something to do by time (a backoff ends, a retry, a gang deadline). */
  nextWakeAt(): number | undefined {
    let at = this.queue.nextBackoffAt();
    for (const pod of this.retrying) {
      const b = this.bindings.get(pod);
      if (b?.retryAt !== undefined && (at === undefined || b.retryAt < at)) at = b.retryAt;
    }
    // gangs are kept in the order they started: the first one ends first
    for (const since of this.gangs.values()) {
      if (at === undefined || since + this.gangTimeoutMs < at) at = since + this.gangTimeoutMs;
      break;
    }
    return at;
  }

  /**
   * One cycle: expire stuck gangs, retry due bindings, then place active jobs in order. Returns true
   * when it stopped at its time budget with jobs left (run it again after yielding to the event loop).
   */
  cycle(): boolean {
    if (!this.active) return false;
    const now = this.o.now();
    const started = performance.now();
    this.expireGangs(now);
    this.retryBindings(now);
    this.queue.flush(now);
    if (this.gen !== this.headGen) {
      this.headGen = this.gen;
      const before = this.head?.head;
      this.head = this.findHead(now);
      // jobs parked while kept off the old head's nodes may fit now that another job (or none) is protected
      if (before !== undefined && before !== this.head?.head) this.queue.onCapacity(now);
    }
    let more = false;
    for (let job = this.queue.pop(); job !== undefined; job = this.queue.pop()) {
      if (!this.active) return false;
      this.attempt(job, now);
      if (performance.now() - started > (this.o.cycleBudgetMs ?? 50)) {
        more = true;
        break;
      }
    }
    const d = this.queue.depth();
    for (const [q, n] of Object.entries(d)) schedulerMetrics.pendingJobs.set({ queue: q }, n);
    return more;
  }

  /** The protected head among jobs that already waited (rule 1 of core/backfill.ts), if any. */
  private findHead(now: number): Protection | undefined {
    const d = this.queue.depth();
    if (d.backoff + d.unschedulable === 0) return undefined;
    let nodes: ReturnType<SchedulerCache["backfillNodes"]> | undefined;
    for (const job of this.queue.ordered()) {
      const where = this.queue.where(job);
      if (where === "active") continue;
      const p = this.headCandidate(job, () => (nodes ??= this.cache.backfillNodes(now)));
      if (p) return p;
    }
    return undefined;
  }

  private headCandidate(job: string, nodes: () => ReturnType<SchedulerCache["backfillNodes"]>): Protection | undefined {
    const g = this.cache.gang(job);
    if (!g || g.pending.length === 0 || g.members < g.expected || g.pending.some((r) => !r.requests.ok)) return undefined;
    return protect(job, g.pending.map(toPlace), nodes());
  }

  private attempt(job: string, now: number): void {
    const g = this.cache.gang(job);
    if (!g || g.pending.length === 0) {
      this.queue.remove(job);
      return;
    }
    this.attempts++;
    if (g.members < g.expected) {
      this.o.log(10, `job ${job}: ${g.members} of ${g.expected} pod(s) created so far; waiting to place them together`);
      this.queue.park(job, now);
      return;
    }
    const bad = g.pending.find((r) => !r.requests.ok);
    if (bad && !bad.requests.ok) {
      this.waits(job, g, `pod ${bad.key} requests ${bad.requests.problem}: it cannot be scheduled`);
      schedulerMetrics.attempts.inc({ result: "unschedulable" });
      this.queue.park(job, now); // only a change of its pods can help
      return;
    }
    const pods = g.pending.map(toPlace);
    const head = this.head;
    const restricted = head !== undefined && head.head !== job && this.afterHead(job, head) && !mayUseHeadNodes(g.pending.map((r) => podEndsAt(r, now)), head);
    // A job whose pods must share a node (a ReadWriteOnce vault): with the node its other pods hold, if any.
    const oneNode = g.pending.some((r) => r.sameNode) ? { node: g.bound[0]?.node ?? g.reserved[0]?.node } : undefined;
    const decision = this.cache.place(pods, { multiTenant: this.o.multiTenant, explain: this.o.explain ?? true, avoid: restricted ? (n) => head.usable.has(n) : undefined, oneNode });
    for (const d of decision.disqualified) {
      const tenant = g.pending.find((r) => r.key === d.pod)?.tenant ?? "?";
      this.o.log(10, `disqualified node ${d.node} for pod ${d.pod} of tenant ${tenant}: it runs pods of tenant(s) ${d.tenants.join(", ")}`);
    }
    if (decision.disqualifiedByTenant) schedulerMetrics.disqualifiedNodes.inc({ reason: "tenant" }, decision.disqualifiedByTenant);
    if (!decision.placed) {
      schedulerMetrics.attempts.inc({ result: "unschedulable" });
      const kept = restricted ? `; the nodes that job ${head.head} (ahead in the queue) could use are kept for it` : "";
      this.waits(job, g, decision.reason + kept);
      this.queue.failed(job, now);
      // A job ahead of the current head that does not fit now becomes the head (if it ever fits).
      if (!restricted && (head === undefined || this.before(job, head.head))) {
        const p = this.headCandidate(job, () => this.cache.backfillNodes(now));
        if (p) this.head = p;
      }
      return;
    }
    schedulerMetrics.attempts.inc({ result: "scheduled" });
    this.queue.done(job);
    this.lastReason.delete(job);
    this.gen++;
    if (head?.head === job) this.headGone(now);
    if (!this.gangs.has(job)) this.gangs.set(job, now);
    for (const b of decision.bindings) this.send(b.pod, b.node, job, 0);
  }

  /**
   * The protected head was placed or has no pods left to place (deleted): the nodes kept for it are free
   * for every job again, so the jobs parked while kept off them are tried again now, not when capacity
   * next changes or their park ends (in the churn soak, a waiting head deleted left a fitting job unbound
   * for the whole 20 s settle).
   */
  private headGone(now: number): void {
    this.head = undefined;
    this.queue.onCapacity(now);
  }

  private afterHead(job: string, head: Protection): boolean {
    return this.before(head.head, job);
  }

  private before(a: string, b: string): boolean {
    const ga = this.cache.gang(a);
    const gb = this.cache.gang(b);
    if (!ga || !gb) return false;
    return before({ job: a, ...order(ga) }, { job: b, ...order(gb) });
  }

  /** The job waits for `reason`: log it when it changed, tell its pods. */
  private waits(job: string, g: Gang, reason: string): void {
    if (this.lastReason.get(job) !== reason) {
      this.lastReason.set(job, reason);
      this.o.log(20, `job ${job} waits: ${reason}`);
    }
    for (const r of g.pending) this.o.reporter.waiting(r.key, reason);
  }

  private send(pod: string, node: string, job: string, attempts: number): void {
    this.bindings.set(pod, { job, node, inFlight: true, done: false, attempts });
    void this.o.binder.bind(pod, node).then(
      (res) => this.ended(pod, node, res),
      (e: Error) => this.ended(pod, node, { outcome: "unavailable", message: e.message }),
    );
  }

  private ended(pod: string, node: string, res: BindResult): void {
    const b = this.bindings.get(pod);
    const current = b !== undefined && b.node === node && b.inFlight;
    if (res.outcome === "bound") {
      // a fact, even after stop() began or once the watch showed it
      this.o.onBound?.();
      this.o.log(20, `bound ${pod} to ${node}`);
      this.o.reporter.scheduled(pod, node);
    }
    if (!current) return; // released meanwhile
    b.inFlight = false;
    if (b.confirmed) {
      this.bindings.delete(pod);
      if (res.outcome !== "bound") this.o.log(20, `binding ${pod} to ${node}: ${res.message}; the watch shows it bound already`);
      return;
    }
    if (!this.active) return;
    const now = this.o.now();
    if (res.outcome === "bound") {
      b.done = true;
      this.gangDone(b.job);
      return;
    }
    if (res.outcome === "conflict") {
      // already bound (an earlier attempt whose answer was lost, or someone else): the informer will say where
      b.done = true;
      this.o.log(20, `binding ${pod} to ${node}: the pod is already bound; waiting for the watch to show where`);
      this.gangDone(b.job);
      return;
    }
    if (res.outcome === "gone" || b.abandoned) {
      this.o.log(30, `binding ${pod} to ${node} failed: ${res.message}${res.outcome === "gone" ? "" : "; reservation released (its job went back to the queue)"}`);
      this.bindings.delete(pod);
      if (this.cache.release(pod)) this.queue.onCapacity(now);
      this.gen++;
      this.gangDone(b.job);
      // the pod waits again (unless it is gone indeed): its job must be queued
      const g = this.cache.gang(b.job);
      if (g && g.pending.length > 0 && !this.queue.has(b.job)) {
        if (res.outcome === "gone") this.queue.add(b.job, order(g), now);
        else this.queue.retryLater(b.job, order(g), now);
      }
      this.o.wake?.();
      return;
    }
    // refused or unavailable: retry on the same node (the reservation stays)
    b.attempts++;
    const delay = retryDelayMs(b.attempts);
    b.retryAt = now + delay;
    this.retrying.add(pod);
    this.o.log(30, `binding ${pod} to ${node} failed: ${res.message}; retrying in ${delay / 1000}s`);
    this.o.wake?.();
  }

  private retryBindings(now: number): void {
    for (const pod of this.retrying) {
      const b = this.bindings.get(pod);
      if (!b || b.inFlight || b.done || b.retryAt === undefined) {
        this.retrying.delete(pod);
        continue;
      }
      if (b.retryAt > now) continue;
      this.retrying.delete(pod);
      if (this.cache.reservedOn(pod) !== b.node) {
        this.bindings.delete(pod);
        continue;
      }
      this.send(pod, b.node, b.job, b.attempts);
    }
  }

  /** Gangs not complete within gangTimeoutMs: release unbound members' reservations, report, requeue. */
  private expireGangs(now: number): void {
    // in the order they started (a Map keeps insertion order): stop at the first that has time left
    for (const [job, since] of this.gangs) {
      if (now - since < this.gangTimeoutMs) break;
      this.gangs.delete(job);
      const g = this.cache.gang(job);
      if (!g) continue;
      const open = g.reserved.filter((r) => !this.bindings.get(r.pod.key)?.done);
      if (open.length === 0) continue;
      let released = 0;
      for (const r of open) {
        const b = this.bindings.get(r.pod.key);
        if (b?.inFlight) {
          b.abandoned = true; // released when its answer comes, unless it got bound
          continue;
        }
        this.bindings.delete(r.pod.key);
        this.cache.release(r.pod.key);
        released++;
      }
      const bound = g.bound.length + g.reserved.length - open.length;
      const message = `job ${job}: only ${bound} of ${g.expected} pod(s) bound after ${Math.round(this.gangTimeoutMs / 1000)}s; released ${released} reservation(s), the job goes back to the queue`;
      this.o.log(30, message);
      for (const r of open) this.o.reporter.waiting(r.pod.key, message);
      this.queue.onCapacity(now);
      const after = this.cache.gang(job);
      if (after && after.pending.length > 0) this.queue.retryLater(job, order(after), now);
      this.gen++;
    }
  }
}

function order(g: Gang): JobOrder {
  let priority = -Infinity;
  let created = Infinity;
  for (const r of [...g.pending, ...g.bound, ...g.reserved.map((x) => x.pod)]) {
    priority = Math.max(priority, r.priority);
    created = Math.min(created, r.created);
  }
  return { priority: Number.isFinite(priority) ? priority : 0, created: Number.isFinite(created) ? created : 0 };
}

function toPlace(r: PodRecord): PodToPlace {
  return { key: r.key, requests: r.requests.requests, tenant: r.tenant ?? `untenanted:${r.key}`, nodeSelector: r.nodeSelector, tolerations: r.tolerations };
}

const pick = <T>(x: T | (() => T) | undefined, fallback: () => T): T => (x === undefined ? fallback() : typeof x === "function" ? (x as () => T)() : x);

export class PodScheduler {
  private nodes: LightInformer<k8s.V1Node>;
  private pods: LightInformer<k8s.V1Pod>;
  private loop: SchedulingLoop | undefined;
  private binder: BinderLike | undefined;
  private reporter: ReporterLike | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly runner = new CoalescedRunner(
    () => this.cycle(),
    () => this.active,
    (e) => this.opts.log(40, `scheduling cycle failed: ${e.message}`),
  );
  private active = false;
  /** bindings done, for tests and logs */
  bound = 0;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly opts: PodSchedulerOptions,
  ) {
    [this.nodes, this.pods] = this.informers(undefined);
  }

  private get now(): () => number {
    return this.opts.now ?? Date.now;
  }

  /**
   * New informers for each term as leader: they start from a fresh list. Restarted ones would
   * resume watching from where the last term stopped and show, for a while, a past in which pods
   * that another leader has bound since are still pending. Pods are watched without finished ones.
   */
  private informers(loop: SchedulingLoop | undefined) {
    const nodes = new LightInformer<k8s.V1Node>(this.kc, "/api/v1/nodes");
    const pods = new LightInformer<k8s.V1Pod>(this.kc, "/api/v1/pods", { query: { fieldSelector: ACTIVE_PODS_FIELD_SELECTOR } });
    if (loop) {
      const warn = (m: string) => this.warnOnce(m);
      const upsertNode = (n: k8s.V1Node) => {
        loop.onNodeUpsert(nodeSnapshot(n, warn));
        this.kick();
      };
      const upsertPod = (p: k8s.V1Pod) => {
        loop.onPodUpsert(podRecord(p));
        this.kick();
      };
      nodes.on("add", upsertNode);
      nodes.on("update", upsertNode);
      nodes.on("delete", (n) => {
        loop.onNodeDelete(n.metadata!.name!);
        this.kick();
      });
      pods.on("add", upsertPod);
      pods.on("update", upsertPod);
      pods.on("delete", (p) => {
        loop.onPodDelete(`${p.metadata?.namespace}/${p.metadata?.name}`);
        this.kick();
      });
    }
    for (const inf of [nodes, pods]) {
      // each informer lists again and goes on by itself; only say so
      inf.on("error", (e) => this.opts.log(30, `watch error (${(e as Error)?.message ?? e}); listing again in 2s`));
    }
    return [nodes, pods] as const;
  }

  /** Start watching and scheduling (call when this instance holds the lease). */
  async start(): Promise<void> {
    const binder = pick(this.opts.binder, () => kubeBinder(this.kc, { concurrency: this.opts.bindConcurrency, timeoutMs: this.opts.bindTimeoutMs }));
    this.binder = binder;
    // TLS handshakes for the bindings happen while the cluster is listed, not in the first burst
    void binder.warm?.();
    this.reporter = pick(this.opts.reporter, () =>
      kubeReporter(this.kc, {
        log: this.opts.log,
        // reports yield to bindings: at most one in flight while pods are being bound
        busy: () => binder.inFlight + binder.queued > 0,
        podUid: (key) => this.loop?.cache.pod(key)?.uid,
      }),
    );
    const loop = new SchedulingLoop({
      multiTenant: this.opts.multiTenant,
      log: this.opts.log,
      binder: this.binder,
      reporter: this.reporter,
      now: this.now,
      gangTimeoutMs: this.opts.gangTimeoutMs,
      queue: this.opts.queue,
      explain: this.opts.explain,
      wake: () => this.kick(),
      onBound: () => this.bound++,
    });
    this.loop = loop;
    [this.nodes, this.pods] = this.informers(loop);
    await Promise.all([this.nodes.start(), this.pods.start()]);
    this.active = true;
    this.timer = setInterval(() => this.kick(), this.opts.resyncMs ?? 2000);
    this.opts.log(20, `started: ${loop.cache.nodeCount} node(s), multi-tenant ${this.opts.multiTenant ? "on" : "off"}`);
    this.kick();
  }

  /** Stop: after it returns, nothing more is bound. */
  async stop(): Promise<void> {
    this.active = false;
    this.loop?.stop();
    if (this.timer) clearInterval(this.timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.runner.cancel();
    await Promise.all([this.nodes.stop(), this.pods.stop()]);
    await this.runner.idle();
    await this.binder?.close();
    await this.reporter?.close();
    this.binder = undefined;
    this.reporter = undefined;
  }

  /** Problems seen in the cluster (unparsable quantities), each logged once at level 30. */
  private readonly warned = new Set<string>();
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(message);
    this.opts.log(30, message);
  }

  kick(): void {
    this.runner.request();
  }

  /** One cycle of the current term's loop, then a timer for its next backoff, retry or deadline. */
  async cycle(): Promise<void> {
    const loop = this.loop;
    if (!loop || !this.active) return;
    // over its budget: the rest after the event loop had a turn (the Lease is renewed by this process too)
    if (loop.cycle()) setImmediate(() => this.kick());
    const at = loop.nextWakeAt();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (at !== undefined && this.active) {
      this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, at - this.now()) + 5);
      this.wakeTimer.unref();
    }
  }
}
