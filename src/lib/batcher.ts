// Group commit for database round trips: callers each ask for one item (read
// job 17, save this transition) and await their own answer, while the batcher
// sends what accumulated as ONE statement. At most one batch is in flight; the
// items that arrive meanwhile form the next batch. So a lone caller waits for
// one round trip (the batch goes out on the next turn of the event loop), and
// under load the statements per item fall with the load instead of rising with
// it. A failing batch is retried item by item, so one poisoned item fails only
// its own caller (each caller then has its own retry and backoff).
export interface BatcherOptions {
  /** items per statement at most (default 500) */
  maxBatch?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private flushing = false;
  private readonly maxBatch: number;

  /** `run` answers the items of one batch, in their order (one answer per item). */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    opts: BatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 500);
  }

  /** items waiting for the next batch */
  get depth(): number {
    return this.waiting.length;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          this.answer(batch, await this.run(batch.map((w) => w.item)));
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          else for (const w of batch) await this.run([w.item]).then((o) => this.answer([w], o), w.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private answer(batch: Array<Waiting<I, O>>, out: O[]): void {
    if (out.length !== batch.length) {
      const e = new Error(`batch of ${batch.length} answered with ${out.length} results`);
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => w.resolve(out[i]!));
  }
}
