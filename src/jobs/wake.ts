// Split deployments (the API and the job controller in different processes,
// one PostgreSQL server): the database wakes the controller with NOTIFY on
// `paddock_jobs`, the payload a job number, when a job is inserted, asked to
// stop or released from its hold (triggers, migration 0009_job_wake), instead
// of leaving the job to the controller's slow resync. The controller LISTENs
// on a connection of its own; a lost connection is reopened with backoff, and
// since notifications sent meanwhile are lost, the controller is then asked
// for a full resync.
import pg from "pg";
import { backoffDelay, type Backoff } from "../lib/coalescedRunner";

export const JOBS_CHANNEL = "paddock_jobs";

export interface JobListener {
  /** resolves once the first LISTEN is in place (or close() was called) */
  readonly listening: Promise<void>;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** a job number was notified */
  onJob: (jobNumber: number) => void;
  /** notifications may have been missed (reconnected, or a payload that is not a job number): resync everything */
  onMissed: () => void;
  log?: (msg: string) => void;
  backoff?: Backoff;
}

/** Controller side: LISTEN on `paddock_jobs` on a dedicated connection to `databaseUrl`. */
export function listenForJobs(databaseUrl: string, opts: ListenOptions): JobListener {
  const log = opts.log ?? (() => {});
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let markListening: () => void = () => {};
  const listening = new Promise<void>((r) => (markListening = r));

  const gone = new WeakSet<pg.Client>();
  const lost = (c: pg.Client, e?: Error) => {
    if (gone.has(c)) return; // "error" and "end" both report one loss
    gone.add(c);
    if (client === c) client = undefined;
    c.removeAllListeners("notification");
    void c.end().catch(() => {});
    if (closed) return;
    failures++;
    const delay = backoffDelay(failures, opts.backoff);
    if (failures === 1) log(`job wake-ups: LISTEN connection lost (${e?.message ?? "closed"}); reconnecting (resync meanwhile)`);
    timer = setTimeout(() => void connect(), delay);
    timer.unref();
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    c.on("error", (e) => lost(c, e));
    c.on("end", () => lost(c));
    c.on("notification", (m) => {
      if (m.channel !== JOBS_CHANNEL) return;
      const n = Number(m.payload);
      if (Number.isSafeInteger(n) && n > 0) opts.onJob(n);
      else opts.onMissed();
    });
    try {
      client = c;
      await c.connect();
      await c.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (e) {
      lost(c, e as Error);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    if (failures > 0) {
      log(`job wake-ups: listening again after ${failures} failed attempt(s)`);
      opts.onMissed();
    }
    failures = 0;
    markListening();
  };
  void connect();

  return {
    listening,
    async close() {
      closed = true;
      clearTimeout(timer);
      markListening();
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
