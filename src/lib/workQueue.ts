// A keyed, de-duplicating work queue in controller-runtime's shape: a key
// added while it waits is merged into the waiting entry; a key added while a
// worker processes it runs once more after that run (never twice at once); a
// failed run is retried after a per-key delay that doubles (100 ms to 10 s by
// default) and resets when the key succeeds. A few workers take keys in
// arrival order, so one slow or failing key never holds up the others.
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "./coalescedRunner";

export interface WorkQueueOptions<K> {
  /** keys processed at once (default 4) */
  workers?: number;
  backoff?: Backoff;
  /** a run of `key` failed for the `failures`-th time in a row; it is retried in `retryInMs` */
  onError?: (key: K, e: Error, failures: number, retryInMs: number) => void;
  /** a run of `key` succeeded after `failures` failed ones */
  onRecovered?: (key: K, failures: number) => void;
}

export class WorkQueue<K> {
  /** keys waiting, in arrival order (a ring over an array: `head` is the next one) */
  private items: K[] = [];
  private head = 0;
  /** keys waiting to be processed (in `items`, or to be put back there when their run ends) */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly retries = new Map<K, NodeJS.Timeout>();
  private running = false;
  private active = 0;
  private readonly workers: number;
  private readonly backoff: Backoff;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: (key: K) => Promise<void>,
    private readonly opts: WorkQueueOptions<K> = {},
  ) {
    this.workers = Math.max(1, opts.workers ?? 4);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  /** keys waiting (not counting those being processed or waiting for a retry) */
  get depth(): number {
    return this.items.length - this.head;
  }

  /** keys being processed right now */
  get inFlight(): number {
    return this.active;
  }

  /** consecutive failures of `key` so far (0: none, or it succeeded since) */
  failuresOf(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Queue `key` (ignored while stopped). */
  add(key: K): void {
    if (!this.running || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when its run ends
    this.items.push(key);
    this.pump();
  }

  /** Stop taking keys, drop waiting keys and retries; resolves when no run is in progress. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    this.items = [];
    this.head = 0;
    this.dirty.clear();
    this.failures.clear();
    await this.idle();
  }

  /** Resolves when no run is in progress and no key waits (retries waiting on their timer do not count). */
  idle(): Promise<void> {
    if (this.active === 0 && (this.depth === 0 || !this.running)) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private take(): K | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  private pump(): void {
    while (this.running && this.active < this.workers) {
      const key = this.take();
      if (key === undefined) break;
      this.dirty.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.active === 0 && (this.depth === 0 || !this.running)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async run(key: K): Promise<void> {
    try {
      await this.handler(key);
      const failed = this.failures.get(key);
      if (failed !== undefined) {
        this.failures.delete(key);
        this.opts.onRecovered?.(key, failed);
      }
      const retry = this.retries.get(key);
      if (retry) {
        clearTimeout(retry);
        this.retries.delete(key);
      }
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      const delay = backoffDelay(n, this.backoff);
      if (this.running) {
        this.failures.set(key, n);
        clearTimeout(this.retries.get(key));
        const t = setTimeout(() => {
          this.retries.delete(key);
          this.add(key);
        }, delay);
        t.unref();
        this.retries.set(key, t);
      }
      try {
        this.opts.onError?.(key, e instanceof Error ? e : new Error(String(e)), n, delay);
      } catch {
        // a failing error report must not stop the queue
      }
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.running && this.dirty.has(key)) this.items.push(key);
      this.pump();
    }
  }
}
