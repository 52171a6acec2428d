// The job controller's (jarvice-k8s-scheduler's) and the submission's metrics
// (issue 12 item 5), in the process registry. Labels are enums only: a job
// status, an outcome; never a tenant, user or job.
import { Counter, Gauge, Histogram } from "prom-client";
import { ACTIVE_STATUSES } from "../core/jobLifecycle";
import { registry } from "../lib/metrics";
import { DEFAULT_QUEUE } from "./queues";
import type { Db } from "../store/db";

const registers = [registry];

/** Where the active-jobs gauge counts, set by whoever opened the database (one per process). */
let countIn: Db | undefined;

/** Count the active jobs of `db` on each scrape (undefined: stop counting). */
export function countJobsIn(db: Db | undefined): void {
  countIn = db;
}

/** Stop counting in `db` if it is the one counted (its owner closes it). */
export function stopCountingIn(db: Db): void {
  if (countIn === db) countIn = undefined;
}

export const jobMetrics = {
  /**
   * Active jobs by status, read from the database on scrape (an index-only count: the partial index
   * on active statuses); SUBMITTED includes the jobs held for their Limits.
   */
  jobs: new Gauge({
    name: "jarvice_jobs",
    help: "Active jobs by status (read from the database when scraped).",
    labelNames: ["status"] as const,
    registers,
    async collect() {
      const db = countIn;
      if (!db) return;
      try {
        const rows = await db.selectFrom("jobs").select(["status", (eb) => eb.fn.countAll<string>().as("n")]).where("status", "in", [...ACTIVE_STATUSES]).groupBy("status").execute();
        for (const s of ACTIVE_STATUSES) this.set({ status: s }, Number(rows.find((r) => r.status === s)?.n ?? 0));
      } catch {
        // the database is away: the scrape keeps the last counts rather than failing
      }
    },
  }),
  /**
   * The queues of GET /jarvice/queues (one, "default"): jobs submitted and not started, held for their
   * Limits or released to the cluster (read from the database on scrape).
   */
  queued: new Gauge({
    name: "jarvice_queue_jobs",
    help: "Jobs waiting in a queue (SUBMITTED, not started), by queue and state (held for Limits, released).",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      const db = countIn;
      if (!db) return;
      try {
        const rows = await db.selectFrom("jobs").select(["held", (eb) => eb.fn.countAll<string>().as("n")]).where("status", "=", "SUBMITTED").where("start_time", "=", 0).groupBy("held").execute();
        this.set({ queue: DEFAULT_QUEUE, state: "held" }, Number(rows.find((r) => r.held)?.n ?? 0));
        this.set({ queue: DEFAULT_QUEUE, state: "released" }, Number(rows.find((r) => !r.held)?.n ?? 0));
      } catch {
        // the database is away: keep the last counts
      }
    },
  }),
  /** jobs the controller ended, by their final status */
  ended: new Counter({ name: "jarvice_jobs_ended_total", help: "Jobs ended by the job controller, by final status.", labelNames: ["status"] as const, registers }),
  /** one reconcile of one job (read its row and pods, save, act) */
  reconcileSeconds: new Histogram({
    name: "jarvice_k8s_scheduler_reconcile_duration_seconds",
    help: "Duration of one job's reconcile.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers,
  }),
  /** one resync: the read of every active job and of the cluster's pods, and the queueing of the jobs due */
  resyncSeconds: new Histogram({
    name: "jarvice_k8s_scheduler_resync_duration_seconds",
    help: "Duration of one resync of the job controller (every active job and the cluster's pods read, the jobs that need work queued).",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  }),
  /** failed reconciles: retried (with backoff) or refused (the cluster refused the job's pods for good: the job ended) */
  reconcileErrors: new Counter({ name: "jarvice_k8s_scheduler_reconcile_errors_total", help: "Failed job reconciles by outcome (retried, refused).", labelNames: ["outcome"] as const, registers }),
  /** jobs waiting in the controller's work queue */
  queueDepth: new Gauge({ name: "jarvice_k8s_scheduler_work_queue_depth", help: "Jobs waiting in the job controller's work queue.", registers }),
  /** POST /jarvice/submit, /jarvice/batch and /api/jobs, from the request to the stored job (or the refusal) */
  submitSeconds: new Histogram({
    name: "jarvice_submit_duration_seconds",
    help: "Duration of a job submission (validation and storing the job).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  }),
};

/** Run a submission, timing it in jarvice_submit_duration_seconds. */
export async function timedSubmit<T>(submit: () => Promise<T>): Promise<T> {
  const end = jobMetrics.submitSeconds.startTimer();
  try {
    return await submit();
  } finally {
    end();
  }
}
