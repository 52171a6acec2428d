// What users see of the scheduler's decisions, as kube-scheduler shows it:
// a Normal `Scheduled` Event when a pod is bound, and for a waiting pod a
// Warning `FailedScheduling` Event plus the PodScheduled=False condition
// (reason Unschedulable) with the reason it waits. Sent only when a pod's
// message changes, in the background through a bounded queue (oldest dropped
// first) with low concurrency, and one request at a time while bindings are in
// flight: reporting never delays or fails a binding. Sink errors are values
// logged once per kind, never thrown.
import type * as k8s from "@kubernetes/client-node";
import { Counter } from "prom-client";
import { registry } from "../lib/metrics";
import { kubeHttp, statusMessage } from "./kubeHttp";
import type { Logger } from "./logger";
import type { ReporterLike } from "./schedulerSeams";

export const REPORTING_COMPONENT = "jarvice-pod-scheduler";

/** A strategic merge patch of pods/status: conditions merge by `type`, so only PodScheduled changes. */
export interface PodStatusPatch {
  status: { conditions: Array<{ type: "PodScheduled"; status: "False"; reason: "Unschedulable"; message: string; lastTransitionTime: string }> };
}

/** Where reports go. A failure rejects with an Error whose `code` is the HTTP status when there was one. */
export interface ReportSink {
  createEvent(namespace: string, body: k8s.CoreV1Event): Promise<void>;
  patchPodStatus(namespace: string, name: string, body: PodStatusPatch): Promise<void>;
}

/**
 * The API server as a ReportSink: raw HTTPS on a small keep-alive pool of its own (`close()` ends it);
 * a request not answered within `timeoutMs` (default 10 s) fails, so a hung one cannot hold a slot.
 */
export function kubeReportSink(kc: k8s.KubeConfig, opts: { maxSockets?: number; timeoutMs?: number } = {}): ReportSink & { close(): void } {
  const http = kubeHttp(kc, { maxSockets: opts.maxSockets ?? 4 });
  const signal = () => AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const check = (r: { status: number; body: string }) => {
    if (r.status >= 200 && r.status < 300) return;
    throw Object.assign(new Error(statusMessage(r.status, r.body)), { code: r.status });
  };
  const ns = encodeURIComponent;
  return {
    createEvent: async (namespace, body) => check(await http.send("POST", `/api/v1/namespaces/${ns(namespace)}/events`, body, { signal: signal() })),
    patchPodStatus: async (namespace, name, body) =>
      check(await http.send("PATCH", `/api/v1/namespaces/${ns(namespace)}/pods/${ns(name)}/status`, body, { contentType: "application/strategic-merge-patch+json", signal: signal() })),
    close: () => http.close(),
  };
}

export const reportsDropped = new Counter({
  name: "jarvice_pod_scheduler_reports_dropped_total",
  help: "Events and pod conditions not sent because the report queue was full.",
  registers: [registry],
});

export interface PodReporterOptions {
  sink: ReportSink;
  log: Logger;
  /** the pod's uid for the Events' involvedObject, when known */
  podUid?: (podKey: string) => string | undefined;
  /**
   * true while bindings are in flight or queued: then reports yield to them - one at a time, and at most
   * one per `busyGapMs` (default 250 ms), so a burst of bindings has the API server almost to itself and
   * its Events follow right after it
   */
  busy?: () => boolean;
  busyGapMs?: number;
  /** reports waiting to be sent at most; beyond, the oldest is dropped (default 5,000) */
  maxQueue?: number;
  /** reports in flight at most when not busy (default 4) */
  concurrency?: number;
  /** wall clock in ms, for Event and condition times (default Date.now) */
  now?: () => number;
  /** called once close() has ended everything in flight (e.g. to end the sink's connections) */
  onClose?: () => void;
}

