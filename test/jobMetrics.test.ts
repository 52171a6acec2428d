// The job controller's and the submission's metrics on GET /metrics (issue 12
// item 5): active jobs by status (read from the database when scraped), jobs
// ended by final status, reconcile and resync duration, reconcile errors, the work queue's depth,
// and submit latency; labels are enums only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type Creds, type TestApp } from "./app";
import { demoJob, Jarvice } from "./jarviceClient";
import { parsePrometheusText, type Family } from "./promText";

let t: TestApp;
let j: Jarvice;
let ada: Creds;

beforeAll(async () => {
  t = await startTestApp({}, { simulated: { nodes: 1, nodeCores: 16, startDelayMs: 50, tickMs: 20, resyncMs: 50 } });
  j = new Jarvice(t);
  ada = await t.payer("ada");
});
afterAll(async () => t?.close());

async function scrape(): Promise<Map<string, Family>> {
  const r = await t.call("GET", "/metrics");
  expect(r.statusCode).toBe(200);
  return parsePrometheusText(r.body);
}
const value = (fs: Map<string, Family>, family: string, sample: string, labels: Record<string, string> = {}) =>
  fs.get(family)?.samples.find((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

describe("job metrics on /metrics", () => {
  it("count active jobs by status, ended jobs, reconciles and submissions", async () => {
    const before = await scrape();
    for (const [name, type] of Object.entries({
      jarvice_jobs: "gauge",
      jarvice_jobs_ended_total: "counter",
      jarvice_k8s_scheduler_reconcile_duration_seconds: "histogram",
      jarvice_k8s_scheduler_reconcile_errors_total: "counter",
      jarvice_k8s_scheduler_resync_duration_seconds: "histogram",
      jarvice_k8s_scheduler_work_queue_depth: "gauge",
      jarvice_submit_duration_seconds: "histogram",
    })) {
      expect(before.get(name)?.type, name).toBe(type);
    }
    const submits = value(before, "jarvice_submit_duration_seconds", "jarvice_submit_duration_seconds_count");
    const resyncs = value(before, "jarvice_k8s_scheduler_resync_duration_seconds", "jarvice_k8s_scheduler_resync_duration_seconds_count");

    // One job runs, one too big for the 1-node cluster waits, one completes.
    const running = (await j.submit(ada, demoJob({ machine: "n8", seconds: 3600 }))).number;
    const waiting = (await j.submit(ada, demoJob({ machine: "n16", nodes: 2 }))).number;
    const done = (await j.submit(ada, demoJob({ machine: "n4", seconds: 1 }))).number;
    await j.waitForState(ada, running, "PROCESSING STARTING");
    await j.waitForState(ada, done, "COMPLETED");
    // A refused submission is timed too.
    expect((await j.submitAs(ada, demoJob({ machine: "nope" }))).statusCode).toBe(404);

    const after = await scrape();
    expect(value(after, "jarvice_jobs", "jarvice_jobs", { status: "PROCESSING STARTING" })).toBe(1);
    expect(value(after, "jarvice_jobs", "jarvice_jobs", { status: "SUBMITTED" })).toBe(1);
    expect(value(after, "jarvice_jobs_ended_total", "jarvice_jobs_ended_total", { status: "COMPLETED" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "jarvice_submit_duration_seconds", "jarvice_submit_duration_seconds_count")).toBe(submits + 4);
    expect(value(after, "jarvice_k8s_scheduler_reconcile_duration_seconds", "jarvice_k8s_scheduler_reconcile_duration_seconds_count")).toBeGreaterThanOrEqual(3);
    // the resync runs every 50 ms here (the test app's resyncMs)
    expect(value(after, "jarvice_k8s_scheduler_resync_duration_seconds", "jarvice_k8s_scheduler_resync_duration_seconds_count")).toBeGreaterThan(resyncs);

    for (const n of [running, waiting]) expect((await j.get("terminate", ada, { number: n })).statusCode).toBe(200);
    await j.waitForState(ada, running, "TERMINATED");
    await j.waitForState(ada, waiting, "CANCELED");
    const end = await scrape();
    expect(value(end, "jarvice_jobs", "jarvice_jobs", { status: "PROCESSING STARTING" })).toBe(0);
    expect(value(end, "jarvice_jobs", "jarvice_jobs", { status: "SUBMITTED" })).toBe(0);
    expect(value(end, "jarvice_jobs_ended_total", "jarvice_jobs_ended_total", { status: "CANCELED" })).toBeGreaterThanOrEqual(1);
    // Labels are enums: statuses and outcomes only.
    const labels = new Set([...end].filter(([name]) => /^jarvice_(jobs|k8s_scheduler|submit)/.test(name)).flatMap(([, f]) => f.samples.flatMap((s) => Object.keys(s.labels))));
    expect([...labels].sort()).toEqual(["le", "status"]);
  });

  it("count the queue's jobs held for their Limits and released to the cluster", async () => {
    const bea = await t.payer("bea");
    const limit = await t.call("PUT", "/api/limits", { as: t.admin, body: { scope: "payer", payer: "bea", cpus: 8 } });
    expect(limit.statusCode, limit.body).toBe(200);
    const base = await scrape();
    expect(base.get("jarvice_queue_jobs")?.type).toBe("gauge");
    const held0 = value(base, "jarvice_queue_jobs", "jarvice_queue_jobs", { queue: "default", state: "held" });
    // the first fits the limit and runs; the second waits for it (held), the third too
    const first = (await j.submit(bea, demoJob({ machine: "n8", seconds: 3600 }))).number;
    const held = [(await j.submit(bea, demoJob({ machine: "n8", seconds: 3600 }))).number, (await j.submit(bea, demoJob({ machine: "n8", seconds: 3600 }))).number];
    await j.waitForState(bea, first, "PROCESSING STARTING");
    const during = await scrape();
    expect(value(during, "jarvice_queue_jobs", "jarvice_queue_jobs", { queue: "default", state: "held" })).toBe(held0 + 2);
    for (const n of [first, ...held]) expect((await j.get("terminate", bea, { number: n })).statusCode).toBe(200);
    for (const n of held) await j.waitForState(bea, n, "CANCELED");
    const end = await scrape();
    expect(value(end, "jarvice_queue_jobs", "jarvice_queue_jobs", { queue: "default", state: "held" })).toBe(held0);
    const labels = new Set(end.get("jarvice_queue_jobs")!.samples.flatMap((s) => Object.keys(s.labels)));
    expect([...labels].sort()).toEqual(["queue", "state"]);
  });
});
