// The binder: the scheduler's only write that places a pod (POST
// pods/binding). Bindings run concurrently up to a bound, in the order they
// were asked for, each with a timeout, while the loop goes on deciding; every
// outcome is a value (BindResult) the loop can act on: bound, gone (404),
// conflict (409: already bound), refused (other 4xx: retry later on the same
// node) or unavailable (timeout, network, 429, 5xx: retry soon).
import type * as k8s from "@kubernetes/client-node";
import { performance } from "node:perf_hooks";
import type { BinderLike, BindResult } from "./schedulerSeams";
import { schedulerMetrics } from "./schedulerMetrics";
import { kubeHttp, statusMessage } from "./kubeHttp";

/** Send one binding; resolves with the HTTP status and body, rejects on network errors and when `signal` aborts. */
export type BindTransport = (namespace: string, name: string, node: string, signal: AbortSignal) => Promise<{ status: number; body: string }>;

/** POST /api/v1/namespaces/{ns}/pods/{name}/binding on a keep-alive connection pool of its own; `close()` ends its connections. */
export function httpBindTransport(kc: k8s.KubeConfig, opts: { maxSockets?: number } = {}): BindTransport & { close(): void; warm(connections: number): Promise<void> } {
  const http = kubeHttp(kc, { maxSockets: opts.maxSockets ?? 64 });
  const transport = (namespace: string, name: string, node: string, signal: AbortSignal) =>
    http.send(
      "POST",
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`,
      { apiVersion: "v1", kind: "Binding", metadata: { name, namespace }, target: { apiVersion: "v1", kind: "Node", name: node } },
      { signal },
    );
  return Object.assign(transport, { close: () => http.close(), warm: (n: number) => http.warm(n) });
}

/** A Binder over the API server with the kubeconfig's identity; close() also ends its connections. */
export function kubeBinder(kc: k8s.KubeConfig, opts: { concurrency?: number; timeoutMs?: number } = {}): Binder {
  const concurrency = opts.concurrency ?? 64;
  const transport = httpBindTransport(kc, { maxSockets: concurrency });
  return new Binder({ transport, concurrency, timeoutMs: opts.timeoutMs, onClose: () => transport.close(), warm: () => transport.warm(concurrency) });
}

/** What a binding's HTTP answer means for the scheduler. */
export function classifyBinding(status: number, body: string): BindResult {
  if (status >= 200 && status < 300) return { outcome: "bound" };
  const message = statusMessage(status, body);
  if (status === 404) return { outcome: "gone", status, message };
  if (status === 409) return { outcome: "conflict", status, message };
  if (status === 429 || status >= 500) return { outcome: "unavailable", status, message };
  if (status >= 400) return { outcome: "refused", status, message };
  return { outcome: "unavailable", status, message: `unexpected answer: ${message}` };
}

export interface BinderOptions {
  transport: BindTransport;
  /** bindings in flight at most (default 32) */
  concurrency?: number;
  /** a binding not answered by then is aborted and ends "unavailable" (default 10 s) */
  timeoutMs?: number;
  /** a monotonic clock in ms, for the binding duration metric (default performance.now) */
  now?: () => number;
  /** called once close() has ended everything in flight (e.g. to end the transport's connections) */
  onClose?: () => void;
  /** open the transport's connections ahead of the first burst */
  warm?: () => Promise<void>;
}

interface Waiting {
  podKey: string;
  node: string;
  resolve: (r: BindResult) => void;
}

export class Binder implements BinderLike {
  private readonly transport: BindTransport;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** FIFO of bindings waiting for a slot (head at `head`, so shifting is O(1)) */
  private waiting: Array<Waiting | undefined> = [];
  private head = 0;
  private running = new Set<Promise<void>>();
  private closed = false;
  private onClose: (() => void) | undefined;

  private readonly warmUp: (() => Promise<void>) | undefined;

  /** Open the connections bindings will use (e.g. while the scheduler lists the cluster); never rejects. */
  async warm(): Promise<void> {
    await this.warmUp?.().catch(() => undefined);
  }

  constructor(opts: BinderOptions) {
    this.warmUp = opts.warm;
    this.transport = opts.transport;
    this.onClose = opts.onClose;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 32));
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
  }

  get inFlight(): number {
    return this.running.size;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  bind(podKey: string, node: string): Promise<BindResult> {
    if (this.closed) return Promise.resolve(closedResult());
    return new Promise((resolve) => {
      const w = { podKey, node, resolve };
      if (this.running.size < this.concurrency && this.queued === 0) this.start(w);
      else this.waiting.push(w);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (let i = this.head; i < this.waiting.length; i++) this.waiting[i]!.resolve(closedResult());
    this.waiting = [];
    this.head = 0;
    while (this.running.size > 0) await Promise.all([...this.running]);
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }

  private start(w: Waiting): void {
    const run = this.send(w.podKey, w.node).then((result) => {
      this.running.delete(run);
      w.resolve(result);
      this.next();
    });
    this.running.add(run);
  }

  private next(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queued > 0) {
      const w = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      this.start(w);
    }
  }

  /** One binding with its timeout; never rejects. The slot is freed at the timeout even if the transport ignores the abort. */
  private async send(podKey: string, node: string): Promise<BindResult> {
    const slash = podKey.indexOf("/");
    const [namespace, name] = [podKey.slice(0, slash), podKey.slice(slash + 1)];
    const started = this.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<BindResult>((resolve) => {
      timer = setTimeout(() => {
        abort.abort(new Error("binding timed out"));
        resolve({ outcome: "unavailable", message: `binding ${podKey} to ${node}: no answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
    });
    const answered = (async (): Promise<BindResult> => {
      try {
        const r = await this.transport(namespace, name, node, abort.signal);
        return classifyBinding(r.status, r.body);
      } catch (e) {
        return { outcome: "unavailable", message: `binding ${podKey} to ${node}: ${(e as Error)?.message ?? String(e)}` };
      }
    })();
    const result = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    schedulerMetrics.bindingSeconds.observe(Math.max(0, this.now() - started) / 1000);
    if (result.outcome !== "bound") schedulerMetrics.bindingErrors.inc({ outcome: result.outcome });
    return result;
  }
}

const closedResult = (): BindResult => ({ outcome: "unavailable", message: "the binder is closed" });
