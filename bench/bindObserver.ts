// The benchmark's stopwatch: watches the pods of one namespace and records
// when each was first seen bound (spec.nodeName set). Independent of the
// scheduler under test; the same for every contender.
import { performance } from "node:perf_hooks";
import type * as k8s from "@kubernetes/client-node";
import type { KubeHttp, WatchEvent } from "./kubeHttp";
import type { Outcome } from "./schedulerReport";

export interface WaitResult {
  outcome: Exclude<Outcome, "failed">;
  bound: number;
  /** seconds since t0 */
  firstBindS?: number | undefined;
  lastBindS?: number | undefined;
  /** seconds since t0 at which the wait ended */
  endedS: number;
}

export class BindObserver {
  /** pod name -> performance.now() when first seen bound */
  readonly boundAt = new Map<string, number>();
  readonly seen = new Set<string>();
  private stopWatch: (() => void) | undefined;
  private resourceVersion = "";
  private stopped = false;
  restarts = 0;
  private firstAt: number | undefined;
  private lastAt: number | undefined;

  constructor(
    private readonly http: KubeHttp,
    private readonly namespace: string,
  ) {}

  private observe(p: k8s.V1Pod): void {
    const name = p.metadata!.name!;
    this.seen.add(name);
    if (p.spec?.nodeName && !this.boundAt.has(name)) {
      const now = performance.now();
      this.boundAt.set(name, now);
      this.firstAt ??= now;
      this.lastAt = now;
    }
  }

  /** List the namespace's pods, then watch them from that list. */
  async start(): Promise<void> {
    const list = await this.http.ok<k8s.V1PodList>("GET", `/api/v1/namespaces/${this.namespace}/pods`, undefined, 120_000);
    for (const p of list.items) this.observe(p);
    this.resourceVersion = list.metadata!.resourceVersion!;
    this.watch();
  }

  private watch(): void {
    if (this.stopped) return;
    this.stopWatch = this.http.watch<k8s.V1Pod>(
      `/api/v1/namespaces/${this.namespace}/pods`,
      this.resourceVersion,
      (e: WatchEvent<k8s.V1Pod>) => {
        if (e.type === "ERROR") {
          // typically 410 Gone: start over from a fresh list
          this.stopWatch?.();
          this.restarts++;
          void this.start().catch(() => setTimeout(() => this.watch(), 500));
          return;
        }
        const rv = e.object?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (e.type !== "BOOKMARK" && e.type !== "DELETED") this.observe(e.object);
      },
      () => {
        this.restarts++;
        setTimeout(() => this.watch(), 200);
      },
    );
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  /**
   * Wait until `total` pods are bound ("all bound"), or no new binding came for `idleMs` after
   * the first one ("stalled"), or `timeoutMs` since t0 passed ("timeout"). `progress` every `everyMs`.
   */
  async waitFor(total: number, t0: number, opts: { timeoutMs: number; idleMs: number; everyMs: number; progress: (line: string) => void }): Promise<WaitResult> {
    let lastReport = t0;
    let lastCount = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const now = performance.now();
      const bound = this.boundAt.size;
      const first = this.firstAt;
      const last = this.lastAt;
      const result = (outcome: WaitResult["outcome"]): WaitResult => ({
        outcome,
        bound,
        firstBindS: first !== undefined ? (first - t0) / 1000 : undefined,
        lastBindS: last !== undefined ? (last - t0) / 1000 : undefined,
        endedS: (now - t0) / 1000,
      });
      if (bound >= total) return result("all bound");
      if (now - t0 > opts.timeoutMs) return result("timeout");
      if (last !== undefined && now - last > opts.idleMs) return result("stalled");
      if (now - lastReport >= opts.everyMs) {
        const rate = ((bound - lastCount) * 1000) / (now - lastReport);
        opts.progress(`${((now - t0) / 1000).toFixed(1).padStart(6)} s: ${bound}/${total} bound (${rate.toFixed(0)} pods/s in the last ${((now - lastReport) / 1000).toFixed(0)} s)`);
        lastReport = now;
        lastCount = bound;
      }
    }
  }
}
