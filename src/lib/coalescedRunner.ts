// Runs a piece of work on request, one run at a time: requests that arrive
// while it runs fold into a single run after it (like a controller's work
// queue). Used by the job controller and jarvice-pod-scheduler, whose watches
// and resync timers request a reconcile far more often than one takes.
export class CoalescedRunner {
  private running = false;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    /** false while stopped: requests are ignored and a pending re-run is dropped */
    private readonly enabled: () => boolean,
    private readonly onError: (e: Error) => void,
  ) {}

  request(): void {
    if (!this.enabled()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again && this.enabled());
      } catch (e) {
        this.onError(e as Error);
      } finally {
        this.running = false;
      }
    })();
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}
