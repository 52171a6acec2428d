// Runs a piece of work on request, one run at a time: requests that arrive
// while it runs fold into a single run after it (like a controller's work
// queue). Used by the job controller and jarvice-pod-scheduler, whose watches
// and resync timers request a reconcile far more often than one takes.
//
// A failed run is retried after a delay that doubles from `initialMs` up to
// `maxMs` and goes back to `initialMs` after a run succeeds (an outage of the
// database or API server must neither crash the caller nor make it spin).
// Requests that arrive while a retry waits fold into that retry.

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 10_000 };

/** The delay before retry number `failures` (1 = after the first failure): doubling, capped. */
export function backoffDelay(failures: number, b: Backoff = DEFAULT_BACKOFF): number {
  if (failures < 1) return 0;
  return Math.min(b.maxMs, b.initialMs * 2 ** Math.min(failures - 1, 30));
}

export interface RunnerEvents {
  /** a run failed; `failures` counts consecutive failures (1 = the first of an outage), `retryInMs` the wait before the retry */
  onError: (e: Error, failures: number, retryInMs: number) => void;
  /** a run succeeded after `failures` consecutive failures */
  onRecovered?: (failures: number) => void;
}

export class CoalescedRunner {
  private running = false;
  private again = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly events: RunnerEvents;

  constructor(
    private readonly work: () => Promise<void>,
    /** false while stopped: requests are ignored and a pending re-run or retry is dropped */
    private readonly enabled: () => boolean,
    events: RunnerEvents | ((e: Error, failures: number, retryInMs: number) => void),
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {
    this.events = typeof events === "function" ? { onError: events } : events;
  }

  /** consecutive failed runs so far (0 after a success) */
  get consecutiveFailures(): number {
    return this.failures;
  }

  request(): void {
    if (!this.enabled()) return;
    if (this.running || this.retryTimer) {
      // a run in progress or a retry waiting: it covers this request
      this.again = true;
      return;
    }
    this.running = true;
    void this.runLoop();
  }

  private async runLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.work();
        if (this.failures > 0) {
          const n = this.failures;
          this.failures = 0;
          this.events.onRecovered?.(n);
        }
      } while (this.again && this.enabled());
    } catch (e) {
      this.failures++;
      const delay = backoffDelay(this.failures, this.backoff);
      this.events.onError(e instanceof Error ? e : new Error(String(e)), this.failures, delay);
      if (this.enabled()) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.request();
        }, delay);
        this.retryTimer.unref();
      }
    } finally {
      this.running = false;
    }
  }

  /** Drop a waiting retry (the owner stops). */
  cancel(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.again = false;
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}
