// The /metrics and /healthz listener of a process without the API role,
// started on a free port and scraped over a real socket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schedulerMetrics } from "../k8s/schedulerMetrics";
import { parsePrometheusText } from "../../test/promText";
import { startMetricsServer, type MetricsServer } from "./metricsServer";

let server: MetricsServer;
let base: string;
beforeAll(async () => {
  server = await startMetricsServer({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => server?.close());

describe("the metrics listener", () => {
  it("serves the process registry as Prometheus text with prom-client's media type, the scheduler's metrics included", async () => {
    schedulerMetrics.leader.set(1);
    schedulerMetrics.bindingErrors.inc({ outcome: "refused" }, 2);
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheusText(await r.text());
    expect(families.get("jarvice_pod_scheduler_leader")).toMatchObject({ type: "gauge", samples: [{ value: 1 }] });
    expect(families.get("jarvice_pod_scheduler_binding_errors_total")?.samples).toContainEqual({ name: "jarvice_pod_scheduler_binding_errors_total", labels: { outcome: "refused" }, value: 2 });
    expect(families.get("jarvice_pod_scheduler_e2e_scheduling_duration_seconds")?.type).toBe("histogram");
    expect(families.get("process_resident_memory_bytes")?.samples[0]?.value).toBeGreaterThan(0);

    schedulerMetrics.leader.set(0);
    const again = parsePrometheusText(await (await fetch(`${base}/metrics?x=1`)).text());
    expect(again.get("jarvice_pod_scheduler_leader")?.samples[0]?.value).toBe(0);
  });

  it("answers /healthz with 200 ok", async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("ok");
  });

  it("answers HEAD without a body, other paths 404, other methods 405", async () => {
    const head = await fetch(`${base}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/api/health`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("refuses a port that is taken (start-up fails instead of serving nothing), and frees its port on close", async () => {
    await expect(startMetricsServer({ port: server.port, host: "127.0.0.1" })).rejects.toThrow(/EADDRINUSE/);
    const other = await startMetricsServer({ port: 0, host: "127.0.0.1" });
    const port = other.port;
    await other.close();
    const reopened = await startMetricsServer({ port, host: "127.0.0.1" });
    await reopened.close();
  });
});
