// jarvice-pod-scheduler's queue of waiting jobs (gangs), in kube-scheduler's
// shape: an active heap ordered by priority (higher first) then submission
// (earlier first, then job key); a backoff queue for jobs that did not fit (1 s
// doubling to 10 s); an unschedulable pool where such jobs stay until an event
// that frees or adds capacity, or a change of the job's own members, moves them
// back (through backoff if it has not elapsed). Other events leave them parked.
// A job parked longer than `maxParkedMs` is retried anyway (a safety net, as
// kube-scheduler's 5 minutes).

export interface JobOrder {
  priority: number;
  /** submission time (ms) */
  created: number;
}

export type QueueName = "active" | "backoff" | "unschedulable";

interface Entry extends JobOrder {
  job: string;
  where: QueueName;
  /** failed attempts since the job last got placed */
  attempts: number;
  backoffUntil: number;
  parkedAt: number;
  /** identifies this entry's current heap item (stale items are skipped) */
  seq: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxParkedMs?: number;
}

/** The job number of a Paddock job key (`<namespace>/<number>`): the order in which jobs were submitted. */
function jobNumber(job: string): { ns: string; n: number } | undefined {
  const i = job.lastIndexOf("/");
  const tail = job.slice(i + 1);
  return /^\d{1,15}$/.test(tail) ? { ns: job.slice(0, i), n: Number(tail) } : undefined;
}

/**
 * a before b: higher priority, then earlier submission, then job key. Submission is the job number
 * for two Paddock jobs of one namespace (numbers are handed out in submission order; their pods may
 * be created in another order, a second apart), otherwise the creation time.
 */
export function before(a: JobOrder & { job: string }, b: JobOrder & { job: string }): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  const na = jobNumber(a.job);
  const nb = jobNumber(b.job);
  if (na && nb && na.ns === nb.ns && na.n !== nb.n) return na.n < nb.n;
  if (a.created !== b.created) return a.created < b.created;
  return a.job < b.job;
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  /** items keep the order the entry had when pushed, so a later change cannot break the heap */
  private heap: Array<{ e: Entry; seq: number; job: string; priority: number; created: number }> = [];
  private seq = 0;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxParkedMs: number;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxParkedMs = opts.maxParkedMs ?? 300_000;
  }

  get size(): number {
    return this.entries.size;
  }

  has(job: string): boolean {
    return this.entries.has(job);
  }

  where(job: string): QueueName | undefined {
    return this.entries.get(job)?.where;
  }

  /** Backoff after `attempts` failures: 1 s doubling, capped at 10 s. */
  backoffMs(attempts: number): number {
    return attempts < 1 ? 0 : Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(attempts - 1, 30));
  }

  /**
   * A job with pods to place (new, or its members changed): a new job becomes active; a parked one
   * moves back (active, or backoff while its backoff lasts); an active or backing-off one stays.
   */
  add(job: string, order: JobOrder, now: number): void {
    const e = this.entries.get(job);
    if (!e) {
      const n: Entry = { job, ...order, where: "active", attempts: 0, backoffUntil: 0, parkedAt: 0, seq: 0 };
      this.entries.set(job, n);
      this.push(n);
      return;
    }
    e.priority = order.priority;
    e.created = order.created;
    if (e.where === "unschedulable") this.reactivate(e, now);
    else if (e.where === "active") this.push(e); // its order may have changed
  }

  /** The job has nothing left to place (placed, or gone). */
  remove(job: string): void {
    this.entries.delete(job);
  }

  /** Placed: forget its failures. */
  done(job: string): void {
    this.remove(job);
  }

  /** It did not fit: park it until capacity frees, then back off. */
  failed(job: string, now: number): void {
    const e = this.entries.get(job);
    if (!e) return;
    e.attempts++;
    e.backoffUntil = now + this.backoffMs(e.attempts);
    e.where = "unschedulable";
    e.parkedAt = now;
  }

  /** It cannot be placed before something about it changes (e.g. not all pods created yet); no backoff added. */
  park(job: string, now: number): void {
    const e = this.entries.get(job);
    if (!e) return;
    e.where = "unschedulable";
    e.parkedAt = now;
  }

  /** Try again after a backoff, capacity event or not (a gang that could not complete; a binding to retry). */
  retryLater(job: string, order: JobOrder, now: number): void {
    if (!this.entries.has(job)) this.add(job, order, now);
    const e = this.entries.get(job)!;
    e.attempts++;
    e.backoffUntil = now + this.backoffMs(e.attempts);
    e.where = "backoff";
  }

  /** Capacity was freed or added: every parked job may fit now. */
  onCapacity(now: number): void {
    for (const e of this.entries.values()) if (e.where === "unschedulable") this.reactivate(e, now);
  }

  private reactivate(e: Entry, now: number): void {
    if (e.backoffUntil > now) e.where = "backoff";
    else {
      e.where = "active";
      this.push(e);
    }
  }

  /** Move jobs whose backoff has elapsed to active, and jobs parked too long to backoff/active. */
  flush(now: number): void {
    for (const e of this.entries.values()) {
      if (e.where === "backoff" && e.backoffUntil <= now) {
        e.where = "active";
        this.push(e);
      } else if (e.where === "unschedulable" && now - e.parkedAt >= this.maxParkedMs) this.reactivate(e, now);
    }
  }

  /** The first active job in order, taken out of the active heap (it stays known until done/failed/park/remove); call flush first. */
  pop(): string | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
      if (this.entries.get(top.e.job) === top.e && top.e.where === "active" && top.e.seq === top.seq) {
        top.e.seq = -1; // taken: no item of the heap stands for it any more
        return top.e.job;
      }
    }
    return undefined;
  }

  /** The earliest time a backing-off job becomes active, if any. */
  nextBackoffAt(): number | undefined {
    let at: number | undefined;
    for (const e of this.entries.values()) if (e.where === "backoff" && (at === undefined || e.backoffUntil < at)) at = e.backoffUntil;
    return at;
  }

  /** Every waiting job in order (for head-of-line protection). */
  ordered(): string[] {
    return [...this.entries.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).map((e) => e.job);
  }

  depth(): Record<QueueName, number> {
    const d = { active: 0, backoff: 0, unschedulable: 0 };
    for (const e of this.entries.values()) d[e.where]++;
    return d;
  }

  private push(e: Entry): void {
    e.seq = ++this.seq;
    this.heap.push({ e, seq: e.seq, job: e.job, priority: e.priority, created: e.created });
    this.up(this.heap.length - 1);
  }

  private less(i: number, j: number): boolean {
    return before(this.heap[i]!, this.heap[j]!);
  }

  private swap(i: number, j: number): void {
    [this.heap[i], this.heap[j]] = [this.heap[j]!, this.heap[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