/** A PodReporter writing to the API server with the kubeconfig's identity; close() also ends its connections. */
export function kubeReporter(kc: k8s.KubeConfig, opts: Omit<PodReporterOptions, "sink" | "onClose">): PodReporter {
  const sink = kubeReportSink(kc, { maxSockets: opts.concurrency ?? 4 });
  return new PodReporter({ ...opts, sink, onClose: () => sink.close() });
}

type Kind = "event" | "condition";

/** The last message reported for a waiting pod, and since when it has waited (the condition's lastTransitionTime). */
interface Reported {
  message: string;
  since: string;
}

interface Item {
  kind: Kind;
  podKey: string;
  /** the report this item sends; a drop of it means the pod must be reported again */
  reported?: Reported;
  send: () => Promise<void>;
  cancelled?: boolean;
}

/** A message longer than this is cut (events.k8s.io's limit for a note): a reason listing thousands of nodes must not bloat every pod. */
export const MAX_MESSAGE = 1024;
const cut = (message: string) => (message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`);

/** metav1.Time: RFC 3339 in whole seconds. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class PodReporter implements ReporterLike {
  private readonly last = new Map<string, Reported>();
  /** FIFO (head index; cancelled items skipped when reached) */
  private queue: Item[] = [];
  private head = 0;
  private live = 0;
  /** the queued condition patch of each pod, so that a newer state cancels it */
  private readonly queuedCondition = new Map<string, Item>();
  private inFlight = new Set<Promise<void>>();
  private pumpScheduled = false;
  private closed = false;
  private droppedNow = 0;
  private readonly failing = new Map<Kind, number>();
  private idleWaiters: Array<() => void> = [];
  private seq = 0;
  private onCloseDone = false;
  private lastBusySend = -Infinity;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly maxQueue: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  /** reports dropped because the queue was full, since start */
  dropped = 0;

  constructor(private readonly opts: PodReporterOptions) {
    this.maxQueue = Math.max(1, opts.maxQueue ?? 5000);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.now = opts.now ?? Date.now;
  }

  /** reports waiting to be sent */
  get queued(): number {
    return this.live;
  }

  scheduled(podKey: string, node: string): void {
    if (this.closed) return;
    this.forget(podKey);
    this.enqueue({ kind: "event", podKey, send: this.eventSender(podKey, "Normal", "Scheduled", `Successfully assigned ${podKey} to ${node}`) });
  }

  waiting(podKey: string, message: string): void {
    if (this.closed) return;
    const prev = this.last.get(podKey);
    if (prev?.message === message) return;
    const at = this.now();
    const text = cut(message);
    // The condition's status stays False from one message to the next: its transition time does not move.
    const reported: Reported = { message, since: prev?.since ?? rfc3339(at) };
    this.last.set(podKey, reported);
    this.cancelCondition(podKey);
    this.enqueue({ kind: "event", podKey, reported, send: this.eventSender(podKey, "Warning", "FailedScheduling", text, at) });
    const [namespace, name] = splitKey(podKey);
    const patch: PodStatusPatch = { status: { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: text, lastTransitionTime: reported.since }] } };
    const item: Item = { kind: "condition", podKey, reported, send: () => this.opts.sink.patchPodStatus(namespace, name, patch) };
    this.queuedCondition.set(podKey, item);
    this.enqueue(item);
  }

  forget(podKey: string): void {
    this.last.delete(podKey);
    // A PodScheduled=False not yet sent must not land on a pod that is now bound.
    this.cancelCondition(podKey);
  }

  /** Resolves when nothing is queued or in flight (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.live === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.cancelled = true;
    this.queue = [];
    this.head = 0;
    this.live = 0;
    this.queuedCondition.clear();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.settle();
    if (!this.onCloseDone) {
      this.onCloseDone = true;
      this.opts.onClose?.();
    }
  }

  private eventSender(podKey: string, type: "Normal" | "Warning", reason: string, message: string, at = this.now()): () => Promise<void> {
    const [namespace, name] = splitKey(podKey);
    const uid = this.opts.podUid?.(podKey);
    const time = rfc3339(at);
    // kube's recorder names an Event <object>.<unix nanoseconds in hex>; the sequence keeps names unique within a millisecond.
    const suffix = (BigInt(Math.floor(at)) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16);
    const body: k8s.CoreV1Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${name.slice(0, 253 - 1 - suffix.length)}.${suffix}`, namespace },
      involvedObject: { apiVersion: "v1", kind: "Pod", namespace, name, ...(uid ? { uid } : {}) },
      reason,
      message,
      type,
      source: { component: REPORTING_COMPONENT },
      reportingComponent: REPORTING_COMPONENT,
      // the client's type says Date; the wire wants RFC 3339 in whole seconds, which a string gives exactly
      firstTimestamp: time as unknown as Date,
      lastTimestamp: time as unknown as Date,
      count: 1,
    };
    return () => this.opts.sink.createEvent(namespace, body);
  }

  private cancelCondition(podKey: string): void {
    const item = this.queuedCondition.get(podKey);
    if (!item) return;
    this.queuedCondition.delete(podKey);
    item.cancelled = true;
    this.live--;
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    this.live++;
    while (this.live > this.maxQueue) this.dropOldest();
    this.schedulePump();
  }

  private takeOldest(): Item | undefined {
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.queue[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (item.cancelled) continue;
      this.live--;
      if (item.kind === "condition" && this.queuedCondition.get(item.podKey) === item) this.queuedCondition.delete(item.podKey);
      return item;
    }
    return undefined;
  }

  private dropOldest(): void {
    const item = this.takeOldest();
    if (!item) return;
    // Not reported after all: the same message must be sent again the next time it comes.
    if (item.reported && this.last.get(item.podKey) === item.reported) this.last.delete(item.podKey);
    this.dropped++;
    reportsDropped.inc();
    if (this.droppedNow++ === 0) this.opts.log(30, `report queue full (${this.maxQueue}): dropping the oldest Events and pod conditions`);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Never send from inside the scheduling loop's call: the loop goes on, reports follow.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.live > 0) {
      const busy = this.opts.busy?.() ?? false;
      if (this.inFlight.size >= (busy ? 1 : this.concurrency)) break;
      if (busy) {
        const wait = this.lastBusySend + (this.opts.busyGapMs ?? 250) - this.now();
        if (wait > 0) {
          this.wakeLater(wait);
          break;
        }
        this.lastBusySend = this.now();
      }
      const item = this.takeOldest();
      if (!item) break;
      const run: Promise<void> = this.sendOne(item).then(() => {
        this.inFlight.delete(run);
        this.pump();
        this.settle();
      });
      this.inFlight.add(run);
    }
    this.settle();
  }

  private wakeLater(ms: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, ms);
    this.wakeTimer.unref?.();
  }

  private async sendOne(item: Item): Promise<void> {
    try {
      await item.send();
      const failures = this.failing.get(item.kind);
      if (failures !== undefined) {
        this.failing.delete(item.kind);
        this.opts.log(20, `${what[item.kind]} works again (${failures} failed meanwhile)`);
      }
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      if (item.kind === "condition" && code === 404) return; // the pod is gone: nothing to tell
      const failures = this.failing.get(item.kind);
      if (failures === undefined) this.opts.log(30, `could not ${what[item.kind]} (${item.podKey}): ${(e as Error)?.message ?? String(e)}; further failures are not logged until one succeeds`);
      this.failing.set(item.kind, (failures ?? 0) + 1);
    }
  }

  private settle(): void {
    if (this.live > 0 || this.inFlight.size > 0) return;
    if (this.droppedNow > 0) {
      this.opts.log(30, `${this.droppedNow} report(s) were dropped while the report queue was full`);
      this.droppedNow = 0;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

const what: Record<Kind, string> = { event: "create scheduling Events", condition: "set the PodScheduled condition" };

function splitKey(podKey: string): [string, string] {
  const slash = podKey.indexOf("/");
  return [podKey.slice(0, slash), podKey.slice(slash + 1)];
}
