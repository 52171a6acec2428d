// GET /metrics on the API server (issue 11, item 7): the process registry in
// Prometheus text, unauthenticated as scrapers expect, with prom-client's media
// type byte for byte (the exact-media-type hook of src/http/wire.ts must not
// strip its parameters), the pod scheduler's metrics and the process metrics;
// outside the admin API's OpenAPI, and not JARVICE's /jarvice/metrics. Every
// label of Paddock's own metrics is one of a fixed set of names whose values
// are enums, so no tenant, user or job name can reach an unauthenticated scrape.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schedulerMetrics } from "../src/k8s/schedulerMetrics";
import { startTestApp, type TestApp } from "./app";
import { parsePrometheusText } from "./promText";

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
/** the scheduler's metric families (src/k8s/schedulerMetrics.ts) and their types */
const SCHEDULER_FAMILIES = {
  jarvice_pod_scheduler_schedule_attempts_total: "counter",
  jarvice_pod_scheduler_pending_jobs: "gauge",
  jarvice_pod_scheduler_e2e_scheduling_duration_seconds: "histogram",
  jarvice_pod_scheduler_binding_duration_seconds: "histogram",
  jarvice_pod_scheduler_binding_errors_total: "counter",
  jarvice_pod_scheduler_disqualified_nodes_total: "counter",
  jarvice_pod_scheduler_leader: "gauge",
};
/** the only label names Paddock's own metrics may carry: each value is from a fixed set (le: a histogram bucket; status: a job status) */
const ENUM_LABELS = new Set(["result", "queue", "outcome", "reason", "status", "le"]);

let t: TestApp;
beforeAll(async () => {
  // With a built portal: its catch-all must not answer /metrics with index.html.
  const portalDir = mkdtempSync(path.join(tmpdir(), "paddock-portal-"));
  writeFileSync(path.join(portalDir, "index.html"), "<!doctype html><html><body><div id=root></div></body></html>");
  t = await startTestApp({}, { portalDir });
});
afterAll(async () => t?.close());

describe("GET /metrics on the API server", () => {
  it("answers anyone with prom-client's media type, exactly, and the security headers", async () => {
    const r = await t.call("GET", "/metrics");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe(PROMETHEUS_TEXT);
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    // Credentials change nothing (a scraper configured with some is not refused).
    expect((await t.call("GET", "/metrics", { as: t.admin })).headers["content-type"]).toBe(PROMETHEUS_TEXT);
  });

  it("sends the Content-Type header byte for byte on a real socket", async () => {
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (t.app.server.address() as AddressInfo).port;
    expect(address).toContain(String(port));
    const raw = await new Promise<{ status: number; headers: string[]; body: string }>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path: "/metrics" }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.rawHeaders, body }));
        })
        .on("error", reject);
    });
    expect(raw.status).toBe(200);
    const i = raw.headers.findIndex((h) => h.toLowerCase() === "content-type");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(Buffer.from(raw.headers[i + 1]!, "latin1")).toEqual(Buffer.from(PROMETHEUS_TEXT, "latin1"));
    expect(() => parsePrometheusText(raw.body)).not.toThrow();
  });

  it("is Prometheus text with the pod scheduler's families, the process metrics, and what the scheduler counted", async () => {
    schedulerMetrics.attempts.inc({ result: "scheduled" }, 3);
    schedulerMetrics.disqualifiedNodes.inc({ reason: "tenant" });
    schedulerMetrics.pendingJobs.set({ queue: "backoff" }, 2);
    schedulerMetrics.e2eSeconds.observe(0.3);
    const r = await t.call("GET", "/metrics");
    const families = parsePrometheusText(r.body);
    for (const [name, type] of Object.entries(SCHEDULER_FAMILIES)) {
      expect(r.body).toMatch(new RegExp(`^# HELP ${name} \\S`, "m"));
      expect(r.body).toContain(`\n# TYPE ${name} ${type}\n`);
      expect(families.get(name)?.type).toBe(type);
    }
    const sample = (family: string, name: string, labels: Record<string, string>) => families.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(sample("jarvice_pod_scheduler_schedule_attempts_total", "jarvice_pod_scheduler_schedule_attempts_total", { result: "scheduled" })).toBeGreaterThanOrEqual(3);
    expect(sample("jarvice_pod_scheduler_disqualified_nodes_total", "jarvice_pod_scheduler_disqualified_nodes_total", { reason: "tenant" })).toBeGreaterThanOrEqual(1);
    expect(sample("jarvice_pod_scheduler_pending_jobs", "jarvice_pod_scheduler_pending_jobs", { queue: "backoff" })).toBe(2);
    expect(sample("jarvice_pod_scheduler_e2e_scheduling_duration_seconds", "jarvice_pod_scheduler_e2e_scheduling_duration_seconds_bucket", { le: "0.5" })).toBeGreaterThanOrEqual(1);
    // prom-client's default metrics of the process
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "nodejs_eventloop_lag_seconds", "nodejs_heap_size_used_bytes"]) {
      expect(families.get(name)?.samples.length, name).toBeGreaterThan(0);
    }
  });

  it("labels Paddock's own metrics only with names whose values are enums, never a tenant, user or job", async () => {
    schedulerMetrics.bindingErrors.inc({ outcome: "conflict" });
    const families = parsePrometheusText((await t.call("GET", "/metrics")).body);
    const own = [...families].filter(([name]) => name.startsWith("jarvice_"));
    expect(own.length).toBeGreaterThanOrEqual(Object.keys(SCHEDULER_FAMILIES).length);
    const labels = new Set(own.flatMap(([, f]) => f.samples.flatMap((s) => Object.keys(s.labels))));
    expect([...labels].filter((l) => !ENUM_LABELS.has(l))).toEqual([]);
  });

  it("stays out of the admin API's OpenAPI and leaves JARVICE's /jarvice/metrics as it was", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.includes("metrics"))).toEqual([]);
    const jarvice = await t.call("GET", `/jarvice/metrics?username=${t.admin.username}&apikey=${t.admin.apikey}&number=1`);
    expect(jarvice.statusCode).toBe(501);
    expect(jarvice.headers["content-type"]).toBe("application/json");
  });

  it("is read-only: other methods are not routes", async () => {
    expect((await t.call("POST", "/metrics", { body: {} })).statusCode).toBe(404);
    expect((await t.call("DELETE", "/metrics")).statusCode).toBe(404);
  });
});
