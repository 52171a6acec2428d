// A process that runs only the pod scheduler (PADDOCK_ROLES=pod-scheduler, as the
// chart's jarvice-pod-scheduler Deployment) has no API server: it serves /metrics
// and /healthz on PADDOCK_METRICS_PORT. Here its API server is unreachable, so it
// never leads: the listener is up all the same, reports leader 0, and stops on SIGTERM.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./promText";

const root = path.resolve(import.meta.dirname, "..");

/** a port nothing listens on now */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** a kubeconfig whose API server refuses connections */
function unreachableKubeconfig(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "paddock-kc-")), "kubeconfig");
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  return file;
}

describe("a pod-scheduler-only process", () => {
  it("serves /metrics and /healthz on PADDOCK_METRICS_PORT, and stops on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PADDOCK_CLUSTER: "kubernetes", PADDOCK_ROLES: "pod-scheduler", PADDOCK_KUBECONFIG: unreachableKubeconfig(), PADDOCK_METRICS_PORT: String(port), PADDOCK_DATA_DIR: "/nonexistent/never-created" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      // Wait for the listener's start-up line (the process prints it once it listens).
      for (let i = 0; i < 600 && !/metrics on http:\/\//.test(out); i++) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toContain(`metrics on http://127.0.0.1:${port}/metrics`);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, "ok"]);
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const families = parsePrometheusText(await r.text());
      expect(families.get("jarvice_pod_scheduler_leader")?.samples.map((s) => s.value)).toEqual([0]);
      expect(families.get("process_cpu_seconds_total")?.samples.length).toBeGreaterThan(0);
      // It opened no database and no API port.
      expect(out).not.toMatch(/API listening|database/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
